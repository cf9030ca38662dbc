/**
 * A health check asked for by the user: through the prober when it watches the server, otherwise one
 * probe of its own, recorded as a scheduled one would be (its tools' snapshot and pins included).
 */

import type { ActionResult } from "../../../shared/servers.js";
import type { DiscoveredServer } from "../discovery/types.js";
import type { DbHealthStore } from "../health/health-store.js";
import { probeServer } from "../health/probe.js";
import type { Prober } from "../health/prober.js";
import { snapshotTools } from "../health/tool-snapshot.js";
import { loginShellEnv } from "../shell-env.js";

export async function probeOnRequest(
  server: DiscoveredServer,
  prober: Prober,
  healthStore: DbHealthStore,
): Promise<ActionResult> {
  const id = server.definition.id;
  const watched = prober.probeNow(id);
  if (watched) {
    const check = await watched;
    return {
      ok: check.status !== "down",
      message: describeCheck(server.definition.name, check.status, check.error),
    };
  }
  const result = await probeServer(server, { env: await loginShellEnv().get(), timeoutMs: 15_000 });
  const status = result.outcome === "ok" ? "up" : result.outcome === "degraded" ? "degraded" : "down";
  const time = Date.now();
  // Its tools, as a scheduled probe keeps them: a snapshot when they changed, pins and their checks.
  if (result.tools) healthStore.snapshot(id, server.definition.name, snapshotTools(result.tools), time);
  healthStore.record({
    time,
    serverId: id,
    server: server.definition.name,
    status,
    state: status,
    era: result.era,
    protocolVersion: result.protocolVersion,
    handshakeMs: result.handshakeMs,
    pingMs: result.pingMs,
    listMs: result.listMs,
    toolsCount: result.tools?.length ?? null,
    error: result.error,
  });
  return { ok: status !== "down", message: describeCheck(server.definition.name, status, result.error) };
}

function describeCheck(name: string, status: string, error: string | null): string {
  return error ? `${name} is ${status}: ${error}` : `${name} is ${status}`;
}
