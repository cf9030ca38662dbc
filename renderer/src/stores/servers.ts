import { defineStore } from "pinia";
import { computed, ref, shallowRef } from "vue";
import type { ServerSummary } from "../../../shared/domain.js";
import { errorMessage, useApi } from "./connection.js";

/** The servers mcpscope has seen traffic from (servers.list). */
export const useServersStore = defineStore("servers", () => {
  const { client } = useApi();
  const servers = shallowRef<ServerSummary[]>([]);
  const loaded = ref(false);
  const error = ref<string | null>(null);
  const names = computed(() => servers.value.map((s) => s.name).sort((a, b) => a.localeCompare(b)));
  /** The servers with calls recorded (what the Calls filter offers): not one whose sessions made none. */
  const calledNames = computed(() =>
    servers.value
      .filter((s) => s.calls > 0)
      .map((s) => s.name)
      .sort((a, b) => a.localeCompare(b)),
  );
  let inFlight: Promise<void> | null = null;

  function refresh(): Promise<void> {
    inFlight ??= (async () => {
      try {
        servers.value = await client.call("servers.list", {});
        error.value = null;
      } catch (e) {
        error.value = errorMessage(e);
      } finally {
        loaded.value = true;
        inFlight = null;
      }
    })();
    return inFlight;
  }

  return { servers, names, calledNames, loaded, error, refresh };
});
