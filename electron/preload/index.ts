/**
 * The sandboxed preload: exposes exactly the typed API as `window.mcpscope` — an ApiTransport with
 * `invoke` and `subscribe` — and nothing else (never `ipcRenderer`). Names are checked here; the main
 * process checks the sender and validates every input again.
 */
import { contextBridge, type IpcRendererEvent, ipcRenderer } from "electron";
import {
  type ApiTransport,
  IPC_EVENT_CHANNEL,
  IPC_INVOKE_CHANNEL,
  isEventName,
  isMethodName,
} from "../../shared/api.js";
import { IpcCallError, unwrapReply } from "./ipc-reply.js";

type Listener = (payload: unknown) => void;

const listeners = new Map<string, Set<Listener>>();
let listening = false;

function onEventFrame(_event: IpcRendererEvent, frame: unknown): void {
  if (typeof frame !== "object" || frame === null) return;
  const { event, payload } = frame as { event?: unknown; payload?: unknown };
  if (typeof event !== "string") return;
  for (const listener of [...(listeners.get(event) ?? [])]) {
    try {
      listener(payload);
    } catch (error) {
      console.error(`mcpscope: a listener for ${event} failed:`, error);
    }
  }
}

const api: ApiTransport = {
  async invoke(method, input) {
    if (typeof method !== "string" || !isMethodName(method)) {
      throw new IpcCallError(`unknown mcpscope method: ${String(method).slice(0, 80)}`, "input");
    }
    return unwrapReply(await ipcRenderer.invoke(IPC_INVOKE_CHANNEL, method, input));
  },

  subscribe(event, listener) {
    if (typeof event !== "string" || !isEventName(event)) {
      throw new IpcCallError(`unknown mcpscope event: ${String(event).slice(0, 80)}`, "input");
    }
    if (typeof listener !== "function")
      throw new IpcCallError("subscribe needs a listener function", "input");
    if (!listening) {
      ipcRenderer.on(IPC_EVENT_CHANNEL, onEventFrame);
      listening = true;
    }
    let set = listeners.get(event);
    if (!set) {
      set = new Set();
      listeners.set(event, set);
    }
    const entry: Listener = (payload) => listener(payload);
    set.add(entry);
    return () => {
      set.delete(entry);
    };
  },
};

contextBridge.exposeInMainWorld("mcpscope", api);
