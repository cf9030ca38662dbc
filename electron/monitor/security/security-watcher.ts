/**
 * The security checks that follow every wrapped session: tool pins and poisoning heuristics on each
 * `tools/list` result, and a call rate far above the server's trailing baseline. Secrets are reported by
 * the session recorder, from what its masking found (security/secret-findings.ts).
 */
import { declaredCapabilities } from "../protocol/mcp.js";
import type { CallObservation } from "../protocol/observations.js";
import type { SessionContext, SessionWatcher, SessionWatcherFactory } from "../session-watchers.js";
import { capabilitySet } from "./capability-set.js";
import { checkToolList, insertEvent, toolsFromResult } from "./pins.js";
import { RateWatch } from "./rate.js";
import { type ToolListing, ToolListings } from "./tool-listing.js";

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
  const listings = new ToolListings();
  /** The capability set the client declared at `initialize`; null until one is seen. */
  let sessionCapabilities: string | null = null;
  /** The set of the client whose chain of pages is open (a stateless client declares it per request). */
  let listingCapabilities: string | null = null;
  let lastListedAt = 0;
  return {
    call(call: CallObservation) {
      // Requests from the client to the server; server→client requests (sampling, roots) are not tool traffic.
      if (call.direction !== "c2s") return;
      if (call.method === "initialize") onDeclared(call);
      if (call.method === "tools/list" && call.outcome === "ok") onToolList(call);
      onRate(call);
    },
    ended() {
      for (const listing of listings.end()) check(listing, lastListedAt);
    },
  };

  function onDeclared(call: CallObservation) {
    const request = params(call.request);
    // A request known by its size only tells nothing of what it declared.
    if (request) sessionCapabilities = capabilitySet(declaredCapabilities(call.method, request) ?? {});
  }

  function onToolList(call: CallObservation) {
    const page = result(call.response);
    const tools = toolsFromResult(page);
    if (!tools) return;
    const request = params(call.request);
    const declared = declaredCapabilities(call.method, request);
    listingCapabilities = declared ? capabilitySet(declared) : sessionCapabilities;
    lastListedAt = call.startedAt + call.durationMs;
    const nextCursor = (page as { nextCursor?: unknown }).nextCursor;
    for (const listing of listings.page(request?.cursor, tools, nextCursor)) check(listing, lastListedAt);
  }

  function check(listing: ToolListing, time: number) {
    const capabilities = listingCapabilities;
    writer.enqueueWrite((db) =>
      checkToolList(db, {
        server: identity.server,
        tools: listing.tools,
        time,
        sessionId: identity.sessionId,
        complete: listing.complete,
        capabilities,
      }),
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
