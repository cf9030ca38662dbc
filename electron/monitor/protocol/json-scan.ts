/**
 * JSON read in place, for lines too long to parse whole: the extent of a value and the members of an
 * object, found without building them, and a prefix of a JSON text closed into a valid one. Structure is
 * checked as JSON.parse checks it. A string up to CHECKED_STRING_BYTES is checked character by character;
 * a longer one is only searched for its closing quote (a native byte search), so a stray control character
 * or bad escape deep inside it goes unnoticed: a full parse is what it would take to see it.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const MINUS = 0x2d;

/** Strings longer than this are searched for their end, not checked byte by byte. */
export const CHECKED_STRING_BYTES = 4096;

export interface Span {
  start: number;
  end: number;
}

/** The byte at `i`, or -1 past the end. */
function at(b: Uint8Array, i: number): number {
  return i < b.length ? (b[i] as number) : -1;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** The index of the first non-whitespace byte at or after `i`. */
export function ws(b: Uint8Array, i: number): number {
  for (;;) {
    const c = at(b, i);
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
    else return i;
  }
}

/** The length of the escape sequence at `j` (a backslash), or -1 if it is not a valid one. */
function escapeLength(b: Uint8Array, j: number): number {
  const c = at(b, j + 1);
  // " \ / b f n r t
  if (
    c === 0x22 ||
    c === 0x5c ||
    c === 0x2f ||
    c === 0x62 ||
    c === 0x66 ||
    c === 0x6e ||
    c === 0x72 ||
    c === 0x74
  )
    return 2;
  if (c !== 0x75) return -1;
  for (let k = j + 2; k < j + 6; k++) {
    const h = at(b, k);
    if (!(isDigit(h) || (h >= 0x41 && h <= 0x46) || (h >= 0x61 && h <= 0x66))) return -1;
  }
  return 6;
}

/** Bytes of a string checked one at a time before runs of ordinary ones are skipped a word at a time. */
const BYTE_BY_BYTE = 32;

/** `i` at a string's opening quote: the index after its closing quote, or -1. */
export function skipString(b: Uint8Array, i: number): number {
  let j = i + 1;
  const checkedTo = Math.min(b.length, j + CHECKED_STRING_BYTES);
  const wordsFrom = j + BYTE_BY_BYTE;
  while (j < checkedTo) {
    if (j >= wordsFrom) {
      j = ordinaryUntil(b, j, checkedTo);
      if (j >= checkedTo) break;
    }
    const c = b[j] as number;
    if (c === QUOTE) return j + 1;
    if (c === BACKSLASH) {
      const n = escapeLength(b, j);
      if (n < 0) return -1;
      j += n;
    } else if (c < 0x20) return -1;
    else j++;
  }
  // `j` is on a character boundary: the backslashes right before it pair up, so counting a run back from
  // any quote gives its parity.
  for (;;) {
    const q = (b as Buffer).indexOf(QUOTE, j);
    if (q < 0) return -1;
    let k = q - 1;
    while (b[k] === BACKSLASH) k--;
    if ((q - 1 - k) % 2 === 0) return q + 1;
    j = q + 1;
  }
}

/** A 32-bit view of the memory under the last buffer read a word at a time (views are kept, not made per run). */
let words: { buffer: ArrayBufferLike; view: Int32Array } | null = null;

/**
 * The first index in `b[from, to)` of a byte a string's check must look at (a quote, a backslash or a
 * control character), or `to`: the bytes before it need no check. Read four bytes at a time.
 */
function ordinaryUntil(b: Uint8Array, from: number, to: number): number {
  let i = from;
  while (i < to && (b.byteOffset + i) % 4 !== 0) {
    const c = b[i] as number;
    if (c < 0x20 || c === QUOTE || c === BACKSLASH) return i;
    i++;
  }
  if (i >= to) return to;
  if (words?.buffer !== b.buffer)
    words = { buffer: b.buffer, view: new Int32Array(b.buffer, 0, b.buffer.byteLength >> 2) };
  const { view } = words;
  const wordsTo = (b.byteOffset + to) >> 2;
  let k = (b.byteOffset + i) >> 2;
  for (; k < wordsTo; k++) {
    const w = view[k] as number;
    const q = w ^ 0x22222222;
    const s = w ^ 0x5c5c5c5c;
    // A byte under 0x20 in `w`, or a zero byte in `q` or `s` (a quote, a backslash), sets its high bit.
    if ((((w - 0x20202020) & ~w) | ((q - 0x01010101) & ~q) | ((s - 0x01010101) & ~s)) & 0x80808080) break;
  }
  // The word that holds one, or the last few bytes: read one by one.
  i = k * 4 - b.byteOffset;
  while (i < to) {
    const c = b[i] as number;
    if (c < 0x20 || c === QUOTE || c === BACKSLASH) return i;
    i++;
  }
  return to;
}

function skipNumber(b: Uint8Array, i: number): number {
  if (at(b, i) === MINUS) i++;
  if (at(b, i) === 0x30) i++;
  else if (at(b, i) >= 0x31 && at(b, i) <= 0x39) while (isDigit(at(b, i))) i++;
  else return -1;
  if (at(b, i) === 0x2e) {
    i++;
    if (!isDigit(at(b, i))) return -1;
    while (isDigit(at(b, i))) i++;
  }
  if (at(b, i) === 0x65 || at(b, i) === 0x45) {
    i++;
    if (at(b, i) === 0x2b || at(b, i) === MINUS) i++;
    if (!isDigit(at(b, i))) return -1;
    while (isDigit(at(b, i))) i++;
  }
  return i;
}

const LITERALS = [Buffer.from("true"), Buffer.from("false"), Buffer.from("null")];

function skipLiteral(b: Uint8Array, i: number): number {
  for (const word of LITERALS) {
    if (at(b, i) !== word[0]) continue;
    for (let k = 1; k < word.length; k++) if (at(b, i + k) !== word[k]) return -1;
    return i + word.length;
  }
  return -1;
}

/** A string, number or literal at `i`: the index after it, or -1. */
function skipScalar(b: Uint8Array, i: number): number {
  const c = at(b, i);
  if (c === QUOTE) return skipString(b, i);
  if (c === MINUS || isDigit(c)) return skipNumber(b, i);
  return skipLiteral(b, i);
}

/** A key, its colon and the whitespace after: the index of the member's value, or -1. */
export function skipKey(b: Uint8Array, i: number): number {
  if (at(b, i) !== QUOTE) return -1;
  i = skipString(b, i);
  if (i < 0) return -1;
  i = ws(b, i);
  return at(b, i) === COLON ? ws(b, i + 1) : -1;
}

/** `i` at a value: the index after it, or -1 if it is not valid JSON. Iterative: any depth. */
export function skipValue(b: Uint8Array, i: number): number {
  const closers: number[] = [];
  for (;;) {
    const c = at(b, i);
    if (c === LBRACE || c === LBRACKET) {
      const close = c === LBRACE ? RBRACE : RBRACKET;
      i = ws(b, i + 1);
      if (at(b, i) !== close) {
        closers.push(close);
        i = close === RBRACE ? skipKey(b, i) : i;
        if (i < 0) return -1;
        continue;
      }
      i++;
    } else {
      i = skipScalar(b, i);
      if (i < 0) return -1;
    }
    // After a value: close what it ends, or move on to the next member or element.
    for (;;) {
      const close = closers[closers.length - 1];
      if (close === undefined) return i;
      i = ws(b, i);
      const d = at(b, i);
      if (d === COMMA) {
        i = ws(b, i + 1);
        i = close === RBRACE ? skipKey(b, i) : i;
        if (i < 0) return -1;
        break;
      }
      if (d !== close) return -1;
      closers.pop();
      i++;
    }
  }
}

/** Keys longer than this (raw) are never one a reader asks for. */
const MAX_KEY_BYTES = 128;

/**
 * The members of the object at `i` (key → its value's span; the last of a repeated key, as JSON.parse
 * keeps), and where it ends; null if it is not a valid object, or as soon as a key in `stopAt` is seen.
 */
export function objectMembers(
  b: Buffer,
  i: number,
  stopAt?: ReadonlySet<string>,
): { members: Map<string, Span>; end: number } | null {
  const members = new Map<string, Span>();
  if (at(b, i) !== LBRACE) return null;
  i = ws(b, i + 1);
  if (at(b, i) === RBRACE) return { members, end: i + 1 };
  for (;;) {
    const keyStart = i;
    const start = skipKey(b, i);
    if (start < 0) return null;
    const end = skipValue(b, start);
    if (end < 0) return null;
    const keyEnd = b.lastIndexOf(QUOTE, start - 1) + 1;
    if (keyEnd - keyStart <= MAX_KEY_BYTES) {
      const name = JSON.parse(b.toString("utf8", keyStart, keyEnd)) as string;
      if (stopAt?.has(name)) return null;
      members.set(name, { start, end });
    }
    i = ws(b, end);
    const d = at(b, i);
    if (d === RBRACE) return { members, end: i + 1 };
    if (d !== COMMA) return null;
    i = ws(b, i + 1);
  }
}

/** Calls `visit` with each element's span of the array at `i` until it returns true; false if not an array. */
export function eachElement(b: Buffer, i: number, visit: (span: Span) => boolean): boolean {
  if (at(b, i) !== LBRACKET) return false;
  i = ws(b, i + 1);
  if (at(b, i) === RBRACKET) return true;
  for (;;) {
    const end = skipValue(b, i);
    if (end < 0) return false;
    if (visit({ start: i, end })) return true;
    i = ws(b, end);
    if (at(b, i) === RBRACKET) return true;
    if (at(b, i) !== COMMA) return false;
    i = ws(b, i + 1);
  }
}

/**
 * The largest cut at or before `limit` inside a string whose content starts at `from` that splits no
 * character and no escape sequence.
 */
function stringCut(b: Uint8Array, from: number, limit: number): number {
  let c = limit;
  while (c > from && ((b[c] as number) & 0xc0) === 0x80) c--;
  for (let j = Math.max(from, c - 5); j < c; j++) {
    if (b[j] === BACKSLASH && b[j + 1] === 0x75 && j + 6 > c && backslashRun(b, j, from) % 2 === 1) return j;
  }
  return backslashRun(b, c - 1, from) % 2 === 1 ? c - 1 : c;
}

/** Backslashes in the run that ends at `j` (not before `from`). */
function backslashRun(b: Uint8Array, j: number, from: number): number {
  let k = j;
  while (k >= from && b[k] === BACKSLASH) k--;
  return j - k;
}

/**
 * The JSON text `b` (valid) cut at `limit` bytes and closed: a string cut inside is ended, members or
 * elements cut inside are left out, and open containers are closed. Parsing it gives the value of the
 * text's first `limit` bytes: each string a prefix of the whole one, each container the first of its
 * members or elements. Null if nothing of the value fits. `more`: `b` is only the start of the text (a
 * value that reaches its end may go on past it).
 */
export function closedPrefix(b: Buffer, limit: number, more = false): string | null {
  const cut = closedPrefixCut(b, limit, more);
  return cut === null ? null : b.toString("utf8", 0, cut.end) + cut.closing;
}

/**
 * closedPrefix's text as `b[0, end)` followed by `closing`, and the bodies (between their quotes) of the
 * string values in it of `longBytes` or more, the one cut included. Null also where the walk passes
 * `bound` (for a caller that would rather parse such a text than walk it first).
 */
export interface PrefixCut {
  end: number;
  closing: string;
  long: Span[];
}

/** How far closedPrefixCut walks before it gives up: tokens of any kind, and bytes outside long strings. */
export interface WalkBound {
  tokens: number;
  shortBytes: number;
}

const UNBOUNDED: WalkBound = { tokens: Number.POSITIVE_INFINITY, shortBytes: Number.POSITIVE_INFINITY };

export function closedPrefixCut(
  b: Buffer,
  limit: number,
  more = false,
  longBytes = Number.POSITIVE_INFINITY,
  bound: WalkBound = UNBOUNDED,
): PrefixCut | null {
  limit = Math.min(limit, b.length);
  let tokens = 0;
  /** Bytes of the long strings found so far: the rest of what was walked counts against the bound. */
  let longSoFar = 0;
  const closers: number[] = [];
  const long: Span[] = [];
  let i = 0;
  // The last point where the text so far, with `closers` appended, is valid. Every opening and closing
  // sets it, so `closers` has not changed since.
  let safe = -1;
  let expectKey = false;
  for (;;) {
    i = ws(b, i);
    if (i >= limit) break;
    // Brackets, commas and whitespace count too: a line made of them would be walked for nothing.
    if (++tokens > bound.tokens || i - longSoFar > bound.shortBytes) return null;
    const c = b[i] as number;
    if (c === LBRACE || c === LBRACKET) {
      closers.push(c === LBRACE ? RBRACE : RBRACKET);
      expectKey = c === LBRACE;
      safe = ++i;
      continue;
    }
    if (c === RBRACE || c === RBRACKET) {
      closers.pop();
      expectKey = false;
      safe = ++i;
      if (closers.length === 0) break;
      continue;
    }
    if (c === COMMA) {
      expectKey = closers[closers.length - 1] === RBRACE;
      i++;
      continue;
    }
    if (c === COLON) {
      i++;
      continue;
    }
    let end = skipScalar(b, i);
    if (more && (end < 0 || end >= b.length)) end = b.length + 1;
    if (end < 0) return null;
    if (end <= limit) {
      if (expectKey) expectKey = false;
      else {
        safe = end;
        if (c === QUOTE && end - i - 2 >= longBytes) {
          long.push({ start: i + 1, end: end - 1 });
          longSoFar += end - i;
        }
      }
      i = end;
      continue;
    }
    if (c === QUOTE && !expectKey) {
      const cut = stringCut(b, i + 1, limit);
      if (cut - i - 1 >= longBytes) long.push({ start: i + 1, end: cut });
      return { end: cut, closing: `"${closing(closers)}`, long };
    }
    break;
  }
  return safe < 0 ? null : { end: safe, closing: closing(closers), long };
}

function closing(closers: number[]): string {
  let out = "";
  for (let k = closers.length - 1; k >= 0; k--) out += closers[k] === RBRACE ? "}" : "]";
  return out;
}

/** The first characters of the string at `span` (at least `units` of them when it is longer), or null. */
export function stringPrefix(b: Buffer, span: Span, units: number): string | null {
  // A character is at most 6 bytes of JSON (`\uXXXX`): this many bytes hold `units` characters.
  const limit = Math.min(span.end - 1, span.start + 1 + 6 * (units + 1));
  try {
    return JSON.parse(`${b.toString("utf8", span.start, stringCut(b, span.start + 1, limit))}"`) as string;
  } catch {
    return null;
  }
}
