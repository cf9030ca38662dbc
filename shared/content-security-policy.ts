/**
 * The renderer's Content-Security-Policy, one policy for every way the page is served: the Electron
 * app:// protocol and its response headers (electron/main), browser mode's static files
 * (electron/monitor/api/static-files.ts), and the <meta> in the built index.html (renderer/vite.config.ts).
 * No 'unsafe-inline', no 'unsafe-eval'.
 */
const DIRECTIVES = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
];

/** The header: the page's policy plus frame-ancestors, which only a header can set. */
export const CONTENT_SECURITY_POLICY = [...DIRECTIVES, "frame-ancestors 'none'"].join("; ");

/** The same policy as a <meta> can carry it (browsers ignore frame-ancestors there). */
export const META_CONTENT_SECURITY_POLICY = DIRECTIVES.join("; ");
