import { defineStore } from "pinia";
import { computed, inject, ref, shallowRef } from "vue";
import type { SystemInfo } from "../../../shared/domain.js";
import { API_KEY, type RendererApi } from "../api/client.js";
import { onLinkBack, showsFigures } from "../api/connection-rules.js";
import type { ConnectionState } from "../api/transport.js";
import { errorMessage } from "../error-message.js";

const INFO_REFRESH_MS = 15_000;

export { errorMessage };

/** The API as the stores see it; provided once by main.ts. */
export function useApi(): RendererApi {
  const api = inject(API_KEY);
  if (!api) throw new Error("mcpscope: the API client was not provided to the app");
  return api;
}

/** The link to the engine and the engine's own health (system.info). */
export const useConnectionStore = defineStore("connection", () => {
  const { client, transport } = useApi();
  const state = ref<ConnectionState>("connecting");
  /** Why the engine is away (desktop app: how it ended, or why it stays down); null while all is well. */
  const reason = ref<string | null>(null);
  const info = shallowRef<SystemInfo | null>(null);
  const infoError = ref<string | null>(null);
  const reconnectListeners = new Set<() => void>();
  let started = false;

  async function refreshInfo(): Promise<void> {
    try {
      info.value = await client.call("system.info", {});
      infoError.value = null;
    } catch (error) {
      infoError.value = errorMessage(error);
    }
  }

  /** Runs `listener` each time the live link comes back after a drop (events may have been missed). */
  function onReconnect(listener: () => void): () => void {
    reconnectListeners.add(listener);
    return () => reconnectListeners.delete(listener);
  }

  function start(): void {
    if (started) return;
    started = true;
    const follow = onLinkBack(() => {
      void refreshInfo();
      for (const listener of reconnectListeners) listener();
    });
    transport.onConnectionChange((next, why) => {
      state.value = next;
      reason.value = why;
      follow(next);
    });
    void refreshInfo();
    setInterval(() => void refreshInfo(), INFO_REFRESH_MS);
  }

  const figures = computed(() => showsFigures(transport.kind, state.value));

  return { kind: transport.kind, state, reason, figures, info, infoError, start, refreshInfo, onReconnect };
});
