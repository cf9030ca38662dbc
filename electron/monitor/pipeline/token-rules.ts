/**
 * Credential formats from gitleaks' maintained rule set (vendored as data in gitleaks-rules.json, MIT,
 * converted by build/gitleaks-rules.mjs). Each rule runs only when one of its keywords occurs in the text
 * (as gitleaks does), so a payload without any credential-looking fragment costs one lower-casing and a
 * keyword scan, not two hundred regular expressions.
 */
import data from "./gitleaks-rules.json" with { type: "json" };
import { KeywordScanner } from "./keyword-scan.js";

export interface SecretSpan {
  start: number;
  end: number;
  kind: string;
  /** Higher wins when spans overlap: a named format (3) over a structural rule (2). */
  rank: number;
  /**
   * Written around the masked value: a bare number under a name in JSON text (`"pin":4821`) is masked
   * as a string, so that the text stays JSON.
   */
  quote?: string;
}

interface TokenRule {
  kind: string;
  pattern: RegExp;
  keywords: string[];
  secretGroup: number | undefined;
}

/**
 * gitleaks' catch-all for any `key = value`: left out. It tries fifty prefixes at every position of any
 * text holding "key" or "api" (10 ms for 64 KiB of code, more than all other rules together), and the
 * structural rules (structural-rules.ts) cover secret-named keys in every syntax for a fraction of that.
 */
const LEFT_OUT = new Set(["generic-api-key"]);

/**
 * Compiles a rule. Node before 23 lacks `(?i:…)` modifier groups: there the rule runs case-insensitive
 * throughout, which only masks more.
 */
