/**
 * The data dir's audit key: call records keep an HMAC-SHA-256 of their arguments under it, not a bare
 * SHA-256. Tool arguments are small and structured (`{"pin": "4821"}`), so an unkeyed digest lets anyone
 * holding an export or a backup confirm a guessed password offline; without the key a digest says
 * nothing. The key lives in its own owner-only file (`<data dir>/audit-key`), never in the database, so
 * exports and backups do not carry it; an auditor checks arguments on this machine (`mcpscope audit digest`).
 */
import { createHmac, randomBytes } from "node:crypto";
import { linkSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { ensurePrivateDir, writePrivateFileSync } from "../store/private-files.js";
import { canonicalJson } from "./audit-record.js";

export const AUDIT_KEY_FILE = "audit-key";

const KEY_FORM = /^[0-9a-f]{64}$/;

export function auditKeyFile(dataDir: string): string {
  return join(dataDir, AUDIT_KEY_FILE);
}

/** The kept key, or null when there is none (or the file does not hold one). */
export function readAuditKey(dataDir: string): Buffer | null {
  try {
    const text = readFileSync(auditKeyFile(dataDir), "utf8").trim();
    return KEY_FORM.test(text) ? Buffer.from(text, "hex") : null;
  } catch {
    return null;
  }
}

const kept = new Map<string, Buffer>();

/**
 * The data dir's key, made on first use. Wrappers start concurrently: the new key is written whole to a
 * temp file and linked into place, which fails if another process linked its key first; then that one is
 * read, so every writer of a data dir uses one key. Throws when the data dir cannot be written.
 */
export function auditKey(dataDir: string): Buffer {
  const cached = kept.get(dataDir);
  if (cached) return cached;
  let key = readAuditKey(dataDir);
  if (!key) {
    ensurePrivateDir(dataDir);
    const file = auditKeyFile(dataDir);
    const temp = join(dataDir, `.${AUDIT_KEY_FILE}.${process.pid}.tmp`);
    const made = randomBytes(32);
    writePrivateFileSync(temp, `${made.toString("hex")}\n`);
    try {
      linkSync(temp, file);
      key = made;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      key = readAuditKey(dataDir);
      if (!key) throw new Error(`${file} does not hold an audit key`);
    } finally {
      rmSync(temp, { force: true });
    }
  }
  kept.set(dataDir, key);
  return key;
}

/** The keyed digest (hex) of a call's arguments: HMAC-SHA-256 of their canonical JSON. */
export function keyedArgumentsDigest(key: Buffer, args: unknown): string {
  return createHmac("sha256", key).update(canonicalJson(args)).digest("hex");
}
