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
    const hash = routeHash(nav);
    if (win.location.hash === hash) return;
    // A link to where the app already was (a notification's alert while the Alerts view shows) added an
    // entry that would be the same place twice: step back over it instead.
    const was = before === null ? null : parseRoute(before);
    if (was && routeHash(stateOf(was)) === hash) win.history.back();
    else win.history.replaceState(win.history.state, "", url(hash));
  }
  const onHashChange = (event: HashChangeEvent) => follow(new URL(event.oldURL).hash);

  follow(null);
  const stop = watch(
    () => routeHash(nav),
    (hash) => {
      if (win.location.hash !== hash) win.history.pushState(null, "", url(hash));
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
