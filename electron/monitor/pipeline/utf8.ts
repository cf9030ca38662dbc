/**
 * UTF-8 encoding into one reused buffer, for the observer's per-payload work (capping, compressing). A
 * masked capture holds `…`, so its string is two-byte, and `Buffer.from` encodes those several times
 * slower than `encodeInto` does.
 */
const encoder = new TextEncoder();
/** Texts up to this many characters are encoded into the reused buffer (3 bytes a character at most). */
const SCRATCH_CHARS = 1024 * 1024;
let scratch = new Uint8Array(0);

/**
 * The last capped text and its bytes (see `cutAndEncode`): the capture cut them, and the store encodes
 * the same text again to compress it. Built by joining strings, that text would first be copied flat.
 */
let remembered: { text: string; bytes: Uint8Array } | null = null;
let rememberedBytes = new Uint8Array(0);

/** The UTF-8 bytes of `text`, valid until the next call here (a reused buffer). */
export function utf8View(text: string): Uint8Array {
  if (remembered !== null && remembered.text === text) return remembered.bytes;
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

/**
 * `text` cut to its first `read` characters (`written` bytes, just measured by `utf8Prefix`, so still in
 * the scratch buffer) followed by `suffix`: the joined string, its bytes remembered for `utf8View`.
 */
export function joinPrefix(text: string, read: number, written: number, suffix: string): string {
  const joined = text.slice(0, read) + suffix;
  const total = written + suffix.length * 3;
  if (rememberedBytes.length < total)
    rememberedBytes = new Uint8Array(Math.max(total, 2 * rememberedBytes.length));
  rememberedBytes.set(scratch.subarray(0, written));
  const tail = encoder.encodeInto(suffix, rememberedBytes.subarray(written));
  remembered = { text: joined, bytes: rememberedBytes.subarray(0, written + tail.written) };
  return joined;
}

function scratchOf(bytes: number): Uint8Array {
  if (scratch.length < bytes) scratch = new Uint8Array(Math.max(bytes, 4096));
  return scratch;
}
