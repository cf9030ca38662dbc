/**
 * What the notifications a session observer follows do: a cancellation ends the request it names, progress
 * restarts its request's clock, and a log message becomes a log line.
 */

import { logOfNotification } from "./log-notification.js";
import { cancelledOutcome, progressTokenOf } from "./mcp.js";
import type { ObservationSink } from "./observations.js";
import { otherStream, type PendingRequests, type Stream } from "./pending-requests.js";

export function followNotification(
  pending: PendingRequests,
  sink: ObservationSink,
  stream: Stream,
  method: string,
  params: Record<string, unknown> | undefined,
  at: number,
): void {
  if (method === "notifications/cancelled" && params) {
    const id = params.requestId;
    if (typeof id !== "string" && typeof id !== "number") return;
    // A cancellation refers to a request the *sender* of the notification made.
    // A client that gave up waiting cancels too (the SDK's own timeout): that is the server's timeout.
    // A server giving up on its own request to the client (its SDK's timeout on an unanswered form)
    // judges no server: that stays `cancelled`.
    const reason = typeof params.reason === "string" ? params.reason : null;
    const outcome = stream === "in" ? cancelledOutcome(reason) : "cancelled";
    const text = outcome === "timeout" ? `the client gave up waiting: ${reason}` : reason;
    pending.cancel(stream, id, at, text, outcome);
    return;
  }
  if (method === "notifications/progress" && params) {
    const token = progressTokenOf({ _meta: { progressToken: params.progressToken } });
    if (!token) return;
    for (const entry of pending.waiting(otherStream(stream))) {
      if (entry.progressToken !== token) continue;
      pending.progress(entry, at);
    }
    return;
  }
  if (method === "notifications/message" && params && stream === "out") {
    // The protocol carries no request id on log notifications; on one stdio channel the link is exact
    // only when a single client request is in flight.
    const related = pending.onlyInFlight("in");
    sink.log(logOfNotification(params, at, related === null ? null : String(related)));
  }
}
