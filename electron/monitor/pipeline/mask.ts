/**
 * Masks secrets before anything is stored or shown. Two kinds of rules find them: credential formats
 * (gitleaks' rule set, token-rules.ts) and structural ones no format list covers (structural-rules.ts) —
 * the password in a URL's user info, the value after a secret-named key in JSON, YAML, `.env`, `export`,
 * flags, headers and query strings, and a Bearer/Basic credential. Every masked value reads `[masked:KIND]`, or
 * `[masked:KIND…WXYZ]` (its last four characters) when it is long enough that four characters give
 * nothing away, so two keys can still be told apart. Only the kind ever leaves this module.
 */
import { KeywordScanner } from "./keyword-scan.js";
import { describes, isSchemaFragment, schemaRole } from "./schema-fragment.js";
import {
  NAMED_SECRET,
  SECRET_INFIXES,
  SECRET_SUFFIXES,
  type SecretKeyStrength,
  SHAPED_SUFFIXES,
  secretKeyStrength,
  secretValue,
  WEAK_SUFFIXES,
} from "./secret-keys.js";
import {
  AUTH_SCHEMES,
  BASE64_PEM_NEEDLE,
  DB_CLIENT_NEEDLES,
  gluedPasswordArgs,
  hasPgpassPort,
  LOOSE_TOKENS,
  NETRC_NEEDLE,
  PRIVATE_KEY_NEEDLE,
  structuralSpans,
  URL_NEEDLE,
} from "./structural-rules.js";
import { TextScanner } from "./text-scan.js";
import { AWS_KEY_ID, anyTokenKeyword, awsSecretAfter, type SecretSpan, tokenSpans } from "./token-rules.js";

export { isSecretKey, NAMED_SECRET, type SecretKeyStrength, secretKeyStrength } from "./secret-keys.js";

/** What a masked value (as `maskedText` spells it) looks like inside a string: `[masked:named-secret…6789]`. */
export const MASKED_VALUE = /\[masked:[^\]\s]+\]/;

/** The one spelling of a masked value (`budget`: see MaskBudget.ellipsis). */
export function maskedText(kind: string, secret: string, budget?: MaskBudget): string {
  if (secret.length < 16) return `[masked:${kind}]`;
  return `[masked:${kind}${budget?.ellipsis ?? "…"}${secret.slice(-4)}]`;
}

/** The one pass over each text masked: the rules' keywords, secret words, and what the other rules need. */
const TEXT = new TextScanner([
  PRIVATE_KEY_NEEDLE,
  URL_NEEDLE,
  BASE64_PEM_NEEDLE,
  NETRC_NEEDLE,
  ...DB_CLIENT_NEEDLES,
  ...AUTH_SCHEMES,
  ...LOOSE_TOKENS.map((t) => t[1]),
]);

/**
 * Every word a structural rule or a secret-named key needs, lower-case without `-`, `_`, `.` (how keys
 * are compared): each spelling of KEY_WORD, each key suffix and infix, the auth schemes, and the MySQL
 * clients whose `-p` takes a password.
 */
const NEEDED_WORDS = new KeywordScanner(
  [
    ...new Set([
      ...SECRET_SUFFIXES,
      ...SECRET_INFIXES,
      ...WEAK_SUFFIXES,
      ...SHAPED_SUFFIXES,
      ...["passd", "passwrd", "password", "passwd", "passphrase", "pwd", "secret", "token", "apikey"],
      ...["accesskey", "secretkey", "privatekey", "accountkey", "signingkey", "encryptionkey", "masterkey"],
      ...["credential", "auth", "cookie", "session", "bearer", "sig", "basic"],
      ...DB_CLIENT_NEEDLES,
    ]),
  ],
  "-_.",
);

/**
 * Whether `maskValue(value, found, { left })` could differ from `value`, judged from `json`, the JSON text
 * of a parsed value with `json.length * 2 < left` (so the budget never runs out, see maskBudgeted). False
 * only when no rule can match any key or string in it: a string's every rule needs one of the rules'
 * keywords, `PRIVATE KEY`, `://`, a loose token's prefix or a NEEDED_WORDS word, all ASCII without
 * quotes or backslashes, so a string holding one holds it in its JSON spelling too; a secret-named key
 * holds a NEEDED_WORDS word once lower-cased and stripped of `-_.`, so its JSON spelling does as well.
 * A small call's payload usually has none: it is then stored as its JSON text, without the masking copy.
 */
