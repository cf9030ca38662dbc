import type { ApiTransport } from "../../../shared/api.js";

/**
 * The state of the live link to the engine:
 * - `connecting`: the first attempt is under way;
 * - `connected`: events arrive;
 * - `reconnecting`: the link dropped and is being retried (methods may still fail);
 * - `unauthorized`: browser mode has no valid token, so nothing will work until the page is opened
 *   from the link `mcpscope serve` printed.
 */
export type ConnectionState = "connecting" | "connected" | "reconnecting" | "unauthorized";

/** An ApiTransport as the renderer holds it: which kind it is, and the state of its live link. */
export interface RendererTransport extends ApiTransport {
  readonly kind: "ipc" | "http";
  /** Calls `listener` now with the current state and on every change. Returns an unsubscribe function. */
  onConnectionChange(listener: (state: ConnectionState) => void): () => void;
}
