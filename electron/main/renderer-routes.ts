/**
 * Where the main process sends the renderer: a hash route on the renderer's own page
 * (app://mcpscope/index.html). A new window loads `<page>#<route>`; an open window is sent there too,
 * which Chromium treats as a same-document navigation (a `hashchange`, no reload). The renderer follows the
 * route on start and on `hashchange`, then rewrites it to its own form (without the alert's id), so the
 * same route can be sent again. The security policy (window-security.ts) allows the page with any hash.
 */

/** `/alerts`, or `/alerts?alert=<id>` for one alert (the id percent-encoded, as encodeURIComponent does). */
export function alertsRoute(alertId?: string): string {
  return alertId === undefined ? "/alerts" : `/alerts?alert=${encodeURIComponent(alertId)}`;
}

/** The renderer's page URL with a route as its fragment. */
export function routeUrl(rendererUrl: string, route: string): string {
  const url = new URL(rendererUrl);
  url.hash = route;
  return url.href;
}
