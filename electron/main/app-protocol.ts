/**
 * The renderer is served from `app://mcpscope/`, a privileged custom scheme, rather than file://: the page
 * gets a real origin of its own, and file:// needs none of the extra privileges that ES modules over
 * file:// would (the grantFileProtocolExtraPrivileges fuse is off, electron-builder.yml). The handler
 * maps a URL to a file under the renderer's folder and nothing else: no other host, no path that leaves
 * the folder, however it is encoded.
 */
import { isAbsolute, join, normalize, relative, sep } from "node:path";
import { pathToFileURL } from "node:url";
import type { CustomScheme } from "electron";
import { withCsp } from "./window-security.js";

export const APP_SCHEME = "app";
export const APP_HOST = "mcpscope";
/** The renderer's page; routes ride on its fragment (renderer-routes.ts). */
export const RENDERER_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

/**
 * For protocol.registerSchemesAsPrivileged, before the app is ready: standard (relative URLs, an origin)
 * and secure (a secure context, as https). Nothing more: no CSP bypass, no CORS, no service workers.
 */
export const APP_SCHEME_PRIVILEGES: CustomScheme = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true },
};

/** The file under `root` that `url` names, or null when it is another scheme or host, or leaves `root`. */
export function appRequestPath(url: string, root: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST) return null;
  let path: string;
  try {
    path = decodeURIComponent(parsed.pathname);
  } catch {
    return null;
  }
  if (path === "/" || path === "") path = "/index.html";
  // Encoded separators, dot segments and NULs are refused outright, not resolved.
  if (path.includes("\0") || path.includes("\\") || path.split("/").some((s) => s === ".." || s === "."))
    return null;
  const file = normalize(join(root, path));
  const inside = relative(root, file);
  if (inside === "" || inside.startsWith("..") || isAbsolute(inside) || inside.split(sep).includes(".."))
    return null;
  return file;
}

/**
 * A protocol.handle handler for APP_SCHEME. `fetchFile` is Electron's net.fetch (it reads inside the
 * asar and sets the MIME type); the response carries the app's Content-Security-Policy.
 */
export function appProtocolHandler(root: string, fetchFile: (fileUrl: string) => Promise<Response>) {
  return async (request: { url: string; method?: string }): Promise<Response> => {
    if (request.method && request.method !== "GET" && request.method !== "HEAD")
      return new Response("method not allowed", { status: 405 });
    const file = appRequestPath(request.url, root);
    if (!file) return new Response("not found", { status: 404 });
    let response: Response;
    try {
      response = await fetchFile(pathToFileURL(file).href);
    } catch {
      return new Response("not found", { status: 404 });
    }
    const headers: Record<string, string | string[]> = {};
    response.headers.forEach((value, name) => {
      headers[name] = value;
    });
    const secured = new Headers();
    for (const [name, value] of Object.entries(withCsp(headers)))
      secured.set(name, Array.isArray(value) ? value.join(", ") : value);
    secured.set("X-Content-Type-Options", "nosniff");
    return new Response(response.body, { status: response.status, headers: secured });
  };
}
