/** Serves the built renderer's files, with a strict Content-Security-Policy, never outside its root. */
import { readFile } from "node:fs/promises";
import type { ServerResponse } from "node:http";
import { extname, join, normalize, sep } from "node:path";
import { CONTENT_SECURITY_POLICY } from "../../../shared/content-security-policy.js";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".map": "application/json",
};

export function securityHeaders(res: ServerResponse): void {
  res.setHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY);
  res.setHeader("X-Content-Type-Options", "nosniff");
  res.setHeader("Referrer-Policy", "no-referrer");
  res.setHeader("Cross-Origin-Opener-Policy", "same-origin");
  res.setHeader("X-Frame-Options", "DENY");
}

export async function serveStatic(root: string, urlPath: string, res: ServerResponse): Promise<void> {
  securityHeaders(res);
  let relative: string;
  try {
    relative = decodeURIComponent(urlPath === "/" ? "/index.html" : urlPath);
  } catch {
    res.writeHead(400).end("bad path");
    return;
  }
  const file = normalize(join(root, relative));
  if (!file.startsWith(root + sep)) {
    res.writeHead(403).end("forbidden");
    return;
  }
  try {
    const body = await readFile(file);
    res.writeHead(200, {
      "Content-Type": TYPES[extname(file)] ?? "application/octet-stream",
      "Cache-Control": relative === "/index.html" ? "no-cache" : "max-age=3600",
    });
    res.end(body);
  } catch {
    if (relative === "/index.html") {
      res.writeHead(503, { "Content-Type": "text/plain; charset=utf-8" });
      res.end("mcpscope: the UI is not built; run `npm run build` in the mcpscope folder, then reload.\n");
      return;
    }
    res.writeHead(404, { "Content-Type": "text/plain; charset=utf-8" }).end("not found\n");
  }
}
