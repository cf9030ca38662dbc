import { defineStore } from "pinia";
import { ref } from "vue";

export type ViewId = "overview" | "servers" | "tools" | "calls" | "logs";

/** Which view is showing, and which server's detail (within the Servers view) is open. */
export const useNavigationStore = defineStore("navigation", () => {
  const view = ref<ViewId>("overview");
  const serverId = ref<string | null>(null);

  /** Shows a view; choosing Servers again while a server is open goes back to the list. */
  function show(next: ViewId): void {
    if (next === "servers" && view.value === "servers") serverId.value = null;
    view.value = next;
  }

  function openServer(id: string): void {
    serverId.value = id;
    view.value = "servers";
  }

  function closeServer(): void {
    serverId.value = null;
  }

  return { view, serverId, show, openServer, closeServer };
});
