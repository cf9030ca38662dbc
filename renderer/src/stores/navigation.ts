import { defineStore } from "pinia";
import { ref } from "vue";
import type { Route } from "../nav-route.js";

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
 * Which view is showing, which server's detail (within the Servers view: a configured one by id, or one
 * seen only in recorded traffic by name) is open, which session's timeline (within the Events view) is
 * open, and which alert the Alerts view is asked to open.
 */
export const useNavigationStore = defineStore("navigation", () => {
  const view = ref<ViewId>("overview");
  const serverId = ref<string | null>(null);
  const seenServer = ref<string | null>(null);
  const sessionId = ref<string | null>(null);
  /** An alert to bring into view (from a notification or a link); the Alerts view clears it once shown. */
  const alertId = ref<string | null>(null);

  /** Shows a view; choosing Servers (or Events) again while a server (or a session) is open goes back to the list. */
  function show(next: ViewId): void {
    if (next === "servers" && view.value === "servers") closeServer();
    if (next === "events" && view.value === "events") sessionId.value = null;
    view.value = next;
  }

  function openServer(id: string): void {
    serverId.value = id;
    seenServer.value = null;
    view.value = "servers";
  }

  /** Opens the detail of a server known only from recorded traffic (no client config names it). */
  function openSeenServer(name: string): void {
    seenServer.value = name;
    serverId.value = null;
    view.value = "servers";
  }

  function closeServer(): void {
    serverId.value = null;
    seenServer.value = null;
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

  /** Goes where a route says (nav-route.ts), as the window's history or a link asks. */
  function go(route: Route): void {
    if (route.view === "servers") {
      if (route.server) openServer(route.server);
      else if (route.seen) openSeenServer(route.seen);
      else closeServer();
    } else if (route.view === "events") {
      sessionId.value = route.session ?? null;
    } else if (route.view === "alerts" && route.alert) {
      // Without an id the route keeps the alert asked for (the view clears it once shown).
      alertId.value = route.alert;
    }
    view.value = route.view;
  }

  return {
    view,
    serverId,
    seenServer,
    sessionId,
    alertId,
    show,
    openServer,
    openSeenServer,
    closeServer,
    openSession,
    closeSession,
    openAlert,
    go,
  };
});
