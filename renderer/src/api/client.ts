import type { InjectionKey } from "vue";
import { type ApiClient, createApiClient } from "../../../shared/api.js";
import { createHttpTransport } from "./http-transport.js";
import { createIpcTransport } from "./ipc-transport.js";
import { followTokenLinks, takeToken } from "./token.js";
import type { RendererTransport } from "./transport.js";

/** The typed client and the transport under it (for its connection state). */
export interface RendererApi {
  client: ApiClient;
  transport: RendererTransport;
}

export const API_KEY: InjectionKey<RendererApi> = Symbol("mcpscope api");

function sessionStorageOrNull(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

/** IPC when the Electron preload is there, otherwise browser mode over HTTP + WebSocket. */
export function connectApi(): RendererApi {
  if (window.mcpscope) {
    const transport = createIpcTransport(window.mcpscope);
    return { client: createApiClient(transport), transport };
  }
  followTokenLinks(window, sessionStorageOrNull());
  const transport = createHttpTransport({
    origin: window.location.origin,
    token: takeToken(window.location, window.history, sessionStorageOrNull()),
  });
  return { client: createApiClient(transport), transport };
}
