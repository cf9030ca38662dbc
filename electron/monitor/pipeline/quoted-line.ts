/**
 * A line a server should not have written (non-JSON on its protocol stream), quoted so that the user can
 * find it: masked whole first (a secret cut short is no longer one a pattern knows), then cut, never
 * inside a `[masked:…]` marker, and given as a JSON string, so that control characters and escape
 * sequences are shown escaped, never run by a terminal. Lines longer than any secret are masked only as
 * far as can be quoted.
 */
import { maskString } from "./mask.js";

/** Characters of the line quoted, at most. */
export const QUOTED_CHARS = 200;

/** The line's start, masked and cut (`…` when cut), unquoted. */
export function quotedText(line: string): string {
  const masked = maskString(line.slice(0, QUOTED_CHARS * 8));
  if (masked.length <= QUOTED_CHARS && line.length <= QUOTED_CHARS * 8) return masked;
  let end = Math.min(QUOTED_CHARS, masked.length);
  const open = masked.lastIndexOf("[masked:", end - 1);
  const close = open === -1 ? -1 : masked.indexOf("]", open);
  if (close >= end) end = close + 1;
  return `${masked.slice(0, end)}…`;
}

/** `"the line's start…"`: `quotedText` as a JSON string. */
export function quotedLine(line: string): string {
  return JSON.stringify(quotedText(line));
}

/** Bytes of a line to read for its quote (a character is at most 4 bytes). */
export const QUOTED_BYTES = QUOTED_CHARS * 8 * 4;
