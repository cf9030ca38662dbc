/**
 * Where the app is, as a URL fragment: `#/<view>` with at most one parameter, so that the browser's (and
 * the window's) Back and Forward move between views and pages, a reload stays where it was, and a link can
 * open a server's page. Pure: nav-history.ts ties it to the window.
 *
 *   #/servers?server=<id>    a configured server's page
 *   #/servers?seen=<name>    a server seen only in recorded traffic
 *   #/events?session=<id>    a session's timeline
 *   #/alerts?alert=<id>      one alert (the Electron main process opens this for a clicked notification)
 *
 * Browser mode's token handling may have re-encoded a fragment (`#%2Falerts%3Falert=…`) when it removed
 * `token=` from it, so that form is decoded first.
 */
import type { ViewId } from "./stores/navigation.js";

export const VIEW_IDS: readonly ViewId[] = [
  "overview",
  "servers",
  "tools",
  "calls",
  "logs",
  "events",
  "alerts",
  "reports",
  "storage",
];

/** The parameter each view's route may carry, and the state it names. */
const PARAMS = {
  servers: ["server", "seen"],
  events: ["session"],
  alerts: ["alert"],
} as const satisfies Partial<Record<ViewId, readonly string[]>>;

export interface Route {
  view: ViewId;
  /** A configured server's id (Servers). */
  server?: string;
  /** A server known only from traffic (Servers). */
  seen?: string;
  /** A session's id (Events). */
  session?: string;
  /** An alert to bring into view (Alerts); not kept in the URL once shown. */
  alert?: string;
}

/** The state a route is made from: the navigation store's fields. */
export interface NavState {
  view: ViewId;
  serverId: string | null;
  seenServer: string | null;
  sessionId: string | null;
}

function isView(text: string): text is ViewId {
  return (VIEW_IDS as readonly string[]).includes(text);
}

/** The route a fragment names, or null when it names none (empty, a token, a typo). */
export function parseRoute(hash: string): Route | null {
  let text = hash.replace(/^#/, "");
  if (/^%2F/i.test(text)) {
    try {
      text = decodeURIComponent(text);
    } catch {
      return null;
    }
  }
  const match = /^\/([a-z]+)(?:\?(.*))?$/.exec(text);
  if (!match?.[1] || !isView(match[1])) return null;
  const view = match[1];
  const route: Route = { view };
  const query = new URLSearchParams(match[2] ?? "");
  const allowed: readonly string[] = view in PARAMS ? PARAMS[view as keyof typeof PARAMS] : [];
  for (const key of allowed) {
    const value = query.get(key);
    if (value) {
      route[key as "server" | "seen" | "session" | "alert"] = value;
      break;
    }
  }
  return route;
}

/** The fragment of the state the navigation store is in (an alert being shown is not kept). */
export function routeHash(state: NavState): string {
  const param = (key: string, value: string) => `?${key}=${encodeURIComponent(value)}`;
  let query = "";
  if (state.view === "servers" && state.serverId) query = param("server", state.serverId);
  else if (state.view === "servers" && state.seenServer) query = param("seen", state.seenServer);
  else if (state.view === "events" && state.sessionId) query = param("session", state.sessionId);
  return `#/${state.view}${query}`;
}
