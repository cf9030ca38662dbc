import type { ApiTransport } from "../../../shared/api.js";
import type { RendererTransport } from "./transport.js";

// Electron prefixes errors thrown by an ipcMain handler; the user needs only the engine's own line.
const IPC_ERROR_PREFIX = /^Error invoking remote method '[^']*': (?:[A-Za-z]*Error: )?/;

/** Wraps the preload's bridge (`window.mcpscope`). IPC has no link to lose, so it is always connected. */
export function createIpcTransport(bridge: ApiTransport): RendererTransport {
  return {
    kind: "ipc",
    async invoke(method, input) {
      try {
        return await bridge.invoke(method, input);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        throw new Error(message.replace(IPC_ERROR_PREFIX, ""));
      }
    },
    subscribe(event, listener) {
      return bridge.subscribe(event, listener);
    },
    onConnectionChange(listener) {
      listener("connected");
      return () => {};
    },
  };
}
