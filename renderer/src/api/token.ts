import { TOKEN_FRAGMENT_KEY } from "../../../shared/http.js";

const STORAGE_KEY = "mcpscope.token";

/**
 * Browser mode's access token. `mcpscope serve` prints a link ending in `#token=…`; the token is taken
 * from the fragment, kept in sessionStorage (so a reload still works) and removed from the visible URL
 * so that it does not end up in screenshots, bookmarks or shared links.
 */
export function takeToken(location: Location, history: History, storage: Storage | null): string | null {
  const params = new URLSearchParams(location.hash.replace(/^#/, ""));
  const fromFragment = params.get(TOKEN_FRAGMENT_KEY);
  if (fromFragment) {
    try {
      storage?.setItem(STORAGE_KEY, fromFragment);
    } catch {
      // Storage may be disabled; the token still works for this page load.
    }
    params.delete(TOKEN_FRAGMENT_KEY);
    const rest = params.toString();
    history.replaceState(
      history.state,
      "",
      `${location.pathname}${location.search}${rest ? `#${rest}` : ""}`,
    );
    return fromFragment;
  }
  try {
    return storage?.getItem(STORAGE_KEY) ?? null;
  } catch {
    return null;
  }
}

/**
 * Takes a token pasted into a tab that is already open (the printed link into a tab that had none, or a
 * stale one): only the fragment changed, so the browser does not load the page again and `takeToken`
 * would never see it. The token is kept and the page loaded afresh, so every connection uses it. Call
 * before anything else listens to `popstate` or `hashchange`: the route handlers never see the token.
 */
export function followTokenLinks(win: Window, storage: Storage | null): void {
  const take = (event: Event) => {
    if (!new URLSearchParams(win.location.hash.replace(/^#/, "")).has(TOKEN_FRAGMENT_KEY)) return;
    event.stopImmediatePropagation();
    takeToken(win.location, win.history, storage);
    // Reloading from inside the navigation's own event can be dropped by the browser: after it.
    setTimeout(() => win.location.reload(), 0);
  };
  // A fragment navigation fires popstate, then hashchange.
  win.addEventListener("popstate", take);
  win.addEventListener("hashchange", take);
}
