/**
 * UTF-8 encoding into one reused buffer, for the observer's per-payload work (capping, compressing). A
 * masked capture holds `…`, so its string is two-byte, and `Buffer.from` encodes those several times
 * slower than `encodeInto` does.
 */
const encoder = new TextEncoder();
/** Texts up to this many characters are encoded into the reused buffer (3 bytes a character at most). */
const SCRATCH_CHARS = 1024 * 1024;
let scratch = new Uint8Array(0);

/** The UTF-8 bytes of `text`, valid until the next call here (a reused buffer). */
export function utf8View(text: string): Uint8Array {
  if (text.length > SCRATCH_CHARS) return Buffer.from(text, "utf8");
  const { written } = encoder.encodeInto(text, scratchOf(text.length * 3));
  return scratch.subarray(0, written);
}

/**
 * How much of `text` fits in `limitBytes` of UTF-8 without splitting a character: `read` characters,
 * `written` bytes.
 */
export function utf8Prefix(text: string, limitBytes: number): { read: number; written: number } {
  return encoder.encodeInto(text, scratchOf(limitBytes).subarray(0, limitBytes));
}

function scratchOf(bytes: number): Uint8Array {
  if (scratch.length < bytes) scratch = new Uint8Array(Math.max(bytes, 4096));
  return scratch;
}
