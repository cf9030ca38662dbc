/**
 * The ways a session ends, and how each is said. Kept apart from the event schemas (which need the
 * schema library) so that the wrapper's observer thread can name a session's end without loading it.
 */
/**
 * How a session ended: `exit` when its wrapper recorded the end (with the server's exit code or signal),
 * `lost` when the engine closed it because the wrapper's process was gone (killed, crashed, or its last
 * write refused), at its last recorded activity. A session through `mcpscope proxy` has no process of its
 * own: the proxy closes it, for one of the other reasons.
 */
export const SESSION_END_REASONS = [
  "exit",
  "lost",
  "client_closed",
  "stream_closed",
  "idle",
  "too_many_open",
  "proxy_stopped",
] as const;
export type SessionEndReason = (typeof SESSION_END_REASONS)[number];
/** The reasons the HTTP proxy closes a session for. */
export type ProxySessionEndReason = Exclude<SessionEndReason, "exit" | "lost">;

const SESSION_END_TEXT: Record<Exclude<SessionEndReason, "exit">, string> = {
  lost: "lost: its wrapper ended without closing it (closed at its last recorded activity)",
  client_closed: "the client deleted it",
  stream_closed: "its SSE stream closed",
  idle: "idle, closed by the proxy",
  too_many_open: "too many open sessions, closed by the proxy",
  proxy_stopped: "the proxy stopped",
};

/** Why a session ended other than by its server's exit, in a few words. */
export function sessionEndReasonText(reason: Exclude<SessionEndReason, "exit">): string {
  return SESSION_END_TEXT[reason];
}

/** The stored `end_reason` as a reason; rows written before reasons were stored ended by `exit`. */
export function toSessionEndReason(stored: unknown): SessionEndReason {
  return (SESSION_END_REASONS as readonly unknown[]).includes(stored) ? (stored as SessionEndReason) : "exit";
}