export function mayHoldSecret(json: string): boolean {
  if (json.includes(PRIVATE_KEY_NEEDLE) || json.includes(URL_NEEDLE) || json.includes(BASE64_PEM_NEEDLE))
    return true;
  for (const token of LOOSE_TOKENS) if (json.includes(token[1])) return true;
  if (hasPgpassPort(json)) return true;
  // More containers than masking descends into: maybe "[too deep]". Counted by native searches.
  let opens = 0;
  for (const open of ["{", "["])
    for (let i = json.indexOf(open); i !== -1; i = json.indexOf(open, i + 1))
      if (++opens > MAX_DEPTH) return true;
  if (anyTokenKeyword(json)) return true;
  // All ASCII exactly when every character is one byte of UTF-8 (counted natively).
  const ascii = Buffer.byteLength(json, "utf8") === json.length;
  // The scan folds ASCII case only; a few other characters lower-case to ASCII letters (K, İ).
  return NEEDED_WORDS.any(ascii ? json : json.toLowerCase());
}

/** Containers nested deeper than this are stored as `[too deep]`. */
const MAX_DEPTH = 64;

/** Overlapping spans become one, named by the most specific rule among them. */
function merge(spans: SecretSpan[]): SecretSpan[] {
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  const out: SecretSpan[] = [];
  for (const span of spans) {
    const last = out[out.length - 1];
    if (last && span.start < last.end) {
      if (span.start === last.start) last.quote ??= span.quote;
      last.end = Math.max(last.end, span.end);
      if (span.rank > last.rank) {
        last.kind = span.kind;
        last.rank = span.rank;
      }
    } else out.push({ ...span });
  }
  return out;
}

/**
 * Masks every secret in a string; `found` collects the kinds. `key`: the name the string sits under in
 * structured data, when it holds a credential format's keyword. Many formats are recognised only by their
 * keyword next to the value (`okta … = 00…`), as text spells it; a JSON key is that keyword, so the rules
 * read `key=text`, and only spans within the text count.
 */
export function maskString(
  text: string,
  found?: Set<string>,
  keepTo = Number.POSITIVE_INFINITY,
  budget?: MaskBudget,
  key?: string,
): string {
  if (text.length < 6) return text.slice(0, keepTo);
  const spans: SecretSpan[] = [];
  if (key === undefined) {
    const scan = TEXT.scan(text);
    tokenSpans(text, spans, scan.rules);
    structuralSpans(text, spans, scan);
  } else keyedSpans(key, text, spans);
  // A payload's strings are masked one by one: an AWS key id in an earlier one (`{"id": …, "key": …}`,
  // a CSV row as a list) opens the window its secret key is looked for in for the strings after it.
  if (found?.has(AWS_KEY_ID)) awsSecretAfter(text, 0, spans);
  if (spans.length === 0) return text.slice(0, keepTo);
  let out = "";
  let at = 0;
  for (const span of merge(spans)) {
    found?.add(span.kind);
    // Past the kept part: found (it crossed the wrapper), never stored.
    if (span.start >= keepTo) continue;
    const quote = span.quote ?? "";
    out += `${text.slice(at, span.start)}${quote}${maskedText(span.kind, text.slice(span.start, span.end), budget)}${quote}`;
    at = span.end;
  }
  return at < keepTo ? out + text.slice(at, keepTo) : out;
}

/** The spans of `text` read as `key=text`, in `text`'s offsets (see maskString). */
function keyedSpans(key: string, text: string, spans: SecretSpan[]): void {
  const at = key.length + 1;
  const whole = `${key}=${text}`;
  const all: SecretSpan[] = [];
  const scan = TEXT.scan(whole);
  tokenSpans(whole, all, scan.rules);
  structuralSpans(whole, all, scan);
  for (const span of all)
    if (span.end > at) spans.push({ ...span, start: Math.max(span.start, at) - at, end: span.end - at });
}

