/**
 * Ties the navigation store to the window's history: each move the user makes (a view, a server's page, a
 * session) is a history entry with its own fragment (nav-route.ts), so Back and Forward — the browser's,
 * the mouse's side buttons, the app's Go menu — retrace them, and a reload or a link opens the same place.
 * A fragment the app did not push (typed, a link, the main process opening an alert) is followed, then
 * rewritten to the app's own form so that the same link can be opened again.
 */
import { watch } from "vue";
import { type NavState, parseRoute, type Route, routeHash } from "./nav-route.js";
import type { useNavigationStore } from "./stores/navigation.js";

type Navigation = ReturnType<typeof useNavigationStore>;

/** The navigation state a route names. */
function stateOf(route: Route): NavState {
  return {
    view: route.view,
    serverId: route.server ?? null,
    seenServer: route.seen ?? null,
    sessionId: route.session ?? null,
  };
}

/** The history state of an entry the app stepped back over (a second copy of the place before it). */
const STEPPED = "mcpscopeStepped";
const isStepped = (state: unknown) =>
  typeof state === "object" && state !== null && (state as Record<string, unknown>)[STEPPED] === true;

/** Follows the current fragment and every later one; returns a function that stops. */
export function followHistory(nav: Navigation, win: Window = window): () => void {
  const url = (hash: string) => `${win.location.pathname}${win.location.search}${hash}`;

  /** Back or Forward (and the first half of a fragment change, which `hashchange` then finishes). */
  function apply(): void {
    nav.go(parseRoute(win.location.hash) ?? { view: "overview" });
  }

  /** A fragment the app did not push: followed, then written in the app's own form. */
  function follow(before: string | null): void {
    apply();
    // An entry stepped back over once, now reached again by Forward: where it leads is all there is to do.
    if (isStepped(win.history.state)) return;
    const hash = routeHash(nav);
    if (win.location.hash === hash) return;
    // A link to where the app already was (a notification's alert while the Alerts view shows) added an
    // entry that would be the same place twice: step back over it instead, marking it first so that
    // Forward into it later does not step back again.
    const was = before === null ? null : parseRoute(before);
    if (was && routeHash(stateOf(was)) === hash) {
      win.history.replaceState({ [STEPPED]: true }, "");
      win.history.back();
    } else win.history.replaceState(win.history.state, "", url(hash));
  }
  const onHashChange = (event: HashChangeEvent) => follow(new URL(event.oldURL).hash);

  follow(null);
  const stop = watch(
    () => routeHash(nav),
    (hash) => {
      // The address may name this place in another form (an entry stepped over, kept as its link).
      const here = parseRoute(win.location.hash);
      if (here && routeHash(stateOf(here)) === hash) return;
      win.history.pushState(null, "", url(hash));
    },
  );
  win.addEventListener("popstate", apply);
  win.addEventListener("hashchange", onHashChange);
  return () => {
    stop();
    win.removeEventListener("popstate", apply);
    win.removeEventListener("hashchange", onHashChange);
  };
}
