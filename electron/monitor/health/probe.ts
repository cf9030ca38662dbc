/**
 * One health probe of one server: over its managed session if it has one, else over a short-lived
 * connection (a stdio spawn, or Streamable HTTP / SSE to its URL). Handshake in the server's era, a
 * liveness request (`ping`, or `server/discover` in the stateless era), then `tools/list`.
 */
import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import type { CheckStatus, HealthStatus } from "../../../shared/servers.js";
import type { Env } from "../shell-env.js";
import type { SpawnFn } from "../supervisor/child-transport.js";
import type { ProtocolEra } from "../supervisor/era-transport.js";
import { type McpSession, openSession } from "../supervisor/mcp-session.js";
import type { ServerTarget } from "../supervisor/transports.js";
import type { HealthCheck } from "./health-store.js";
import type { ProbeOutcome } from "./state-machine.js";

export interface ProbeResult {
  outcome: ProbeOutcome;
  /** Whether the probe used the managed session rather than its own connection. */
  managed: boolean;
  era: ProtocolEra | null;
  protocolVersion: string | null;
  serverName: string | null;
  serverVersion: string | null;
  /** `initialize` / `server/discover` of a fresh connection (null over a managed session). */
  handshakeMs: number | null;
  /** `ping`, or `server/discover` in the stateless era (null for a fresh stateless connection). */
  pingMs: number | null;
  listMs: number | null;
  /** null when `tools/list` was not reached or failed; [] when the server has no tools capability. */
  tools: Tool[] | null;
  /** Why it failed or is degraded, one line. */
  error: string | null;
}

/** A probe's own verdict. */
export function probeStatus(outcome: ProbeOutcome): CheckStatus {
  return outcome === "ok" ? "up" : outcome === "degraded" ? "degraded" : "down";
}

/** A probe of `target` as the health check recorded at `time`; `state` is the server's state after it. */
export function probeCheck(
  target: ServerTarget,
  result: ProbeResult,
  time: number,
  state: HealthStatus,
): HealthCheck {
  return {
    time,
    serverId: target.definition.id,
    server: target.definition.name,
    status: probeStatus(result.outcome),
    state,
    era: result.era,
    protocolVersion: result.protocolVersion,
    handshakeMs: result.handshakeMs,
    pingMs: result.pingMs,
    listMs: result.listMs,
    toolsCount: result.tools?.length ?? null,
    error: result.error,
  };
}

/** A probe that learned nothing (yet): failed, with `error` saying why when known. */
export function failedProbe(error: string | null): ProbeResult {
  return {
    outcome: "failed",
    managed: false,
    era: null,
    protocolVersion: null,
    serverName: null,
    serverVersion: null,
    handshakeMs: null,
    pingMs: null,
    listMs: null,
    tools: null,
    error,
  };
}

export interface ProbeOptions {
  /** The server's managed session, when it has an open one. */
  session?: McpSession | null;
  env: Env;
  spawn?: SpawnFn;
  /** Per step (default 10 s). */
  timeoutMs?: number;
  /** Slower than this (ping or tools/list) is degraded (default 2 s). */
  slowMs?: number;
  eraHint?: ProtocolEra | null;
  graceMs?: number;
  /** The URL or command was named on the command line (`mcpscope check`): hints name its flags. */
  adHoc?: boolean;
}

export async function probeServer(target: ServerTarget, options: ProbeOptions): Promise<ProbeResult> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const slowMs = options.slowMs ?? 2000;
  const managed = options.session ?? null;
  const result: ProbeResult = { ...failedProbe(null), managed: managed !== null };
  let session: McpSession;
  try {
    session =
      managed ??
      (await openSession(target, {
        env: options.env,
        spawn: options.spawn,
        timeoutMs,
        eraHint: options.eraHint,
        graceMs: options.graceMs ?? 1000,
        adHoc: options.adHoc,
      }));
  } catch (error) {
    result.error = (error as Error).message;
    return result;
  }
  try {
    const facts = session.facts;
    result.era = facts?.era ?? null;
    result.protocolVersion = facts?.protocolVersion ?? null;
    result.serverName = facts?.serverName ?? null;
    result.serverVersion = facts?.serverVersion ?? null;
    if (!managed) result.handshakeMs = facts?.handshakeMs ?? null;
    // A fresh stateless connection just answered server/discover: that was its liveness check.
    if (managed || facts?.era !== "stateless") result.pingMs = await session.liveness(timeoutMs);
  } catch (error) {
    result.error = (error as Error).message;
    if (!managed) await session.close();
    return result;
  }
  result.outcome = "ok";
  try {
    if (session.facts && !("tools" in session.facts.capabilities)) {
      result.tools = [];
    } else {
      const listed = await session.listTools(timeoutMs);
      result.tools = listed.tools;
      result.listMs = listed.ms;
    }
  } catch (error) {
    result.outcome = "degraded";
    result.error = (error as Error).message;
  } finally {
    if (!managed) await session.close();
  }
  if (result.outcome === "ok") {
    const liveness = result.pingMs ?? result.handshakeMs ?? 0;
    const slowest = Math.max(liveness, result.listMs ?? 0);
    if (slowest > slowMs) {
      result.outcome = "degraded";
      const what = (result.listMs ?? 0) > liveness ? "tools/list" : "the liveness check";
      result.error = `slow: ${what} took ${Math.round(slowest)} ms (more than ${slowMs} ms)`;
    }
  }
  return result;
}
