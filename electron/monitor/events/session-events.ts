/**
 * Follows one wrapped session and emits its events through the tracker: user events (session start and
 * end, server→client requests, `input_required` rounds, cancellations), system events (wrapper start and
 * stop, or a proxy's HTTP session opened and closed) and error events (server, tool and client errors, timeouts, disconnects) with a fingerprint.
 * Only names, ids, codes and masked error messages are stored, never a raw payload.
 */
import type { EventSeverity } from "../../../shared/events.js";
import { sessionEndReasonText } from "../../../shared/session-end.js";
import { formatDuration } from "../duration-text.js";
import type { CallObservation, SessionFacts } from "../protocol/observations.js";
import type { SessionContext, SessionWatcher, SessionWatcherFactory } from "../session-watchers.js";
import type { SessionEnd } from "../store/session-recorder.js";
import { EventTracker, errorFingerprint } from "./tracker.js";

const ERROR_SEVERITY: Record<string, EventSeverity> = {
  server_error: "medium",
  tool_error: "low",
  client_error: "low",
  timeout: "medium",
  disconnected: "medium",
};

/** What `_meta.progressToken` or a W3C `traceparent` in `_meta` says about the request, if anything. */
function correlationOf(call: CallObservation): { progressToken: string | null; traceId: string | null } {
  const meta = (call.request as { params?: { _meta?: Record<string, unknown> } } | null)?.params?._meta;
  const token = meta?.progressToken;
  const traceparent = typeof meta?.traceparent === "string" ? meta.traceparent : null;
  const traceId = traceparent?.split("-")[1] ?? null;
  return {
    progressToken: typeof token === "string" || typeof token === "number" ? String(token) : null,
    traceId: traceId && /^[0-9a-f]{32}$/i.test(traceId) ? traceId : null,
  };
}

function operation(call: CallObservation): string {
  return call.target ? `${call.method} ${call.target}` : call.method;
}

/**
 * A wrapped server that failed on its own: it exited with a non-zero code or by a signal before its
 * client closed its input or signalled the wrapper. Whatever ends it after that (a non-zero code on
 * end of input, the wrapper's SIGTERM or SIGKILL after the grace period) is the client's normal stop.
 */
export function crashedUnderClient(end: SessionEnd): boolean {
  if (!end.exitedOnItsOwn) return false;
  return end.signal !== null || (end.exitCode !== null && end.exitCode !== 0);
}

/** Outcomes that show the server serving the session: until one, it has not started. */
const SERVED = new Set(["ok", "tool_error"]);

