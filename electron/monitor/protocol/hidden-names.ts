/**
 * Where a cut line's left-out middle holds a member name that could change what the observer reads of a
 * response's outcome (a tool error's flag, a result that asks for input), searched in every byte of a long
 * line as it streams by.
 *
 * Buffer.indexOf runs a needle of 7 bytes or more as a Boyer–Moore–Horspool search, which read a JSON text
 * or source code at 1.5–3 ms a MiB here, where memchr reads any text at about 20 µs a MiB; a needle of at
 * most 6 bytes runs memchr for its first byte and compares the rest where it stops, fast as long as that
 * byte is rare. Both names start with a quote, and quotes are rare in base64, prose and the like: the
 * quotes are found with memchr, one pass for both names, each compared where one stops. Where quotes come
 * often (code, JSON inside a string, where every quote is escaped), each name is found by a piece of it of
 * at most 6 bytes led by its capital, or where capitals come as often, as a whole.
 */

/** The names, spelled as a JSON member name is. None holds a newline, so none spans two lines. */
export const HIDDEN_NAMES = ['"isError"', '"resultType"'].map((name) => Buffer.from(name));
/** The longest name, less one: a name that one read ends inside and the next finishes starts in this many. */
export const NAME_CARRY = Math.max(...HIDDEN_NAMES.map((name) => name.length)) - 1;

const QUOTE = 0x22;
/** Quotes compared one by one before each name is searched natively by the piece that suits the text. */
const QUOTES_ONE_BY_ONE = 16;
/** The bytes before that point that are sampled for capitals. */
const SAMPLE_BYTES = 256;
/**
 * Past one lead byte in this many bytes, a whole-name search (whose cost does not depend on the text)
 * costs less than stopping at every lead byte.
 */
const DENSE = 32;

/** Per name: its piece led by its opening quote, and its piece led by its capital. */
const PIECES = HIDDEN_NAMES.map((name) => {
  const capital = name.findIndex((byte) => byte >= 0x41 && byte <= 0x5a);
  return {
    byQuote: { bytes: name.subarray(0, 6), offset: 0 },
    byCapital: { bytes: name.subarray(capital, capital + 6), offset: capital },
    capital: name[capital] as number,
  };
});

/**
 * Where the first hidden name wholly in `bytes[from, to)` starts (-1: none). `to` must be the buffer's end or
 * a newline's position: a name that starts before `to` then ends before it too.
 */
export function firstHiddenName(bytes: Buffer, from: number, to: number): number {
  let i = from;
  for (let quotes = 0; quotes < QUOTES_ONE_BY_ONE; quotes++) {
    const quote = bytes.indexOf(QUOTE, i);
    if (quote === -1 || quote >= to) return -1;
    for (const name of HIDDEN_NAMES) if (nameAt(bytes, quote, to, name)) return quote;
    i = quote + 1;
  }
  // Quotes come often enough here that each name is better searched natively, led by whichever of its
  // quote or its capital the bytes so far held fewer of, or whole where both come often.
  const quoteRate = QUOTES_ONE_BY_ONE / (i - from);
  const sampleFrom = Math.max(from, i - SAMPLE_BYTES);
  let first = -1;
  for (let n = 0; n < HIDDEN_NAMES.length; n++) {
    const name = HIDDEN_NAMES[n] as Buffer;
    const { byQuote, byCapital, capital } = PIECES[n] as (typeof PIECES)[number];
    let capitals = 0;
    for (let k = sampleFrom; k < i; k++) if (bytes[k] === capital) capitals++;
    const capitalRate = capitals / (i - sampleFrom);
    const at =
      Math.min(quoteRate, capitalRate) > 1 / DENSE
        ? bytes.indexOf(name, i)
        : byPiece(bytes, i, to, name, capitalRate < quoteRate ? byCapital : byQuote);
    if (at !== -1 && at + name.length <= to && (first === -1 || at < first)) first = at;
  }
  return first;
}

/** Where `name` first starts at or after `from` and ends by `to`, found by `lead`, a piece of it. */
function byPiece(
  bytes: Buffer,
  from: number,
  to: number,
  name: Buffer,
  lead: { bytes: Buffer; offset: number },
): number {
  for (let i = from + lead.offset; ; ) {
    const hit = bytes.indexOf(lead.bytes, i);
    if (hit === -1) return -1;
    const start = hit - lead.offset;
    // Later hits start later: none of them ends by `to` either.
    if (start + name.length > to) return -1;
    if (nameAt(bytes, start, to, name)) return start;
    i = hit + 1;
  }
}

function nameAt(bytes: Buffer, start: number, to: number, name: Buffer): boolean {
  if (start + name.length > to) return false;
  for (let k = 1; k < name.length; k++) if (bytes[start + k] !== name[k]) return false;
  return bytes[start] === name[0];
}
