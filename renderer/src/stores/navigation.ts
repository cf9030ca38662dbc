import { defineStore } from "pinia";
import { ref } from "vue";

export type ViewId =
  | "overview"
  | "servers"
  | "tools"
  | "calls"
  | "logs"
  | "events"
  | "alerts"
  | "reports"
  | "storage";

/**
 * Which view is showing, which server's detail (within the Servers view) is open, which session's
 * timeline (within the Events view) is open, and which alert the Alerts view is asked to open.
 */
export const useNavigationStore = defineStore("navigation", () => {
  const view = ref<ViewId>("overview");
  const serverId = ref<string | null>(null);
  const sessionId = ref<string | null>(null);
  /** An alert to bring into view (from a notification or a link); the Alerts view clears it once shown. */
  const alertId = ref<string | null>(null);

  /** Shows a view; choosing Servers (or Events) again while a server (or a session) is open goes back to the list. */
  function show(next: ViewId): void {
    if (next === "servers" && view.value === "servers") serverId.value = null;
    if (next === "events" && view.value === "events") sessionId.value = null;
    view.value = next;
  }

  function openServer(id: string): void {
    serverId.value = id;
    view.value = "servers";
  }

  function closeServer(): void {
    serverId.value = null;
  }

  /** Opens a session's timeline (calls, logs and events interleaved) in the Events view. */
  function openSession(id: string): void {
    sessionId.value = id;
    view.value = "events";
  }

  function closeSession(): void {
    sessionId.value = null;
  }

  /** Opens the Alerts view on one alert (or on the list, for null). */
  function openAlert(id: string | null): void {
    alertId.value = id;
    view.value = "alerts";
  }

  return {
    view,
    serverId,
    sessionId,
    alertId,
    show,
    openServer,
    closeServer,
    openSession,
    closeSession,
    openAlert,
  };
});