export const sessionEventsWatcher: SessionWatcherFactory = (context: SessionContext): SessionWatcher => {
  const { identity } = context;
  const tracker = new EventTracker(context.writer, { server: identity.server, session: identity.sessionId });
  const proxied = context.via === "proxy";
  let started = false;
  /** When the message that told the client's facts was read. */
  let toldAt: number | null = null;

  if (proxied) {
    tracker.track({
      category: "system",
      type: "proxy.session_open",
      severity: "info",
      time: identity.startedAt,
      message: `mcpscope proxy opened a session to ${identity.server}`,
      details: { proxyPid: identity.wrapperPid },
    });
  } else {
    tracker.track({
      category: "system",
      type: "wrapper.start",
      severity: "info",
      time: identity.startedAt,
      message: `mcpscope run started ${identity.server}`,
      details: { pid: identity.pid, wrapperPid: identity.wrapperPid, client: context.client },
    });
  }

  // Said once the server served a call (a failed initialize starts nothing), at the time of the message
  // that told the facts: the observer may get to it well after it was read.
  const sessionStart = (facts: SessionFacts, time: number) => {
    if (started || (!facts.clientName && !facts.protocolVersion)) return;
    started = true;
    const client = clientLabel(facts);
    tracker.track({
      category: "user",
      type: "session.start",
      severity: "info",
      time,
      message: `session started by ${client}${facts.protocolVersion ? ` (protocol ${facts.protocolVersion})` : ""}`,
      details: {
        clientName: facts.clientName ?? null,
        clientVersion: facts.clientVersion ?? null,
        protocolVersion: facts.protocolVersion ?? null,
        era: facts.era ?? null,
        serverName: facts.serverName ?? null,
        serverVersion: facts.serverVersion ?? null,
        client: context.client,
      },
    });
  };

  return {
    session(facts, at, changed) {
      if (toldAt === null && (facts.clientName || facts.protocolVersion)) toldAt = at;
      // Calls keep the identity in force when they were made; the timeline says where it changed.
      if (changed && started) {
        tracker.track({
          category: "user",
          type: "session.client_changed",
          severity: "info",
          time: at,
          message: `session continued by ${clientLabel(facts)}${facts.protocolVersion ? ` (protocol ${facts.protocolVersion})` : ""}`,
          details: {
            clientName: facts.clientName ?? null,
            clientVersion: facts.clientVersion ?? null,
            protocolVersion: facts.protocolVersion ?? null,
          },
        });
      }
    },
    call(call, facts) {
      if (call.direction === "c2s" && SERVED.has(call.outcome)) sessionStart(facts, toldAt ?? call.startedAt);
      const { progressToken, traceId } = correlationOf(call);
      const correlation = { requestId: call.requestId, progressToken, traceId };
      const time = call.startedAt + call.durationMs;
      const base = { method: call.method, target: call.target, durationMs: call.durationMs };
      if (call.direction === "s2c") {
        // What the client made of the server's request (a user declining sampling, a client gone before it
        // answered roots/list) is the client's doing: said here, never as an error event of the server.
        const answer = call.errorMessage ? `${call.outcome}: ${call.errorMessage}` : call.outcome;
        tracker.track({
          category: "user",
          type: "server_request",
          severity: "info",
          time: call.startedAt,
          message: `server asked the client: ${operation(call)} (${answer})`,
          details: { ...base, outcome: call.outcome, errorCode: call.errorCode },
          correlation,
        });
        return;
      }
      if (call.rounds > 0) {
        tracker.track({
          category: "user",
          type: "input_required",
          severity: "info",
          time,
          message: `${operation(call)} needed ${call.rounds} input_required round${call.rounds === 1 ? "" : "s"}`,
          details: { ...base, rounds: call.rounds },
          correlation,
        });
      }
      if (call.outcome === "cancelled") {
        tracker.track({
          category: "user",
          type: "request.cancelled",
          severity: "info",
          time,
          message: `${operation(call)} was cancelled after ${Math.round(call.durationMs)} ms`,
          details: base,
          correlation,
        });
        return;
      }
      const severity = ERROR_SEVERITY[call.outcome];
      if (!severity) return;
      const reason =
        call.errorMessage ??
        (call.outcome === "timeout"
          ? "no response in time"
          : call.outcome === "disconnected"
            ? "the transport closed while the request was pending"
            : "failed");
      tracker.track({
        category: "error",
        type: call.outcome,
        severity,
        time,
        message: `${operation(call)}: ${reason}`,
        details: {
          ...base,
          direction: call.direction,
          errorCode: call.errorCode,
          errorMessage: call.errorMessage,
        },
        correlation,
        fingerprint: errorFingerprint({
          type: call.outcome,
          server: identity.server,
          method: call.method,
          target: call.target,
          errorCode: call.errorCode,
          message: reason,
        }),
      });
    },
    ended(end: SessionEnd, facts: SessionFacts) {
      const uptimeMs = Math.max(0, end.endedAt - identity.startedAt);
      const lasted = formatDuration(uptimeMs);
      if (started)
        tracker.track({
          category: "user",
          type: "session.end",
          severity: "info",
          time: end.endedAt,
          message: `session ended after ${lasted}`,
          details: {
            clientName: facts.clientName ?? null,
            clientVersion: facts.clientVersion ?? null,
            protocolVersion: facts.protocolVersion ?? null,
            uptimeMs,
          },
        });
      if (proxied) {
        tracker.track({
          category: "system",
          type: "proxy.session_close",
          severity: "info",
          time: end.endedAt,
          message: `mcpscope proxy closed a session to ${identity.server} after ${lasted}${end.reason ? ` (${sessionEndReasonText(end.reason)})` : ""}`,
          details: { reason: end.reason ?? null, uptimeMs, served: started },
        });
        return;
      }
      const how =
        end.signal !== null
          ? `signal ${end.signal}`
          : end.exitCode !== null
            ? `exit code ${end.exitCode}`
            : "no exit status";
      tracker.track({
        category: "system",
        type: "wrapper.stop",
        severity: end.exitCode === 0 || (end.exitCode === null && end.signal === null) ? "info" : "low",
        time: end.endedAt,
        message: `mcpscope run stopped ${identity.server} (${how})`,
        details: { exitCode: end.exitCode, signal: end.signal, uptimeMs },
      });
      // The same fact as a supervised server's crash, so `server-crashed` covers wrapped servers too.
      if (crashedUnderClient(end))
        tracker.track({
          category: "system",
          type: "process.crash",
          severity: "medium",
          time: end.endedAt,
          message: `${identity.server} ${end.signal !== null ? `was killed by ${end.signal}` : `exited with code ${end.exitCode}`} after ${lasted} while its client was connected`,
          details: { exitCode: end.exitCode, signal: end.signal, uptimeMs, wrapped: true },
        });
    },
  };
};

/** How a session's client is named in its events: name and version, or "an unnamed client". */
function clientLabel(facts: SessionFacts): string {
  if (!facts.clientName) return "an unnamed client";
  return `${facts.clientName}${facts.clientVersion ? ` ${facts.clientVersion}` : ""}`;
}
