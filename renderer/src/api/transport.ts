import type { ApiTransport } from "../../../shared/api.js";

/**
 * The state of the live link to the engine:
 * - `connecting`: the first attempt is under way;
 * - `connected`: events arrive;
 * - `reconnecting`: the link dropped and is being retried (methods may still fail);
 * - `unauthorized`: browser mode has no valid token, so nothing will work until the page is opened
 *   from the link `mcpscope serve` printed;
 * - `stopped`: the desktop app's engine is down and not coming back on its own (the reason says why).
 * In the desktop app, `connecting` is the engine starting and `reconnecting` the engine restarting.
 */
export type ConnectionState = "connecting" | "connected" | "reconnecting" | "unauthorized" | "stopped";

/** An ApiTransport as the renderer holds it: which kind it is, and the state of its live link. */
export interface RendererTransport extends ApiTransport {
  readonly kind: "ipc" | "http";
  /**
   * Calls `listener` now with the current state and on every change, with one line saying why when the
   * engine is down (null otherwise). Returns an unsubscribe function.
   */
  onConnectionChange(listener: (state: ConnectionState, reason: string | null) => void): () => void;
}
