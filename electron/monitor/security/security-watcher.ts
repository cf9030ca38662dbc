/**
 * The security checks that follow every wrapped session: tool pins and poisoning heuristics on each
 * `tools/list` result, and a call rate far above the server's trailing baseline. Secrets are reported by
 * the session recorder, from what its masking found (security/secret-findings.ts).
 */
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

export const securityWatcher: SessionWatcherFactory = (context: SessionContext): SessionWatcher => {
  const { identity, writer } = context;
  const rate = new RateWatch();
  return {
    call(call: CallObservation) {
      // Requests from the client to the server; server→client requests (sampling, roots) are not tool traffic.
      if (call.direction !== "c2s") return;
      if (call.method === "tools/list" && call.outcome === "ok") onToolList(call);
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