/**
 * Masks multi-line private-key blocks in a stream of lines (stderr is stored record by record): every line
 * from a BEGIN … PRIVATE KEY line to its END line is masked whole. Other lines pass unchanged, to be masked
 * once where they are stored.
 */
export class LineMasker {
  private inKeyBlock = false;

  mask(line: string, found?: Set<string>): string {
    const end = /-----END[ A-Z0-9_-]*PRIVATE KEY/;
    if (this.inKeyBlock) {
      if (end.test(line)) this.inKeyBlock = false;
      return maskedText("private-key", "");
    }
    if (/-----BEGIN[ A-Z0-9_-]*PRIVATE KEY/.test(line) && !end.test(line)) {
      this.inKeyBlock = true;
      found?.add("private-key");
      return maskedText("private-key", "");
    }
    return line;
  }
}

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
}

/**
 * Ends the first cut string of a budgeted copy: noncharacters around a nonce drawn per process
 * (JSON.stringify prints them as they are), so no payload holds it before the cut by chance. Not the
 * global crypto: it would load Node's crypto modules into every process that masks, at start; a payload
 * that forged the mark would only cut its own stored text shorter.
 */
export const CUT_MARK = `\uffff${Math.random().toString(36).slice(2, 10)}\uffff`;

/** Notes in `budget` whether `text`, which may reach the masked copy, holds the ellipsis's stand-in. */
function admit(text: string, budget: MaskBudget | undefined): void {
  if (budget?.ellipsis !== undefined && !budget.plainOnly && text.includes(budget.ellipsis))
    budget.plainOnly = true;
}

/** Characters masked past the budget's end, so a secret that straddles the cut is still found whole. */
export const BUDGET_MARGIN = 4096;

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
    return value.map((item, i) =>
      glued.has(i)
        ? `-p${maskNamed((item as string).slice(2), "strong", found, budget, depth + 1)}`
        : maskValue(item, found, budget, depth + 1),
    );
  }
  // No prototype: a payload's own `__proto__` key is then a key like any other, kept in the copy.
  const out: Record<string, unknown> = Object.create(null);
  const pair = pairName(value);
  for (const [key, item] of Object.entries(value)) {
    // In a name/value pair, the value sits under the pair's name (`{"name": "DB_PASSWORD", "value": …}`).
    const name = pair !== undefined && PAIR_VALUE.has(key) ? pair : key;
    out[maskKey(key, found, budget)] = maskNamed(
      item,
      secretKeyStrength(name),
      found,
      budget,
      depth + 1,
      name,
    );
  }
  return out;
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

function maskKey(key: string, found?: Set<string>, budget?: MaskBudget): string {
  const name = maskBudgeted(key, found, budget);
  // A payload's own `…` in a key: it might equal another key masked with `…`, and not with the stand-in.
  if (budget?.ellipsis !== undefined && name.includes("…")) budget.plainOnly = true;
  return name;
}

/** `item`, the value under `name`, a key of this strength (null: a key like any other). */
function maskNamed(
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
    if (masked !== text || !secretValue(masked, strength)) return masked === text ? item : masked;
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
function maskSchema(
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

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Notes the cut of a string in the budget; the first one ends with CUT_MARK. */
function cutHere(kept: string, budget: MaskBudget): string {
  budget.cut = true;
  if (budget.marked) return kept;
  budget.marked = true;
  return kept + CUT_MARK;
}

function maskBudgeted(text: string, found?: Set<string>, budget?: MaskBudget, key?: string): string {
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
function keepBudgeted(text: string, budget?: MaskBudget): string {
  if (!budget) return text;
  if (budget.left <= 0) return text.length > 0 ? cutHere("", budget) : "";
  const kept = text.length <= budget.left ? text : text.slice(0, budget.left);
  admit(kept, budget);
  budget.left -= kept.length + 4;
  return kept.length < text.length ? cutHere(kept, budget) : kept;
}

function maskAll(value: unknown, found?: Set<string>, budget?: MaskBudget, depth = 0): unknown {
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
