/**
 * The security checks that follow every wrapped session: tool pins and poisoning heuristics on each
 * `tools/list` result, secrets in tool arguments and results (reported by detector name, never stored),
 * and a call rate far above the server's trailing baseline.
 */
import { maskValue } from "../pipeline/mask.js";
import type { CallObservation } from "../protocol/observations.js";
import type { SessionContext, SessionWatcher, SessionWatcherFactory } from "../session-watchers.js";
import { checkToolList, insertEvent, toolsFromResult } from "./pins.js";
import { RateWatch } from "./rate.js";

function params(message: unknown): Record<string, unknown> | undefined {
  const p = (message as { params?: unknown } | null)?.params;
  return p !== null && typeof p === "object" ? (p as Record<string, unknown>) : undefined;
}

function result(message: unknown): unknown {
  return (message as { result?: unknown } | null)?.result;
}

/** Detector names of the secrets in `value` (the masking detectors; key names as `key:NAME`). */
export function secretDetectors(value: unknown): string[] {
  if (value === undefined) return [];
  const found = new Set<string>();
  maskValue(value, found);
  return [...found].sort();
}

export const securityWatcher: SessionWatcherFactory = (context: SessionContext): SessionWatcher => {
  const { identity, writer } = context;
  const rate = new RateWatch();
  return {
    call(call: CallObservation) {
      // Requests from the client to the server; server→client requests (sampling, roots) are not tool traffic.
      if (call.direction !== "c2s") return;
      if (call.method === "tools/list" && call.outcome === "ok") onToolList(call);
      if (call.method === "tools/call") onToolCall(call);
      onRate(call);
    },
  };

  function onToolList(call: CallObservation) {
    const tools = toolsFromResult(result(call.response));
    if (!tools) return;
    const complete =
      params(call.request)?.cursor === undefined &&
      (result(call.response) as { nextCursor?: unknown }).nextCursor === undefined;
    const time = call.startedAt + call.durationMs;
    writer.enqueueWrite((db) =>
      checkToolList(db, { server: identity.server, tools, time, sessionId: identity.sessionId, complete }),
    );
  }

  function onToolCall(call: CallObservation) {
    const where: Record<string, string[]> = {};
    const args = secretDetectors(params(call.request)?.arguments);
    if (args.length) where.arguments = args;
    const res = secretDetectors(result(call.response));
    if (res.length) where.result = res;
    if (!args.length && !res.length) return;
    const detectors = [...new Set([...args, ...res])].sort();
    writer.enqueue("events", {
      time: call.startedAt + call.durationMs,
      category: "security",
      type: "secret.detected",
      severity: "medium",
      server: identity.server,
      session_id: identity.sessionId,
      message: `${identity.server}: a secret (${detectors.join(", ")}) passed through tool "${call.target ?? "?"}" in its ${Object.keys(where).join(" and ")}; it was masked before storage`,
      details: JSON.stringify({ tool: call.target, requestId: call.requestId, where, detectors }),
    });
  }

  function onRate(call: CallObservation) {
    const time = call.startedAt;
    const anomaly = rate.add(time);
    if (!anomaly) return;
    writer.enqueueWrite((db) => {
      // At most once per 10 minutes per server, across every wrapper of that server.
      const recent = db
        .prepare(
          "SELECT 1 AS x FROM events WHERE type = 'call_rate.anomaly' AND server = ? AND time > ? LIMIT 1",
        )
        .get(identity.server, time - RateWatch.QUIET_MS);
      if (recent) return;
      insertEvent(db, {
        time,
        category: "security",
        type: "call_rate.anomaly",
        severity: "medium",
        server: identity.server,
        session_id: identity.sessionId,
        message: `${identity.server}: ${anomaly.perMinute} calls in the last minute, ${anomaly.baseline.toFixed(1)}/min on average before`,
        details: JSON.stringify(anomaly),
      });
    });
  }
};
