/**
 * The data dir's audit key: call records keep an HMAC-SHA-256 of their arguments under it, not a bare
 * SHA-256. Tool arguments are small and structured (`{"pin": "4821"}`), so an unkeyed digest lets anyone
 * holding an export or a backup confirm a guessed password offline; without the key a digest says
 * nothing. The key lives in its own owner-only file (`<data dir>/audit-key`), never in the database, so
 * exports and backups do not carry it; an auditor checks arguments on this machine (`mcpscope audit digest`).
 *
 * A keyed digest starts with the key's id (4 bytes, itself an HMAC under the key, so it tells nothing
 * about it): a record made under a key this data dir no longer holds — removed, or restored onto another
 * machine — then reads "cannot be checked here", never "does not match".
 */
import { randomBytes } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { AUDIT_KEY_ID_HEX, digestKeyId } from "../../../shared/audit-digest.js";
import { AUDIT_KEY_FILE } from "../paths.js";
import { ensurePrivateDir, writePrivateFileSync } from "../store/private-files.js";
import { canonicalJson } from "./audit-record.js";
import { HmacSha256 } from "./hmac-sha256.js";

export { AUDIT_KEY_FILE };

const KEY_FORM = /^[0-9a-f]{64}$/;

export interface AuditKey {
  /** HMAC-SHA-256 under the key, its padded blocks made once: every audited call takes a digest. */
  mac: HmacSha256;
  /** 8 hex digits naming the key in the digests made under it. */
  id: string;
}

export function auditKeyFile(dataDir: string): string {
  return join(dataDir, AUDIT_KEY_FILE);
}

/**
 * The key `text` spells (64 hex digits). Its bytes go into a buffer of their own, cleared once the HMAC's
 * blocks are made from them (`Buffer.from(text, "hex")` would leave them in the shared allocation pool).
 */
function keyOf(text: string): AuditKey {
  const raw = Buffer.alloc(text.length / 2);
  raw.write(text, "hex");
  const mac = new HmacSha256(raw);
  raw.fill(0);
  return { mac, id: mac.hex("mcpscope audit key id").slice(0, AUDIT_KEY_ID_HEX) };
}

/** The kept key, or null when there is none (or the file does not hold one). */
export function readAuditKey(dataDir: string): AuditKey | null {
  try {
    const text = readFileSync(auditKeyFile(dataDir), "utf8").trim();
    return KEY_FORM.test(text) ? keyOf(text) : null;
  } catch {
    return null;
  }
}

/** The key read last per data dir, with the file's identity then: a replaced or removed file is read again. */
const kept = new Map<string, { key: AuditKey; stamp: string }>();

function stampOf(file: string): string | null {
  try {
    const stat = statSync(file, { bigint: true });
    return `${stat.dev}:${stat.ino}:${stat.mtimeNs}:${stat.size}`;
  } catch {
    return null;
  }
}

/**
 * The data dir's key, made on first use. Wrappers (and the engine's proxy threads) start concurrently: a
 * new key is put in place only where no file is, and what the file then holds is used, so every writer of
 * a data dir uses one key. Wrappers live as long as their client's session: the file is looked at on
 * every use, so a removed or replaced key is followed at once. Throws when the data dir cannot be written.
 */
export function auditKey(dataDir: string): AuditKey {
  const file = auditKeyFile(dataDir);
  let stamp = stampOf(file);
  const cached = kept.get(dataDir);
  if (cached && stamp !== null && cached.stamp === stamp) return cached.key;
  let key = stamp === null ? null : readAuditKey(dataDir);
  if (!key) {
    ensurePrivateDir(dataDir);
    writePrivateFileSync(file, `${randomBytes(32).toString("hex")}\n`, { replace: false });
    key = readAuditKey(dataDir);
    if (!key) throw new Error(`${file} does not hold an audit key`);
    stamp = stampOf(file);
  }
  if (stamp !== null) kept.set(dataDir, { key, stamp });
  return key;
}

/**
 * Since when the key file has been in place (its status-change time, ms), or null when there is none. A
 * replaced or copied-in file is new by it even when its modification time was kept (`cp -p`): a digest
 * that names no key and is older than this was not made under this file's key.
 */
export function auditKeyInPlaceSince(dataDir: string): number | null {
  try {
    return statSync(auditKeyFile(dataDir)).ctimeMs;
  } catch {
    return null;
  }
}

/** The key of the data dir a database is kept in (`<data dir>/mcpscope.db`). */
export function auditKeyOfDatabase(databasePath: string): AuditKey {
  return auditKey(dirname(databasePath));
}

export { digestKeyId };

/** A keyed digest (hex) of `text`: the key's id, then HMAC-SHA-256 under the key. */
export function keyedDigest(key: AuditKey, text: string): string {
  return key.id + key.mac.hex(text);
}

/** The keyed digest of a call's arguments: of their canonical JSON. */
export function keyedArgumentsDigest(key: AuditKey, args: unknown): string {
  return keyedDigest(key, canonicalJson(args));
}

/**
 * Whether `digest` is the keyed digest of `text` under `key`: with its key id, or without one as digests
 * were written before they named their key.
 */
export function keyedDigestMatches(key: AuditKey, text: string, digest: string): boolean {
  const made = keyedDigest(key, text);
  return digestKeyId(digest) === null ? made.slice(AUDIT_KEY_ID_HEX) === digest : made === digest;
}