function compile(rule: string, flags: string): RegExp {
  const source = escapedQuotes(rule);
  try {
    return new RegExp(source, `${flags}gd`);
  } catch {
    const plain = source.replace(/\(\?-?[is]+:/g, "(?:");
    const dotAll = source.includes("(?s:") ? "s" : "";
    return new RegExp(plain, `${flags.replace("i", "")}i${dotAll}gd`);
  }
}

/**
 * `rule` with each quote it matches also matched escaped: JSON text inside a string (a tool result that
 * echoes a command, a log message holding JSON) spells `"` as `\"`, and a credential there is the same
 * credential (`curl -u \"user:pw\"`, `okta_key\":\"00…`). A quote outside a class may follow a
 * backslash; a class that takes a quote takes a backslash too.
 */
function escapedQuotes(rule: string): string {
  let out = "";
  let inClass = false;
  let negated = false;
  let quoteInClass = false;
  for (let i = 0; i < rule.length; i++) {
    const c = rule[i] as string;
    const quote = c === '"' || (c === "\\" && rule[i + 1] === '"');
    if (c === "\\" && !quote) {
      out += c + (rule[i + 1] ?? "");
      i++;
    } else if (inClass) {
      if (quote) quoteInClass = true;
      if (c === "]") {
        inClass = false;
        if (quoteInClass && !negated) out += "\\\\";
      }
      out += quote ? '"' : c;
      if (c === "\\") i++;
    } else if (c === "[") {
      inClass = true;
      negated = rule[i + 1] === "^";
      quoteInClass = false;
      out += c;
    } else if (quote) {
      out += '\\\\?"';
      if (c === "\\") i++;
    } else out += c;
  }
  return out;
}

const RULES: TokenRule[] = data.rules
  .filter((rule) => !LEFT_OUT.has(rule.id))
  .map((rule) => ({
    kind: rule.id,
    pattern: compile(rule.regex, rule.flags),
    keywords: rule.keywords,
    secretGroup: (rule as { secretGroup?: number }).secretGroup,
  }));

/** Each rule's keywords, in rule order (what the text scan looks for, text-scan.ts). */
export const RULE_KEYWORDS: readonly (readonly string[])[] = RULES.map((r) => r.keywords);

const SCANNER = new KeywordScanner([...new Set(RULES.flatMap((r) => r.keywords))]);

/**
 * Whether any rule's keyword occurs in `text`. Keywords are ASCII without quotes or backslashes, so a
 * string holding one still holds it in its JSON spelling: no hit in a payload's JSON means no rule runs
 * on any of its strings.
 */
export function anyTokenKeyword(text: string): boolean {
  return SCANNER.any(text);
}

/** Shannon entropy in bits per character, as gitleaks computes it. */
export function entropy(text: string): number {
  const counts = new Map<string, number>();
  for (const c of text) counts.set(c, (counts.get(c) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/**
 * Spans of `text` holding credentials of a known format, from the rules whose keyword occurs in it
 * (`present`: their indices in RULE_KEYWORDS' order, ascending, from the text scan). gitleaks' entropy
 * thresholds are not applied: they spare a reviewer placeholders, and a mask errs the other way.
 */
export function tokenSpans(text: string, spans: SecretSpan[], present: readonly number[]): void {
  for (const r of present) {
    const rule = RULES[r] as TokenRule;
    rule.pattern.lastIndex = 0;
    for (let m = rule.pattern.exec(text); m; m = rule.pattern.exec(text)) {
      if (m[0] === "") rule.pattern.lastIndex++;
      const group = rule.secretGroup ?? firstGroup(m);
      const at = m.indices?.[group];
      const secret = m[group];
      if (!at || !secret) continue;
      // A few rules take the quotes around a value into it (`password = "…"`, `curl -u "u:p"`): the
      // quotes stay, so that JSON and code stay what they were.
      const [open, close] = quotes(secret);
      spans.push({ start: at[0] + open, end: at[1] - close, kind: rule.kind, rank: 3 });
      if (rule.kind === AWS_KEY_ID) awsSecretAfter(text, at[1], spans);
    }
  }
}

/** How many characters of quotes (`"`, `'`, or escaped `\"`) open and close `secret`, if it is quoted. */
function quotes(secret: string): [number, number] {
  const q = /^\\?(["'])/.exec(secret);
  if (!q) return [0, 0];
  const quote = q[1] as string;
  const close = secret.endsWith(`\\${quote}`) ? 2 : secret.endsWith(quote) ? 1 : 0;
  return close && secret.length > q[0].length + close ? [q[0].length, close] : [0, 0];
}

/** The vendored rule for AWS access key ids (test/monitor/mask.test.ts checks it is still there). */
export const AWS_KEY_ID = "aws-access-token";
/** How far after an AWS access key id its secret key is looked for (`id secret`, `id:secret`, a CSV row). */
const AWS_SECRET_WINDOW = 160;
const AWS_SECRET = /(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/dg;

/**
 * An AWS secret access key has no format of its own (40 base64 characters), so it is masked where it
 * gives itself away: shortly after its access key id, mixed-case (a lowercase hex digest is not one).
 * `from` is where the window starts in `text` (0 in a string that follows the id's, in a payload whose
 * strings are masked one by one).
 */
export function awsSecretAfter(text: string, from: number, spans: SecretSpan[]): void {
  const window = text.slice(from, from + AWS_SECRET_WINDOW);
  AWS_SECRET.lastIndex = 0;
  for (let m = AWS_SECRET.exec(window); m; m = AWS_SECRET.exec(window)) {
    if (!isAwsSecret(m[0])) continue;
    spans.push({ start: from + m.index, end: from + m.index + 40, kind: AWS_SECRET_KIND, rank: 3 });
    return;
  }
}

export const AWS_SECRET_KIND = "aws-secret-access-key";

/** 40 base64 characters, mixed-case: the shape of an AWS secret access key (a lowercase hex digest is not). */
export function isAwsSecret(value: string): boolean {
  return value.length === 40 && /^[A-Za-z0-9/+]+$/.test(value) && /[a-z]/.test(value) && /[A-Z]/.test(value);
}

/** gitleaks reports the first group that matched, or the whole match when the rule has none. */
function firstGroup(m: RegExpExecArray): number {
  for (let i = 1; i < m.length; i++) if (m[i] !== undefined && m[i] !== "") return i;
  return 0;
}
