/**
 * Ties the navigation store to the window's history: each move the user makes (a view, a server's page, a
 * session) is a history entry with its own fragment (nav-route.ts), so Back and Forward — the browser's,
 * the mouse's side buttons, the app's Go menu — retrace them, and a reload or a link opens the same place.
 * A fragment the app did not push (typed, a link, the main process opening an alert) is followed, then
 * rewritten to the app's own form so that the same link can be opened again.
 */
import { watch } from "vue";
import { parseRoute, routeHash } from "./nav-route.js";
import type { useNavigationStore } from "./stores/navigation.js";

type Navigation = ReturnType<typeof useNavigationStore>;

/** Follows the current fragment and every later one; returns a function that stops. */
export function followHistory(nav: Navigation, win: Window = window): () => void {
  const url = (hash: string) => `${win.location.pathname}${win.location.search}${hash}`;

  function follow(): void {
    nav.go(parseRoute(win.location.hash) ?? { view: "overview" });
    const hash = routeHash(nav);
    if (win.location.hash !== hash) win.history.replaceState(win.history.state, "", url(hash));
  }

  follow();
  const stop = watch(
    () => routeHash(nav),
    (hash) => {
      if (win.location.hash !== hash) win.history.pushState(null, "", url(hash));
    },
  );
  win.addEventListener("popstate", follow);
  win.addEventListener("hashchange", follow);
  return () => {
    stop();
    win.removeEventListener("popstate", follow);
    win.removeEventListener("hashchange", follow);
  };
}
