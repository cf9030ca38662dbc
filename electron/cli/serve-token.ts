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

/** The token the file holds, or why it holds none (words that follow the file's name). */
function readToken(file: string): { token: string } | { problem: string; missing?: boolean } {
  let text: string;
  try {
    text = readFileSync(file, "utf8").trim();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return { problem: "was removed", missing: true };
    return { problem: `cannot be read (${code ?? (error as Error).message})` };
  }
  return TOKEN_FORM.test(text) ? { token: text } : { problem: text ? "holds no token" : "is empty" };
}

/** The file's inode, size and mtime, or "" when it cannot be looked at. */
function stampOf(file: string): string {
  try {
    const s = statSync(file, { bigint: true });
    return `${s.ino}:${s.size}:${s.mtimeNs}`;
  } catch {
    return "";
  }
}

/**
 * Makes the file hold a token: a new one when `renew` (`--new-token`), or when it holds none yet. Called once
 * the serve listens, so a start that fails (port in use) leaves the file, and the token every running serve
 * accepts, as they were. A first token is written only where no other start wrote one meanwhile, so two
 * serves starting together on a new data dir keep the same one.
 */
export function keepServeToken(dataDir: string, renew = false): void {
  const file = serveTokenFile(dataDir);
  const kept = renew ? null : readToken(file);
  if (kept && "token" in kept) return;
  const token = `${randomBytes(24).toString("base64url")}\n`;
  ensurePrivateDir(dataDir);
  // A file holding something else (empty, cut off, unreadable) is replaced; one that is not there is made.
  const replace = renew || !(kept && "missing" in kept && kept.missing);
  writePrivateFileSync(file, token, { replace });
}

/**
 * The token the file holds now, for each request: re-read only when the file's inode, size or mtime
 * changed (one stat per request). The stamp is taken before the read, so a change made while it reads is
 * seen at the next request, also one made before this serve first looked. A file removed, unreadable or
 * not holding a token accepts none, as the token this serve printed is no longer the one kept; `lost`
 * is told why, once per change of the file.
 */
export function followServeToken(dataDir: string, lost?: (why: string) => void): () => string {
  const file = serveTokenFile(dataDir);
  let seen: string | null = null;
  let current = "";
  return () => {
    const now = stampOf(file);
    if (now === seen) return current;
    seen = now;
    const read = now ? readToken(file) : { problem: "was removed" };
    current = "token" in read ? read.token : "";
    if (!("token" in read)) lost?.(`${file} ${read.problem}`);
    return current;
  };
}
