/**
 * A health check asked for by the user: through the prober when it watches the server, otherwise one
 * probe of its own, recorded as a scheduled one would be (its tools' snapshot and pins included).
 */

import type { ActionResult } from "../../../shared/servers.js";
import type { DiscoveredServer } from "../discovery/types.js";
import type { DbHealthStore } from "../health/health-store.js";
import { probeCheck, probeServer, probeStatus } from "../health/probe.js";
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
  const time = Date.now();
  // Its tools, as a scheduled probe keeps them: a snapshot when they changed, pins and their checks.
  if (result.tools) healthStore.snapshot(id, server.definition.name, snapshotTools(result.tools), time);
  // Not watched, so no flap damping: its state is this check's verdict.
  const status = probeStatus(result.outcome);
  healthStore.record(probeCheck(server, result, time, status));
  return { ok: status !== "down", message: describeCheck(server.definition.name, status, result.error) };
}

function describeCheck(name: string, status: string, error: string | null): string {
  return error ? `${name} is ${status}: ${error}` : `${name} is ${status}`;
}
