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
