/**
 * The value of a long message's head (json-scan.ts `closedPrefix`), parsed without reading its long strings
 * twice: each string value of LONG_STRING_BYTES or more is read from its bytes by json-unquote.ts, and the
 * rest of the text, with a short slot in each such string's place, by JSON.parse; the strings are then put
 * in their slots. The same value as `JSON.parse(closedPrefix(…))`, and the same error where that throws (a
 * long string the loop cannot read is left in the text, for JSON.parse to read or refuse). The head's long
 * string is most of its bytes: decoded into a string, then parsed character by character, it cost more than
 * everything else in the head's reading.
 */
import { closedPrefixCut, type PrefixCut, type WalkBound, ws } from "./json-scan.js";
import { UNQUOTE_MAX_BYTES, unquoteJson } from "./json-unquote.js";

/** String values of this many bytes and more are read apart (a call into the module costs more on short ones). */
export const LONG_STRING_BYTES = 1024;

/**
 * Stands in the parsed text for a long string read apart: a nonce drawn per process after a DEL, so no
 * payload holds it by chance (one that forged it would only move one of its own strings).
 */
const SLOT = `\x7f${Math.random().toString(36).slice(2, 10)}:`;

/**
 * `JSON.parse(closedPrefix(b, limit, more))`, null where closedPrefix is null; throws where JSON.parse
 * would.
 */
export function prefixValue(b: Buffer, limit: number, more = false): unknown {
  const cut = closedPrefixCut(b, limit, more, LONG_STRING_BYTES);
  return cut === null ? null : parseCut(b, cut);
}

/** A whole line's value is read this way from this length on, when it holds a long string. */
export const WHOLE_READ_BYTES = 4 * LONG_STRING_BYTES;
/**
 * Past this many tokens, or this many bytes besides its long strings, a line is parsed as it is: walking it
 * first would cost more than it saves (a line of a thousand small values, or of padding around a long string).
 */
const WHOLE_READ_BOUND: WalkBound = { tokens: 1024, shortBytes: 16 * 1024 };
/** Checks and decodes in one pass; a BOM is a character (no piece starts the text with one: it is JSON). */
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
/** What wholeValue gives for a text it leaves to JSON.parse. */
export const NOT_READ = Symbol("not read");

/**
 * `JSON.parse(b.toString())` for a valid UTF-8 text `b` holding one JSON value and a string of
 * LONG_STRING_BYTES or more in it, read as prefixValue reads a head; NOT_READ for any other text (shorter,
 * longer than UNQUOTE_MAX_BYTES, invalid, without a long string, made of many values), and where JSON.parse
 * throws, so that the caller's JSON.parse gives the error it reports.
 */
export function wholeValue(b: Buffer): unknown {
  // Past the loop's bound its strings would be left to JSON.parse anyway, after a scan of the whole line.
  if (b.length < WHOLE_READ_BYTES || b.length > UNQUOTE_MAX_BYTES) return NOT_READ;
  const cut = closedPrefixCut(b, b.length, false, LONG_STRING_BYTES, WHOLE_READ_BOUND);
  // The text is one value: nothing was cut or closed, and only whitespace follows it.
  if (cut === null || cut.long.length === 0 || cut.closing !== "" || ws(b, cut.end) !== b.length)
    return NOT_READ;
  try {
    return parseCut(b, cut, true);
  } catch {
    return NOT_READ;
  }
}

/** The value of `cut`'s text; `strict`: NOT_READ where it is not UTF-8 (the loop checks what it reads). */
function parseCut(b: Buffer, cut: PrefixCut, strict = false): unknown {
  const texts: string[] = [];
  const pieces: string[] = [];
  let from = 0;
  // The text between long strings is cut at their quotes, so each piece is UTF-8 when the whole is.
  const piece = (to: number) => {
    if (!strict) {
      pieces.push(b.toString("utf8", from, to));
      return true;
    }
    try {
      pieces.push(utf8.decode(b.subarray(from, to)));
      return true;
    } catch {
      return false;
    }
  };
  for (const span of cut.long) {
    const text = unquoteJson(b, span.start, span.end);
    if (text === null) continue;
    if (!piece(span.start)) return NOT_READ;
    pieces.push(slotOf(texts.length));
    texts.push(text);
    from = span.end;
  }
  if (!piece(cut.end)) return NOT_READ;
  const json = pieces.join("") + cut.closing;
  const value: unknown = JSON.parse(json);
  return texts.length === 0 ? value : fill(value, texts);
}

/** The text standing for the `i`th long string in the parsed text. */
const slotOf = (i: number) => `${SLOT}${i}`;

/** `value` with each slot replaced by its string (iterative: a head may nest as deep as it is long). */
function fill(value: unknown, texts: string[]): unknown {
  // Only a slot exactly as written stands for a string (not `SLOT`, ` 0` or `0x0` after it).
  const slots = new Map(texts.map((text, i) => [slotOf(i), text]));
  const textOf = (item: unknown): string | undefined =>
    typeof item === "string" ? slots.get(item) : undefined;
  const whole = textOf(value);
  if (whole !== undefined) return whole;
  let left = texts.length;
  const stack: object[] = typeof value === "object" && value !== null ? [value] : [];
  while (left > 0 && stack.length > 0) {
    const holder = stack.pop() as Record<string, unknown>;
    for (const key of Object.keys(holder)) {
      const item = holder[key];
      const text = textOf(item);
      if (text !== undefined) {
        holder[key] = text;
        left--;
      } else if (typeof item === "object" && item !== null) stack.push(item);
    }
  }
  return value;
}
