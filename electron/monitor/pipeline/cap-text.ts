/**
 * A text capped at a byte limit with a marker saying how much was cut: what capture.ts ends every stored
 * payload with, and what the store's readers cap short texts with, without loading the masking rules.
 */
import { joinPrefix, utf8Prefix, utf8View } from "./utf8.js";

/** What follows a capped text: how many bytes were cut. */
export const truncated = (total: number, written: number) => `…[truncated ${total - written} bytes]`;

/** `totalBytes`: the size of the whole text when `text` is already a cut of it. */
export function capText(text: string, limitBytes: number, totalBytes?: number): string {
  // Even at 3 bytes a character it fits.
  if (totalBytes === undefined && text.length * 3 <= limitBytes) return text;
  const total = totalBytes ?? utf8View(text).length;
  if (total <= limitBytes) return text;
  // encodeInto stops at the last whole character that fits: its `read` is where to cut the string.
  const { read, written } = utf8Prefix(text, limitBytes);
  return joinPrefix(text, read, written, truncated(total, written));
}
