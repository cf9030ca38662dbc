/**
 * A remote entry instrumented by mcpscope is "in place" while its URL is the one mcpscope wrote: the
 * proxy's URL recorded for that entry. A client that rewrites the URL (back to the server's own, or to
 * anything else) has dropped the proxy, and its calls are no longer recorded.
 */
import { maskText } from "../discovery/mask-config.js";
import { isRecord } from "../instrument/entry-shape.js";
import { proxiedUrl, type RemoteProxy, sameProxyEntry } from "./remote-proxies.js";

/** Where clients keep a remote entry's URL. */
export const URL_KEYS = ["url", "serverUrl", "httpUrl", "uri"] as const;

/** The key holding an entry object's URL, or undefined when it has none. */
export function urlKey(entry: unknown): (typeof URL_KEYS)[number] | undefined {
  return isRecord(entry) ? URL_KEYS.find((k) => typeof entry[k] === "string") : undefined;
}

/** The proxy recorded for the entry at `location`, if any (whether or not the entry still uses it). */
export function recordedProxy(
  proxies: readonly RemoteProxy[],
  location: { file: string; path: RemoteProxy["path"] },
): RemoteProxy | undefined {
  return proxies.find((p) => sameProxyEntry(p, location));
}

/** The entry object (as parsed from its file) still points at its recorded proxy. */
export function entryUsesProxy(entry: unknown, proxy: RemoteProxy): boolean {
  const key = urlKey(entry);
  return (
    key !== undefined && (entry as Record<string, unknown>)[key] === proxiedUrl(proxy.upstream, proxy.port)
  );
}

/** Same question for a discovered URL, which is shown masked: masking is deterministic, so compare masked. */
export function maskedUrlUsesProxy(maskedUrl: string | null, proxy: RemoteProxy): boolean {
  return maskedUrl !== null && maskedUrl === maskText(proxiedUrl(proxy.upstream, proxy.port));
}
