/**
 * UTF-8 encoding into one reused buffer, for the observer's per-payload work (capping, compressing). A
 * masked capture holds `…`, so its string is two-byte, and `Buffer.from` encodes those several times
 * slower than `encodeInto` does; a capture built with a one-byte stand-in for it is encoded and gets its
 * `…` back here (capWithEllipses).
 */
const encoder = new TextEncoder();
/** Texts up to this many characters are encoded into the reused buffer (3 bytes a character at most). */
export const SCRATCH_CHARS = 1024 * 1024;
// A Buffer: its `write` and `indexOf` are native and fast where a Uint8Array's are not.
let scratch = Buffer.alloc(0);

/**
 * The last capped text and its bytes (see `joinPrefix` and `capWithEllipses`): the capture cut them, and
 * the store encodes the same text again to compress it. Built by joining strings, that text would first be
 * copied flat.
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
  // The remembered bytes are about to be overwritten: no text may be taken for them meanwhile.
  remembered = null;
  const joined = text.slice(0, read) + suffix;
  const total = written + suffix.length * 3;
  if (rememberedBytes.length < total)
    rememberedBytes = new Uint8Array(Math.max(total, 2 * rememberedBytes.length));
  rememberedBytes.set(scratch.subarray(0, written));
  const tail = encoder.encodeInto(suffix, rememberedBytes.subarray(written));
  remembered = { text: joined, bytes: rememberedBytes.subarray(0, written + tail.written) };
  return joined;
}

/** What masking writes for `…` while it builds a capture (see MaskBudget.ellipsis). */
export const ELLIPSIS_STAND_IN = "\x85";

/** Where each `…` put back ends, in the capped bytes (capWithEllipses' scratch). */
const ellipsisEnds: number[] = [];

/**
 * `capText(text.replaceAll(ELLIPSIS_STAND_IN, "…"), limitBytes, total)`, computed from `text` as it is
 * (one-byte, so that its encoding is cheap), its bytes remembered for `utf8View`. The caller vouches that
 * every stand-in in `text` is one it wrote. `totalOf`: the whole text's size in bytes, given the size of
 * `text` with its `…` put back. Null for a text too long for the scratch buffer (capText's way then).
 */
export function capWithEllipses(
  text: string,
  limitBytes: number,
  suffixOf: (total: number, written: number) => string,
  totalOf: (size: number) => number,
): string | null {
  if (text.length > SCRATCH_CHARS) return null;
  // Short enough to be kept whole however it encodes (3 bytes a character at most): no cut to find.
  if (totalOf(text.length * 3) <= limitBytes) return text.replaceAll(ELLIPSIS_STAND_IN, "…");
  remembered = null;
  // Buffer.write encodes a one-byte string that is not all ASCII several times faster than encodeInto.
  const written = scratchOf(text.length * 3).write(text, "utf8");
  // A stand-in is encoded C2 85 (no other character encodes to that pair); `…` is E2 80 A6. Searched in
  // what was written only: the scratch buffer may be much longer.
  const bytes = scratch.subarray(0, written);
  // Each stand-in grows by a byte and takes two: room for half as many again, and for the suffix.
  const room = written + (written >> 1) + 256;
  if (rememberedBytes.length < room)
    rememberedBytes = new Uint8Array(Math.max(room, 2 * rememberedBytes.length));
  const out = rememberedBytes;
  let from = 0;
  let to = 0;
  ellipsisEnds.length = 0;
  for (let at = bytes.indexOf(0x85, 1); at !== -1; at = bytes.indexOf(0x85, at + 1)) {
    if (bytes[at - 1] !== 0xc2) continue;
    out.set(bytes.subarray(from, at - 1), to);
    to += at - 1 - from;
    out[to++] = 0xe2;
    out[to++] = 0x80;
    out[to++] = 0xa6;
    ellipsisEnds.push(to);
    from = at + 1;
  }
  out.set(bytes.subarray(from), to);
  const standIns = ellipsisEnds.length;
  const size = written + standIns;
  const total = totalOf(size);
  if (total <= limitBytes) {
    const whole = standIns === 0 ? text : text.replaceAll(ELLIPSIS_STAND_IN, "…");
    remembered = { text: whole, bytes: out.subarray(0, size) };
    return whole;
  }
  // The cut: the last character boundary within the limit, where encodeInto would stop.
  let cut = Math.min(limitBytes, size);
  while (cut > 0 && cut < size && ((out[cut] as number) & 0xc0) === 0x80) cut--;
  // In `text`'s bytes that boundary lies one byte earlier per `…` before it.
  let before = 0;
  while (before < ellipsisEnds.length && (ellipsisEnds[before] as number) <= cut) before++;
  // All ASCII but the stand-ins (two bytes each): characters are bytes; else encodeInto counts them.
  const read =
    written === text.length + standIns
      ? cut - 2 * before
      : encoder.encodeInto(text, scratch.subarray(0, cut - before)).read;
  const suffix = suffixOf(total, cut);
  const kept = text.slice(0, read);
  const joined = (before === 0 ? kept : kept.replaceAll(ELLIPSIS_STAND_IN, "…")) + suffix;
  const tail = encoder.encodeInto(suffix, out.subarray(cut));
  remembered = { text: joined, bytes: out.subarray(0, cut + tail.written) };
  return joined;
}

function scratchOf(bytes: number): Buffer {
  if (scratch.length < bytes) scratch = Buffer.allocUnsafeSlow(Math.max(bytes, 4096));
  return scratch;
}
