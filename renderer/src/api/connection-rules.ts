import type { ConnectionState, RendererTransport } from "./transport.js";

/**
 * Whether figures can be shown: not without a token, and in the desktop app not while its engine is
 * away (calls fail then, and an empty answer would read as zero or "all clear").
 */
export function showsFigures(kind: RendererTransport["kind"], state: ConnectionState): boolean {
  if (state === "unauthorized" || state === "stopped") return false;
  return kind !== "ipc" || state === "connected";
}

/**
 * Follows the connection's states and calls `back` each time the link returns after a drop, an engine
 * restart or a stop (events may have been missed, and what views show may be stale or an error).
 */
export function onLinkBack(back: () => void): (state: ConnectionState) => void {
  let wasDown = false;
  return (state) => {
    if (state === "reconnecting" || state === "stopped") wasDown = true;
    if (state === "connected" && wasDown) {
      wasDown = false;
      back();
    }
  };
}
