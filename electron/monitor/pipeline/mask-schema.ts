/**
 * Masking JSON Schemas: a tool's schemas, and a schema found under a secret name, stay readable; only the
 * values they hold for a secret-named parameter are masked.
 */
import { keepBudgeted, type MaskBudget } from "./mask-budget.js";
import { isRecord, MAX_DEPTH, maskAll, maskKey, maskNamed, maskValue } from "./mask-value.js";
import { describes, schemaRole } from "./schema-fragment.js";
import { type SecretKeyStrength, secretKeyStrength } from "./secret-keys.js";

/**
 * A tool's `inputSchema` or `outputSchema` masked: a schema by construction, so every object in a schema's
 * place is one whatever its keywords (`{"description": …}` alone, an `x-…` extension), and what describes
 * a secret-named parameter stays readable — a poisoned description under `api_key` must show in a diff.
 * Only the values a schema holds under such a name are masked.
 */
export function maskToolSchema(schema: unknown, found: Set<string> = new Set()): unknown {
  return isRecord(schema) ? maskSchema(schema, null, found, undefined, 0, true) : maskValue(schema, found);
}

const RANK = { strong: 3, weak: 2, shaped: 1 } as const;

function stronger(a: SecretKeyStrength, b: SecretKeyStrength): SecretKeyStrength {
  if (!a) return b;
  if (!b) return a;
  return RANK[b] > RANK[a] ? b : a;
}

/**
 * The schema of a value under a secret-named key: what describes it is masked as any text is; the values
 * it holds (`default`, `const`, `enum`, `examples`) are masked as that key's values, in it and in the
 * schemas of its parts. `trusted`: a tool's schema, whose parts are schemas whatever they hold.
 */
export function maskSchema(
  schema: object,
  strength: SecretKeyStrength,
  found?: Set<string>,
  budget?: MaskBudget,
  depth = 0,
  trusted = false,
): unknown {
  if (depth > MAX_DEPTH) return "[too deep]";
  // A value of the described instance: a scalar as the key's own value would be, anything else whole.
  const instance = (item: unknown, at: number, within = strength) =>
    within === "strong" && item !== null && typeof item === "object"
      ? maskAll(item, found, budget, at)
      : maskNamed(item, within, found, budget, at);
  // The schema of a part of the value (`true` and `false` are schemas too); what is none, a value.
  const part = (item: unknown, at: number, within = strength) =>
    typeof item === "boolean"
      ? item
      : isRecord(item)
        ? trusted
          ? maskSchema(item, within, found, budget, at, true)
          : maskNamed(item, within, found, budget, at)
        : instance(item, at, within);
  const out: Record<string, unknown> = Object.create(null);
  for (const [key, item] of Object.entries(schema)) {
    const name = maskKey(key, found, budget);
    const role = schemaRole(key);
    // Type names (`describes` checked them) hold no secret: kept without being read.
    if (key === "type" && describes(key, item))
      out[name] = Array.isArray(item)
        ? item.map((t: string) => keepBudgeted(t, budget))
        : keepBudgeted(item as string, budget);
    else if (role === "value") out[name] = instance(item, depth + 1);
    else if (role === "values")
      out[name] = Array.isArray(item) ? item.map((v) => instance(v, depth + 2)) : instance(item, depth + 1);
    else if (role === "schemas")
      out[name] = Array.isArray(item) ? item.map((v) => part(v, depth + 2)) : part(item, depth + 1);
    else if (role === "schema" || ((role === "properties" || role === "schema-map") && !isRecord(item)))
      out[name] = part(item, depth + 1);
    else if (role === "properties" || role === "schema-map") {
      const parts: Record<string, unknown> = Object.create(null);
      for (const [prop, sub] of Object.entries(item as object)) {
        // A property's own name can make it a secret where its parent's name did not.
        const within = role === "properties" ? stronger(strength, secretKeyStrength(prop)) : strength;
        // Draft 7's `dependencies` names the properties one requires: names, not values.
        parts[maskKey(prop, found, budget)] =
          key === "dependencies" && describes("required", sub)
            ? maskValue(sub, found, budget, depth + 2)
            : part(sub, depth + 2, within);
      }
      out[name] = parts;
    } else if (role === "text" && describes(key, item)) out[name] = maskValue(item, found, budget, depth + 1);
    // Else a describing keyword holding what no schema's does (`"maxLength": "x"`), or in a tool's schema an
    // extension (`x-…`), whose vendor chose what it holds: a value (a flag is kept), and a secret by its own
    // name too (`"x-api-key": "…"`).
    else out[name] = instance(item, depth + 1, stronger(strength, secretKeyStrength(key)));
  }
  return out;
}
