/**
 * How a keyed digest is spelled, readable without the schema library: the wrapper's observer thread makes
 * digests and loads no schemas.
 */
/** Hex digits of the key id a keyed digest starts with (electron/monitor/audit/audit-key.ts). */
export const AUDIT_KEY_ID_HEX = 8;
/** A keyed digest: the key id, then an HMAC-SHA-256. */
const KEYED_DIGEST = /^[0-9a-f]{72}$/;

/** The id of the key a keyed digest was made under; null for a digest that names none (an older one). */
export function digestKeyId(digest: string): string | null {
  return KEYED_DIGEST.test(digest) ? digest.slice(0, AUDIT_KEY_ID_HEX) : null;
}

/** The first 12 hex digits that tell two digests apart (after the key id, which digests share). */
export function shortDigest(digest: string): string {
  return digest.slice(digestKeyId(digest) === null ? 0 : AUDIT_KEY_ID_HEX).slice(0, 12);
}
