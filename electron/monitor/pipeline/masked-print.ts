/**
 * The masked copy of a payload, printed: its long strings quoted by json-quote.ts rather than by
 * JSON.stringify, the same text.
 */
import { QUOTE_MIN_CHARS, quoteJson } from "./json-quote.js";
import type { LongString, MaskBudget } from "./mask-budget.js";
import { maskValue } from "./mask-value.js";

/**
 * Stands in the printed copy for a long string printed apart: a nonce drawn per process between DELs, so
 * no payload holds it by chance (one that forged it would only change its own stored text).
 */
const SLOT = `\x7f${Math.random().toString(36).slice(2, 10)}:`;

/**
 * `JSON.stringify(maskValue(value, found, budget))`, its long strings quoted by json-quote.ts: they are
 * printed as slots, and their quoted text put in the slots' place.
 */
export function printMasked(value: unknown, found: Set<string>, budget: MaskBudget): string {
  const long: LongString[] = [];
  budget.long = long;
  const copy = maskValue(value, found, budget);
  budget.long = undefined;
  if (typeof copy === "string") return quoteJson(copy);
  if (long.length === 0) return JSON.stringify(copy);
  const texts: string[] = [];
  const slots: LongString[] = [];
  for (const at of long) {
    const holder = at.holder as Record<string | number, unknown>;
    const item = holder[at.key];
    // A slot noted twice, or overwritten by a later key masked to the same name, holds no long string now.
    if (typeof item !== "string" || item.length < QUOTE_MIN_CHARS) continue;
    holder[at.key] = `${SLOT}${texts.length}\x7f`;
    texts.push(item);
    slots.push(at);
  }
  const printed = JSON.stringify(copy);
  const places = texts.map((_, i) => ({ i, at: printed.indexOf(`"${SLOT}${i}\x7f"`) }));
  if (places.some((p) => p.at === -1)) {
    // A slot in a part of the copy that is not printed (a container a later key replaced): printed whole.
    slots.forEach((s, i) => {
      (s.holder as Record<string | number, unknown>)[s.key] = texts[i];
    });
    return JSON.stringify(copy);
  }
  places.sort((a, b) => a.at - b.at);
  let out = "";
  let from = 0;
  for (const { i, at } of places) {
    out += printed.slice(from, at) + quoteJson(texts[i] as string);
    from = at + `"${SLOT}${i}\x7f"`.length;
  }
  return out + printed.slice(from);
}
