/**
 * JSON read from the end and from a cut start: what the observer has of a line whose middle the copy left
 * out is its first bytes and its last ones. From the end, structure is known (the last byte is outside any
 * string), so values are found backwards: a quote is escaped iff an odd run of backslashes precedes it. A
 * run that reaches the tail's first byte cannot be counted, and the value is then taken as not there.
 */
import { type Span, skipKey, skipString, skipValue, ws } from "./json-scan.js";

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function isSpace(c: number | undefined): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** The index of the last non-whitespace byte at or before `i` (-1 if none). */
export function wsBack(b: Uint8Array, i: number): number {
  while (i >= 0 && isSpace(b[i])) i--;
  return i;
}

/** `end` just past a string's closing quote: the index of its opening quote, or -1 if it is not all in `b`. */
function stringStart(b: Buffer, end: number): number {
  let from = end - 2;
  while (from >= 0) {
    const q = b.lastIndexOf(QUOTE, from);
    if (q < 0) return -1;
    let k = q - 1;
    while (k >= 0 && b[k] === BACKSLASH) k--;
    if (k < 0) return -1;
    if ((q - 1 - k) % 2 === 0) return q;
    from = q - 1;
  }
  return -1;
}

/** `end` just past a value: the index where it starts, or -1 if it is not all in `b` (or not a value). */
function valueStart(b: Buffer, end: number): number {
  const last = b[end - 1];
  if (last === QUOTE) return stringStart(b, end);
  if (last === 0x7d || last === 0x5d) {
    let depth = 0;
    for (let k = end - 1; k >= 0; k--) {
      const c = b[k] as number;
      if (c === QUOTE) {
        k = stringStart(b, k + 1);
        if (k < 0) return -1;
      } else if (c === 0x7d || c === 0x5d) depth++;
      else if (c === 0x7b || c === 0x5b) {
        depth--;
        if (depth === 0) return k;
      }
    }
    return -1;
  }
  // A number or literal: its first byte must be in `b` with something before it.
  let k = end - 1;
  while (k >= 0 && /[0-9a-zA-Z.+-]/.test(String.fromCharCode(b[k] as number))) k--;
  return k < 0 || k === end - 1 ? -1 : k + 1;
}

export interface TrailingMembers {
  /** The object's last members whose keys and values are all in `b` (key → value span). */
  members: Map<string, Span>;
  /** Where the value ends that runs out of `b` before its start (null: it is not a value that does). */
  openEnd: number | null;
}

/**
 * `end` just past an object's closing brace: its last members, read backwards as far as `b` holds them
 * whole; null if what is there is not an object's end.
 */
export function trailingMembers(b: Buffer, end: number): TrailingMembers | null {
  const members = new Map<string, Span>();
  if (b[end - 1] !== 0x7d) return null;
  let j = wsBack(b, end - 2);
  if (j < 0) return { members, openEnd: null };
  if (b[j] === 0x7b) return { members, openEnd: null };
  for (;;) {
    const valueEnd = j + 1;
    const start = valueStart(b, valueEnd);
    if (start < 0) return { members, openEnd: valueEnd };
    let k = wsBack(b, start - 1);
    if (k < 0) return { members, openEnd: null };
    if (b[k] !== 0x3a) return null;
    k = wsBack(b, k - 1);
    if (k < 0) return { members, openEnd: null };
    if (b[k] !== QUOTE) return null;
    const keyStart = stringStart(b, k + 1);
    if (keyStart < 0) return { members, openEnd: null };
    const name = JSON.parse(b.toString("utf8", keyStart, k + 1)) as string;
    // Read from the end, the first of a repeated key is the one JSON.parse keeps.
    if (!members.has(name)) members.set(name, { start, end: valueEnd });
    k = wsBack(b, keyStart - 1);
    if (k < 0) return { members, openEnd: null };
    if (b[k] === 0x7b) return { members, openEnd: null };
    if (b[k] !== 0x2c) return null;
    j = wsBack(b, k - 1);
    if (j < 0) return { members, openEnd: null };
  }
}

export interface LeadingMembers {
  /** The object's first members whose keys and values are all in `b`. */
  members: Map<string, Span>;
  /** The member whose value runs past the end of `b` (null: `b` ends between members or in a key). */
  open: { name: string; start: number } | null;
  /** The object ends within `b`. */
  closed: boolean;
}

/** `i` at an object's opening brace: its first members, as far as `b` holds them; null if not an object. */
export function leadingMembers(b: Buffer, i: number): LeadingMembers | null {
  const members = new Map<string, Span>();
  if (b[i] !== 0x7b) return null;
  i = ws(b, i + 1);
  if (b[i] === 0x7d) return { members, open: null, closed: true };
  for (;;) {
    const keyStart = i;
    const start = skipKey(b, i);
    if (start < 0) {
      // A whole key at the end of `b`, its colon or value past it: that member is the open one.
      const keyEnd = b[i] === QUOTE ? skipString(b, i) : -1;
      if (keyEnd < 0 || ws(b, keyEnd) < b.length) return { members, open: null, closed: false };
      return { members, open: { name: keyName(b, keyStart, keyEnd), start: b.length }, closed: false };
    }
    const keyEnd = b.lastIndexOf(QUOTE, start - 1) + 1;
    const name = keyName(b, keyStart, keyEnd);
    const end = skipValue(b, start);
    // A number reaching the end of `b` may go on past it (`-326` of `-32602`).
    if (end < 0 || (end >= b.length && isNumberStart(b[start])))
      return { members, open: { name, start }, closed: false };
    members.set(name, { start, end });
    i = ws(b, end);
    if (i >= b.length) return { members, open: null, closed: false };
    if (b[i] === 0x7d) return { members, open: null, closed: true };
    if (b[i] !== 0x2c) return null;
    i = ws(b, i + 1);
  }
}

function keyName(b: Buffer, start: number, end: number): string {
  return JSON.parse(b.toString("utf8", start, end)) as string;
}

function isNumberStart(c: number | undefined): boolean {
  return c === 0x2d || (c !== undefined && c >= 0x30 && c <= 0x39);
}
