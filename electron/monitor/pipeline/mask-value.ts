/**
 * Masking structured data: a deep copy with every key and string masked, and the values under secret names
 * (a key, a name/value pair's name, a list's or an object's name) judged as that name's values.
 */

import { gluedPasswordArgs } from "./credential-file-rules.js";
import { QUOTE_MIN_CHARS } from "./json-quote.js";
import {
  admit,
  BUDGET_MARGIN,
  CUT_MARK,
  type LongString,
  type MaskBudget,
  maskBudgeted,
} from "./mask-budget.js";
import { maskSchema } from "./mask-schema.js";
import { maskedText } from "./mask-text.js";
import { isSchemaFragment } from "./schema-fragment.js";
import { NAMED_SECRET, type SecretKeyStrength, secretKeyStrength, secretValue } from "./secret-keys.js";
import { anyTokenKeyword } from "./token-rules.js";

/** Containers nested deeper than this are stored as `[too deep]`. */
export const MAX_DEPTH = 64;

/**
 * A deep copy of `value` with secrets masked in keys and values. Bounded depth (parsed JSON has no cycles).
 * `found` collects the kinds; a walk always has one, since masking reads it too (an AWS key id seen in one
 * string opens a window in the strings after it).
 */
export function maskValue(
  value: unknown,
  found: Set<string> = new Set(),
  budget?: MaskBudget,
  depth = 0,
): unknown {
  if (typeof value === "string") return maskBudgeted(value, found, budget);
  if (value === null || typeof value !== "object") {
    // A function or a bigint prints through its own toJSON, if at all: text no rule here has read.
    if (budget?.ellipsis !== undefined && (typeof value === "function" || typeof value === "bigint"))
      budget.plainOnly = true;
    return value;
  }
  if (depth > MAX_DEPTH) return "[too deep]";
  if (Array.isArray(value)) {
    // An argument list (`["mysql", "-pS3cret"]`): a password glued to its flag is the flag's value.
    const glued = gluedPasswordArgs(value);
    const copy = value.map((item, i) =>
      glued.has(i)
        ? `-p${maskNamed((item as string).slice(2), "strong", found, budget, depth + 1)}`
        : maskValue(item, found, budget, depth + 1),
    );
    if (budget?.long) for (let i = 0; i < copy.length; i++) noteLong(copy, i, copy[i], budget.long);
    return copy;
  }
  // No prototype: a payload's own `__proto__` key is then a key like any other, kept in the copy.
  const out: Record<string, unknown> = Object.create(null);
  const pair = pairName(value);
  for (const [key, item] of Object.entries(value)) {
    // In a name/value pair, the value sits under the pair's name (`{"name": "DB_PASSWORD", "value": …}`).
    const name = pair !== undefined && PAIR_VALUE.has(key) ? pair : key;
    const masked = maskKey(key, found, budget);
    const copy = maskNamed(item, secretKeyStrength(name), found, budget, depth + 1, name);
    out[masked] = copy;
    if (budget?.long) noteLong(out, masked, copy, budget.long);
  }
  return out;
}

/** Notes `holder[key]` (`item`) in `long` if it is a string long enough to be printed apart (MaskBudget.long). */
function noteLong(
  holder: LongString["holder"],
  key: string | number,
  item: unknown,
  long: LongString[],
): void {
  if (typeof item === "string" && item.length >= QUOTE_MIN_CHARS) long.push({ holder, key });
}

/** The fields that name the other one in a name/value pair (Kubernetes and ECS env, HAR headers). */
const PAIR_NAME = ["name", "Name", "key", "Key"];
const PAIR_VALUE = new Set(["value", "Value"]);

/** The name of a name/value pair: an object holding a string under a PAIR_NAME and a PAIR_VALUE field. */
function pairName(value: object): string | undefined {
  const record = value as Record<string, unknown>;
  if (!("value" in record || "Value" in record)) return undefined;
  for (const field of PAIR_NAME) if (typeof record[field] === "string") return record[field] as string;
  return undefined;
}

export function maskKey(key: string, found?: Set<string>, budget?: MaskBudget): string {
  const name = maskBudgeted(key, found, budget);
  // A payload's own `…` in a key: it might equal another key masked with `…`, and not with the stand-in.
  if (budget?.ellipsis !== undefined && name.includes("…")) budget.plainOnly = true;
  return name;
}

/** `item`, the value under `name`, a key of this strength (null: a key like any other). */
export function maskNamed(
  item: unknown,
  strength: SecretKeyStrength,
  found?: Set<string>,
  budget?: MaskBudget,
  depth = 0,
  name?: string,
): unknown {
  // A name holding a credential format's keyword is read with the value (see maskString).
  const keyed = name !== undefined && typeof item === "string" && anyTokenKeyword(name) ? name : undefined;
  if (!strength && keyed !== undefined) return maskBudgeted(item as string, found, budget, keyed);
  if (strength && (typeof item === "string" || typeof item === "number")) {
    const text = String(item);
    const masked = maskBudgeted(text, found, budget, keyed);
    // Cut by the budget: judged whole, so a secret under a secret name is never kept in part.
    if (
      masked.endsWith(CUT_MARK) &&
      masked !== CUT_MARK &&
      secretValue(text.slice(0, BUDGET_MARGIN), strength)
    ) {
      found?.add(NAMED_SECRET);
      return maskedText(NAMED_SECRET, "", budget) + CUT_MARK;
    }
    if (masked !== text || !secretValue(masked, strength, name)) return masked === text ? item : masked;
    found?.add(NAMED_SECRET);
    return maskedText(NAMED_SECRET, masked, budget);
  }
  if (strength && isRecord(item)) {
    // A parameter's schema (`"password": {"type": "string"}`) describes a secret; it is not one.
    if (isSchemaFragment(item)) return maskSchema(item, strength, found, budget, depth);
    // e.g. "credentials": {…}: every leaf is a secret.
    if (strength === "strong") return maskAll(item, found, budget, depth);
  }
  // A list under a secret name (`"api_keys": […]`, a header map's `"Cookie": ["…"]`): each item is its value.
  if (strength && Array.isArray(item)) {
    if (depth > MAX_DEPTH) return "[too deep]";
    return item.map((v) => maskNamed(v, strength, found, budget, depth + 1, name));
  }
  return maskValue(item, found, budget, depth);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

export function maskAll(value: unknown, found?: Set<string>, budget?: MaskBudget, depth = 0): unknown {
  if (value === null || typeof value === "boolean") return value;
  if (typeof value !== "object") {
    // A leaf as the value of a secret name: placeholders and references are kept, as there.
    if (typeof value === "string" || typeof value === "number")
      return maskNamed(value, "strong", found, budget, depth);
    found?.add(NAMED_SECRET);
    const secret = String(value);
    admit(secret, budget);
    return maskedText(NAMED_SECRET, secret, budget);
  }
  // Bounded as maskValue is: a payload nested thousands deep must not overflow the stack.
  if (depth > MAX_DEPTH) return "[too deep]";
  if (Array.isArray(value)) return value.map((v) => maskAll(v, found, budget, depth + 1));
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => {
      admit(k, budget);
      return [k, maskAll(v, found, budget, depth + 1)];
    }),
  );
}
