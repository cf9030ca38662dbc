/**
 * Browser mode's wire format (`mcpscope serve`), shared by the engine's HTTP server and the renderer's
 * HTTP transport.
 *
 * - `POST {API_PATH}/<method>` with a JSON body (the method's input) and the header
 *   `Authorization: Bearer <token>` → `200 {"result": …}`, or `4xx/5xx {"error": {"message", "kind"}}`.
 * - WebSocket at `{EVENTS_PATH}?token=<token>` → text frames `{"event": name, "payload": …}`.
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
