import type { ApiTransport } from "../../../shared/api.js";
import { type EngineState, EngineStateSchema } from "../../../shared/engine-state.js";
import type { ConnectionState, RendererTransport } from "./transport.js";

// Electron prefixes errors thrown by an ipcMain handler; the user needs only the engine's own line.
const IPC_ERROR_PREFIX = /^Error invoking remote method '[^']*': (?:[A-Za-z]*Error: )?/;

/** The engine's state, as the app's main process reports it, in the terms every transport uses. */
const CONNECTION_OF: Record<EngineState["state"], ConnectionState> = {
  starting: "connecting",
  up: "connected",
  restarting: "reconnecting",
  stopped: "stopped",
};

/**
 * Wraps the preload's bridge (`window.mcpscope`). IPC itself has no link to lose, but the engine behind
 * the main process can be away: its state comes from main (`engine.state`, asked once, then pushed).
 */
export function createIpcTransport(bridge: ApiTransport): RendererTransport {
  let state: ConnectionState = "connecting";
  let reason: string | null = null;
  let pushed = false;
  const listeners = new Set<(state: ConnectionState, reason: string | null) => void>();

  function apply(payload: unknown): void {
    const parsed = EngineStateSchema.safeParse(payload);
    if (!parsed.success) return;
    const next = CONNECTION_OF[parsed.data.state];
    if (next === state && parsed.data.reason === reason) return;
    state = next;
    reason = parsed.data.reason;
    for (const listener of listeners) listener(state, reason);
  }

  bridge.subscribe("engine.state", (payload) => {
    pushed = true;
    apply(payload);
  });
  // A push that came first is newer than this answer.
  bridge.invoke("engine.state", {}).then(
    (answer) => pushed || apply(answer),
    (error: unknown) =>
      pushed || apply({ state: "stopped", reason: error instanceof Error ? error.message : String(error) }),
  );

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
      listeners.add(listener);
      listener(state, reason);
      return () => {
        listeners.delete(listener);
      };
    },
  };
}
