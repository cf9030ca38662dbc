/**
 * The renderer's security policy (docs/app.md, "The window's security"): it may show only the app's own
 * page (app://mcpscope/, app-protocol.ts), in no frame either, open no windows, get no permission but writing to the clipboard, and
 * runs under a strict Content-Security-Policy. The rules are pure functions; `hardenWebContents` applies
 * them to a webContents.
 */
import type { WebContents } from "electron";
import { CONTENT_SECURITY_POLICY } from "../../shared/content-security-policy.js";

export { CONTENT_SECURITY_POLICY };

/** Response headers with our CSP, replacing any the response had. */
export function withCsp(
  headers: Record<string, string | string[]> | undefined,
): Record<string, string | string[]> {
  const result: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (name.toLowerCase() !== "content-security-policy") result[name] = value;
  }
  result["Content-Security-Policy"] = [CONTENT_SECURITY_POLICY];
  return result;
}

/** Whether `url` is the renderer's own page (any #route or ?query on it); a malformed URL is not. */
export function isRendererUrl(url: string, rendererUrl: string): boolean {
  try {
    const actual = new URL(url);
    const expected = new URL(rendererUrl);
    return (
      actual.protocol === "app:" &&
      expected.protocol === "app:" &&
      actual.host === expected.host &&
      decodeURIComponent(actual.pathname) === decodeURIComponent(expected.pathname)
    );
  } catch {
    return false;
  }
}

/** Whether `origin` (a permission check's requesting origin) is the renderer's own. */
export function isRendererOrigin(origin: string, rendererUrl: string): boolean {
  try {
    const actual = new URL(origin);
    const expected = new URL(rendererUrl);
    return actual.protocol === "app:" && expected.protocol === "app:" && actual.host === expected.host;
  } catch {
    return false;
  }
}

/** Navigation is allowed only to the renderer's own page (a reload); anything else is denied. */
export function isNavigationAllowed(url: string, rendererUrl: string): boolean {
  return isRendererUrl(url, rendererUrl);
}

/** The URL to hand to the OS browser if `url` is a web link (http or https), else null. */
export function externalLinkTarget(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
  } catch {
    return null;
  }
}

/** A setWindowOpenHandler handler: never a new window; web links go to the OS browser. */
export function denyWindowOpen(openExternal: (url: string) => void) {
  return ({ url }: { url: string }): { action: "deny" } => {
    const target = externalLinkTarget(url);
    if (target) openExternal(target);
    return { action: "deny" };
  };
}

/**
 * The one permission the renderer gets: writing text to the clipboard (the Copy buttons use
 * navigator.clipboard.writeText, which Electron asks for as `clipboard-sanitized-write`), for the app's own
 * page only. Camera, notifications, reading the clipboard and every other permission stay denied.
 */
export const GRANTED_PERMISSION = "clipboard-sanitized-write";

/** For session.setPermissionRequestHandler. */
export function permissionRequestHandler(rendererUrl: string) {
  return (
    _contents: unknown,
    permission: string,
    callback: (granted: boolean) => void,
    details?: { requestingUrl?: string },
  ): void => {
    callback(permission === GRANTED_PERMISSION && isRendererUrl(details?.requestingUrl ?? "", rendererUrl));
  };
}

/** For session.setPermissionCheckHandler. */
export function permissionCheckHandler(rendererUrl: string) {
  return (_contents: unknown, permission: string, requestingOrigin: string): boolean =>
    permission === GRANTED_PERMISSION && isRendererOrigin(requestingOrigin, rendererUrl);
}

interface PreventableEvent {
  preventDefault(): void;
  url?: string;
}

/**
 * Applies the navigation and window policy to one webContents (every one the app creates): the main
 * frame and every subframe may only show our page; in a packaged app DevTools close as soon as they open.
 */
export function hardenWebContents(
  contents: WebContents,
  rendererUrl: string,
  openExternal: (url: string) => void,
  options: { packaged: boolean } = { packaged: true },
): void {
  const guard = (event: PreventableEvent, url?: string) => {
    if (!isNavigationAllowed(event.url ?? url ?? "", rendererUrl)) event.preventDefault();
  };
  contents.on("will-navigate", guard);
  contents.on("will-frame-navigate", (event) => guard(event));
  contents.on("will-redirect", guard);
  if (options.packaged) contents.on("devtools-opened", () => contents.closeDevTools());
  contents.on("will-attach-webview", (event) => event.preventDefault());
  contents.setWindowOpenHandler(denyWindowOpen(openExternal));
}
