/**
 * Turns a parsed payload into the text we store: secrets masked, then capped at a byte limit with a
 * marker saying how much was cut.
 */
import { OversizedPayload, PARTIAL_PAYLOAD, type PartialPayload } from "../protocol/observations.js";
import { capText, truncated } from "./cap-text.js";
import { DEFAULT_CAPTURE_LIMIT } from "./capture-limit.js";
import { BUDGET_MARGIN, CUT_MARK, type MaskBudget, maskString, mayHoldSecret } from "./mask.js";
import { printMasked } from "./masked-print.js";
import { capWithEllipses, ELLIPSIS_STAND_IN, SCRATCH_CHARS, utf8View } from "./utf8.js";

export { capText, DEFAULT_CAPTURE_LIMIT };
/**
 * What a response keeps while the wrapper's observer is behind the traffic: every call is still stored
 * with its outcome, with less of its payload, rather than dropped for want of time to mask 64 KiB.
 */
export const SHORT_CAPTURE_LIMIT = 4 * 1024;

/**
 * How much of a message the observer reads into a value when the message is longer: the capture limit,
 * and the margin masking looks past it so that a secret straddling the cut is still found whole.
 */
export function keptBytes(limitBytes: number): number {
  return limitBytes + BUDGET_MARGIN;
}

/**
 * Payloads printing shorter than this are masked the plain way: the stand-in saves them nothing, and a
 * short text's `…` costs little. (A message's start always takes the stand-in; one that prints longer than
 * the scratch buffer never does.)
 */
const STAND_IN_CHARS = 4096;

export interface CaptureOptions {
  /** Whether masking writes a one-byte stand-in for `…` (see MaskBudget.ellipsis): for long payloads, any, none. */
  standIn?: "auto" | "always" | "never";
  /**
   * The message's size in bytes as it came (the length of the line it was parsed from), when known: a
   * payload too long to be stored without masking is then not printed only to be measured, and a cut
   * counts what was left out of the message itself.
   */
  bytes?: number;
}

/** The masked, capped JSON text of a payload (null stays null); the same text whichever way it is made. */
export function capturePayload(
  value: unknown,
  limitBytes = DEFAULT_CAPTURE_LIMIT,
  found?: Set<string>,
  options: CaptureOptions = {},
): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof OversizedPayload) {
    return `[not captured: a ${value.bytes}-byte message, too long to parse]`;
  }
  const { standIn = "auto" } = options;
  const wire = options.bytes !== undefined && options.bytes > 0 ? options.bytes : undefined;
  // The start of a longer message: cut where it was read to be cut, however long its start prints.
  const partial = (value as { [PARTIAL_PAYLOAD]?: PartialPayload })[PARTIAL_PAYLOAD];
  const limit = partial ? Math.min(limitBytes, partial.keep) : limitBytes;
  // Printed where it may be short enough to store as it is (or its size is not known).
  const plain = partial || (wire !== undefined && wire * 2 >= limit) ? null : printed(value);
  // Small and nothing any rule could match: masking would copy it unchanged.
  if (plain !== null && plain.length * 2 < limit && !mayHoldSecret(plain)) return capText(plain, limit);
  const length = partial ? undefined : (plain?.length ?? wire);
  const long = partial || (length !== undefined && length >= STAND_IN_CHARS);
  const fits = length === undefined || length <= SCRATCH_CHARS;
  // What a cut says was left out counts the whole message: as it came, else as it printed.
  const whole = () => wire ?? (plain === null ? undefined : Buffer.byteLength(plain));
  if (fits && (standIn === "always" || (standIn === "auto" && long))) {
    // Masked with a one-byte stand-in for `…`; its kinds are kept only if the stand-in was sound.
    // Always a set: masking also reads it (an AWS key id seen in one string opens a window in the next).
    const kinds = new Set<string>();
    const budget: MaskBudget = { left: limit, ellipsis: ELLIPSIS_STAND_IN };
    const text = upToCut(printMasked(value, kinds, budget), budget);
    const capped = budget.plainOnly
      ? null
      : capWithEllipses(text, limit, truncated, (size) =>
          totalBytes(partial, budget, limit, whole, () => size),
        );
    if (capped !== null) {
      for (const kind of kinds) found?.add(kind);
      return capped;
    }
  }
  const budget: MaskBudget = { left: limit };
  const text = upToCut(printMasked(value, found ?? new Set<string>(), budget), budget);
  // Its own size only where it may not fit (3 bytes a character at most).
  const own = () => (text.length * 3 <= limit ? text.length : utf8View(text).length);
  return capText(text, limit, totalBytes(partial, budget, limit, whole, own));
}

/**
 * The size in bytes of the whole payload's text for a cut of `limit`, given the masked text's own size
 * (`own`: exact where it may exceed the limit): a message's start counts the whole message; a masked
 * text that is cut (by the limit, or by masking's budget) counts the whole message it came from (`whole`,
 * or its own size where that is not known); a masked text that fits is its own size. Past the limit
 * whenever something was cut, so that the text still says so where masking left it shorter.
 */
function totalBytes(
  partial: PartialPayload | undefined,
  budget: MaskBudget,
  limit: number,
  whole: () => number | undefined,
  own: () => number,
): number {
  if (partial) return Math.max(partial.bytes, limit + 1);
  const size = own();
  if (!budget.cut && size <= limit) return size;
  return Math.max(whole() ?? size, limit + 1);
}

/**
 * A budgeted copy's text up to where its first string was cut: what was sent, up to the cut, rather than
 * the cut string closed and the structure around it closed after it (`…aaa"}}}`, `"":""`).
 */
function upToCut(text: string, budget: MaskBudget): string {
  const at = budget.marked ? text.indexOf(CUT_MARK) : -1;
  return at === -1 ? text : text.slice(0, at);
}

/** The JSON text of a parsed value, or null when it nests too deep to print (masking bounds the depth). */
function printed(value: unknown): string | null {
  try {
    return JSON.stringify(value);
  } catch {
    return null;
  }
}

/** For free text (log lines, error messages): masked and capped. */
/** `omittedBytes`: bytes of the text as it came that are already not in `text` (a line cut while read). */
export function captureText(
  text: string,
  limitBytes = DEFAULT_CAPTURE_LIMIT,
  found?: Set<string>,
  omittedBytes = 0,
): string {
  // Masked over a window past the cut, kept up to the cut in the original's offsets (see maskBudgeted).
  const masked =
    text.length > limitBytes
      ? maskString(text.slice(0, keptBytes(limitBytes)), found, limitBytes)
      : maskString(text, found);
  const total = Buffer.byteLength(text) + omittedBytes;
  // A cut made while reading says so even when what was kept fits under the limit.
  if (omittedBytes > 0 && total <= limitBytes) return `${masked}${truncated(total, total - omittedBytes)}`;
  return capText(masked, limitBytes, total);
}
