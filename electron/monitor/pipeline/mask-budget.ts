/**
 * Masking within a capture's budget: a string past what the capture keeps is cut (or dropped), not masked
 * whole, and the first cut is marked so that the printed copy can end there.
 */
import { maskString } from "./mask-text.js";

/**
 * How much masked text a capture still wants. Past it, strings are not masked but dropped: the capture
 * cap cuts everything after that point anyway, so a 1 MiB payload costs what its first 64 KiB cost.
 */
export interface MaskBudget {
  left: number;
  /** Set once a string was cut to what was left: the masked copy is not the whole value. */
  cut?: boolean;
  /**
   * Written in place of the `…` of masked values, when set: one `…` makes a masked 64 KiB string
   * two-byte, which JSON.stringify and UTF-8 encoding handle at about half the speed of a one-byte one
   * (capture.ts puts the `…` back). Sound only while the stand-in is the one difference between the two
   * spellings: `plainOnly` is set when it might not be — a text masking reads holds the stand-in itself
   * (every string, key and value that can reach the masked copy is looked at), a masked key holds a real
   * `…` (a masked key could then coincide with it in one spelling only), or a value is not JSON data —
   * and the caller then masks again the plain way.
   */
  ellipsis?: string;
  plainOnly?: boolean;
  /**
   * Set by the first string cut: it then ends with CUT_MARK, so that the printed copy can be cut right
   * there (capture.ts), instead of keeping the structure printing closes after it (`"}}}`) and the empty
   * strings that stand for what follows.
   */
  marked?: boolean;
  /**
   * When set, where the copy holds strings of QUOTE_MIN_CHARS or more (the container and the key or
   * index), appended as the copy is made: capture.ts prints those itself (json-quote.ts).
   */
  long?: LongString[];
}

/** A string of the masked copy long enough to be printed apart: `holder[key]`. */
export interface LongString {
  holder: Record<string, unknown> | unknown[];
  key: string | number;
}

/**
 * Ends the first cut string of a budgeted copy: a nonce drawn per process between two DELs (JSON.stringify
 * prints them as they are), so no payload holds it before the cut by chance. One-byte characters: a
 * two-byte one would make the whole masked copy two-byte, which JSON.stringify, the search for the mark
 * and UTF-8 encoding handle at a third of the speed (about 0.3 ms a 64 KiB capture). Not the global
 * crypto: it would load Node's crypto modules into every process that masks, at start; a payload that
 * forged the mark would only cut its own stored text shorter.
 */
export const CUT_MARK = `\x7f${Math.random().toString(36).slice(2, 10)}\x7f`;

/** Notes in `budget` whether `text`, which may reach the masked copy, holds the ellipsis's stand-in. */
export function admit(text: string, budget: MaskBudget | undefined): void {
  if (budget?.ellipsis !== undefined && !budget.plainOnly && text.includes(budget.ellipsis))
    budget.plainOnly = true;
}

/** Characters masked past the budget's end, so a secret that straddles the cut is still found whole. */
export const BUDGET_MARGIN = 4096;

/** Notes the cut of a string in the budget; the first one ends with CUT_MARK. */
function cutHere(kept: string, budget: MaskBudget): string {
  budget.cut = true;
  if (budget.marked) return kept;
  budget.marked = true;
  return kept + CUT_MARK;
}

export function maskBudgeted(text: string, found?: Set<string>, budget?: MaskBudget, key?: string): string {
  if (!budget) return maskString(text, found, Number.POSITIVE_INFINITY, undefined, key);
  if (budget.left <= 0) return text.length > 0 ? cutHere("", budget) : "";
  if (text.length <= budget.left) {
    admit(text, budget);
    const masked = maskString(text, found, Number.POSITIVE_INFINITY, budget, key);
    budget.left -= masked.length + 4;
    return masked;
  }
  // Longer than what is left: masked over a window past the cut, so that a secret straddling it is found
  // whole, but kept only up to the cut in the original's offsets. Cutting the masked text instead would let
  // text from past the cut (and a secret cut short by the window) move in where earlier masks shortened it.
  const window = text.slice(0, budget.left + BUDGET_MARGIN);
  admit(window, budget);
  const masked = maskString(window, found, budget.left, budget, key);
  budget.left -= masked.length + 4;
  return cutHere(masked, budget);
}

/** Text known to hold no secret, counted against the budget as masked text is. */
export function keepBudgeted(text: string, budget?: MaskBudget): string {
  if (!budget) return text;
  if (budget.left <= 0) return text.length > 0 ? cutHere("", budget) : "";
  const kept = text.length <= budget.left ? text : text.slice(0, budget.left);
  admit(kept, budget);
  budget.left -= kept.length + 4;
  return kept.length < text.length ? cutHere(kept, budget) : kept;
}
