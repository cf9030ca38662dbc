/**
 * Turns a parsed payload into the text we store: secrets masked, then capped at a byte limit with a
 * marker saying how much was cut.
 */
import { PARTIAL_PAYLOAD } from "../protocol/observations.js";
import { BUDGET_MARGIN, maskString, maskValue } from "./mask.js";

export const DEFAULT_CAPTURE_LIMIT = 64 * 1024;

/**
 * How much of a message the observer reads into a value when the message is longer: the capture limit,
 * and the margin masking looks past it so that a secret straddling the cut is still found whole.
 */
export function keptBytes(limitBytes: number): number {
  return limitBytes + BUDGET_MARGIN;
}

/** `totalBytes`: the size of the whole text when `text` is already a cut of it. */
export function capText(text: string, limitBytes: number, totalBytes = Buffer.byteLength(text)): string {
  if (totalBytes <= limitBytes) return text;
  const kept = utf8Prefix(text, limitBytes);
  return `${kept}…[truncated ${totalBytes - Buffer.byteLength(kept)} bytes]`;
}

/**
 * The longest start of `text` that is at most `limitBytes` in UTF-8 and splits no character, found by
 * measuring rather than encoding (a capture is cut for every call).
 */
function utf8Prefix(text: string, limitBytes: number): string {
  let end = Math.min(text.length, limitBytes);
  let bytes = Buffer.byteLength(end === text.length ? text : text.slice(0, end));
  // A UTF-16 unit is at most 3 bytes: dropping fewer than excess/3 units cannot be enough.
  while (bytes > limitBytes) {
    end -= Math.ceil((bytes - limitBytes) / 3);
    bytes = Buffer.byteLength(text.slice(0, end));
  }
  const last = text.charCodeAt(end - 1);
  if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--;
  return end === text.length ? text : text.slice(0, end);
}

/** The masked, capped JSON text of a payload (null stays null). */
export function capturePayload(
  value: unknown,
  limitBytes = DEFAULT_CAPTURE_LIMIT,
  found?: Set<string>,
): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "object" && "oversized" in (value as object)) {
    return `[not captured: a ${(value as { bytes: number }).bytes}-byte message, too long to parse]`;
  }
  const text = JSON.stringify(maskValue(value, found, { left: limitBytes }));
  // The start of a longer message: cut where the message is cut, however long its start prints.
  const whole = (value as { [PARTIAL_PAYLOAD]?: number })[PARTIAL_PAYLOAD];
  return capText(text, limitBytes, whole === undefined ? undefined : Math.max(whole, limitBytes + 1));
}

/** For free text (log lines, error messages): masked and capped. */
export function captureText(text: string, limitBytes = DEFAULT_CAPTURE_LIMIT, found?: Set<string>): string {
  const kept = text.length > keptBytes(limitBytes) ? text.slice(0, keptBytes(limitBytes)) : text;
  return capText(maskString(kept, found), limitBytes, Buffer.byteLength(text));
}
