/**
 * Browser mode's wire format (`mcpscope serve`), shared by the engine's HTTP server and the renderer's
 * HTTP transport.
 *
 * - `POST {API_PATH}/<method>` with a JSON body (the method's input) and the header
 *   `Authorization: Bearer <token>` → `200 {"result": …}`, or `4xx/5xx {"error": {"message", "kind"}}`.
 * - WebSocket at `{EVENTS_PATH}?token=<token>` → text frames `{"event": name, "payload": …}`. The events in
 *   `ASKED_EVENTS` come only after the page sends `{"subscribe": name}` (and stop on `{"unsubscribe": name}`).
 * - The page learns the token from the URL fragment `#token=…` that `mcpscope serve` prints.
 */
export const API_PATH = "/api";
export const EVENTS_PATH = "/api/events";
export const TOKEN_FRAGMENT_KEY = "token";

export interface HttpErrorBody {
  error: { message: string; kind: string };
}

export interface EventFrame {
  event: string;
  payload: unknown;
}

/**
 * Events a page must ask for: a subscriber to `alerts.notify` tells the engine that notifications are
 * shown here, so a page that cannot show them (no permission yet) must not be counted as one.
 */
export const ASKED_EVENTS: readonly string[] = ["alerts.notify"];

/** What a page sends over the events socket to start or stop an asked-for event. */
export type SubscriptionFrame = { subscribe: string } | { unsubscribe: string };

/** A page's frame, or null when it is not one. */
export function subscriptionFrame(data: unknown): SubscriptionFrame | null {
  if (typeof data !== "object" || data === null) return null;
  const { subscribe, unsubscribe } = data as { subscribe?: unknown; unsubscribe?: unknown };
  if (typeof subscribe === "string") return { subscribe };
  if (typeof unsubscribe === "string") return { unsubscribe };
  return null;
}
