/**
 * The browser-mode token, kept in `<dataDir>/serve-token` so the printed URL stays valid across restarts.
 * The file is the one source of truth: a serve accepts the token the file holds now, so `--new-token` in
 * another serve (or a new file) revokes the old token in every serve on that data dir, not only the new one.
 */
import { randomBytes } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { ensurePrivateDir, writePrivateFileSync } from "../monitor/store/private-files.js";

const TOKEN_FORM = /^[A-Za-z0-9_-]{32,}$/;

export function serveTokenFile(dataDir: string): string {
  return join(dataDir, "serve-token");
}

function readToken(file: string): string | null {
  try {
    const token = readFileSync(file, "utf8").trim();
    return TOKEN_FORM.test(token) ? token : null;
  } catch {
    return null;
  }
}

/**
 * The kept token, or a new one (`renew`, or none kept yet). `keep()` writes a new one to the file: called
 * once the serve listens, so a start that fails (port in use) leaves the file, and the token every
 * running serve accepts, as they were.
 */
export function serveToken(dataDir: string, renew = false): { token: string; keep: () => void } {
  const kept = renew ? null : readToken(serveTokenFile(dataDir));
  if (kept) return { token: kept, keep: () => {} };
  const token = randomBytes(24).toString("base64url");
  return {
    token,
    keep: () => {
      ensurePrivateDir(dataDir);
      writePrivateFileSync(serveTokenFile(dataDir), `${token}\n`);
    },
  };
}

/**
 * The token the file holds now, for each request: re-read only when the file's inode, size or mtime
 * changed (one stat per request). A file removed or not holding a token accepts none, as the token
 * this serve printed is no longer the one kept.
 */
export function followServeToken(dataDir: string, token: string): () => string {
  const file = serveTokenFile(dataDir);
  const stamp = (): string => {
    try {
      const s = statSync(file, { bigint: true });
      return `${s.ino}:${s.size}:${s.mtimeNs}`;
    } catch {
      return "";
    }
  };
  let seen = stamp();
  let current = token;
  return () => {
    const now = stamp();
    if (now !== seen) {
      seen = now;
      current = (now && readToken(file)) || "";
    }
    return current;
  };
}
