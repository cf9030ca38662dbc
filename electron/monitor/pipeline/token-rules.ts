/**
 * Credential formats from gitleaks' maintained rule set (vendored as data in gitleaks-rules.json, MIT,
 * converted by build/gitleaks-rules.mjs). Each rule runs only when one of its keywords occurs in the text
 * (as gitleaks does), so a payload without any credential-looking fragment costs one lower-casing and a
 * keyword scan, not two hundred regular expressions.
 */
import data from "./gitleaks-rules.json" with { type: "json" };
import { KeywordScanner } from "./keyword-scan.js";
import { isPrefixChar, type NameAnchor, nameAnchor } from "./rule-prefixes.js";
import { boundaryStarts, literalStarts, requiredText } from "./rule-starts.js";

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
  /**
   * The literal texts every match starts with (rule-starts.ts), and the pattern made sticky: the rule is
   * tried only where one of them occurs. Null: it scans the whole text.
   */
  starts: readonly string[] | null;
  /** For a rule of the named-value template (rule-prefixes.ts): the name it is tried before. */
  anchor: NameAnchor | null;
  sticky: RegExp;
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
  .map((rule) => {
    const pattern = compile(rule.regex, rule.flags);
    return {
      kind: rule.id,
      pattern,
      keywords: rule.keywords,
      secretGroup: (rule as { secretGroup?: number }).secretGroup,
      starts: literalStarts(pattern),
      anchor: nameAnchor(pattern),
      sticky: new RegExp(pattern.source, `${pattern.flags.replace("g", "")}y`),
    };
  });

/** Each rule's literal starts (RULE_KEYWORDS' order), null for a rule that scans the whole text. */
export const RULE_STARTS: readonly (readonly string[] | null)[] = RULES.map((r) => r.starts);

/** Each rule's name anchor (rule-prefixes.ts), null for a rule not of that template. */
export const RULE_ANCHORS: readonly (NameAnchor | null)[] = RULES.map((r) => r.anchor);

/**
 * For each rule that scans the whole text, the text every match of it holds (rule-starts.ts) where that
 * says more than its keywords (`jwt`: `.ey`, beside its keyword `ey`), else null. The text scan lists such
 * a rule only where the text occurs too (text-scan.ts): `ey` is in `key` and `they`, and a JWT is rarely
 * there.
 */
export const RULE_REQUIRED: readonly (string | null)[] = RULES.map((r) => {
  if (r.starts !== null || r.anchor !== null) return null;
  const text = requiredText(r.pattern);
  if (text === null || !/^[\x20-\x7e]+$/.test(text)) return null;
  return r.keywords.some((k) => !k.includes(text.toLowerCase())) ? text : null;
});

/**
 * For each rule that scans the whole text, has no required text, and opens with `\b` before literal starts
 * too short to search for (Vault's `s.`), those starts: the text scan lists such a rule only where one of
 * them follows a character that is not a word character (text-scan.ts), as `items.` and `this.` never do.
 */
export const RULE_BOUNDARY_STARTS: readonly (readonly string[] | null)[] = RULES.map((r, i) =>
  r.starts !== null || r.anchor !== null || RULE_REQUIRED[i] !== null ? null : boundaryStarts(r.pattern),
);

/** Each rule's pattern as compiled (the tests make texts of its shape). */
export const RULE_SOURCES: readonly string[] = RULES.map((r) => r.pattern.source);

/** Each rule's keywords, in rule order (what the text scan looks for, text-scan.ts). */
export const RULE_KEYWORDS: readonly (readonly string[])[] = RULES.map((r) => r.keywords);

let built: KeywordScanner | undefined;
/** Every rule's keywords in one scanner, built on its first use (see mask-text.ts). */
function keywordScanner(): KeywordScanner {
  built ??= new KeywordScanner([...new Set(RULES.flatMap((r) => r.keywords))]);
  return built;
}

/**
 * Whether any rule's keyword occurs in `text`. Keywords are ASCII without quotes or backslashes, so a
 * string holding one still holds it in its JSON spelling: no hit in a payload's JSON means no rule runs
 * on any of its strings.
 */
export function anyTokenKeyword(text: string): boolean {
  return keywordScanner().any(text);
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
    let from = 0;
    for (let m = nextMatch(rule, text, from); m; m = nextMatch(rule, text, from)) {
      from = m.index + (m[0] === "" ? 1 : m[0].length);
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

/**
 * The first match of `rule` in `text` at or after `from`, as its global pattern finds it. A rule with
 * literal starts is tried, sticky, only where one of them occurs: every match starts there, and a match
 * tried at one position is the match the global scan finds at it (a leading `\b` reads the character before,
 * as there), so the first position that matches is the one the global scan stops at.
 */
function nextMatch(rule: TokenRule, text: string, from: number): RegExpExecArray | null {
  const { starts, sticky } = rule;
  if (rule.anchor !== null) return nextNamed(rule, rule.anchor, text, from);
  if (starts === null) {
    rule.pattern.lastIndex = from;
    return rule.pattern.exec(text);
  }
  // Each start's next occurrence at or after `from` (-1: none left), searched again only once passed.
  const next = starts.map((s) => text.indexOf(s, from));
  for (;;) {
    let at = -1;
    for (const i of next) if (i !== -1 && (at === -1 || i < at)) at = i;
    if (at === -1) return null;
    sticky.lastIndex = at;
    const m = sticky.exec(text);
    if (m) return m;
    for (let k = 0; k < next.length; k++)
      if (next[k] === at) next[k] = text.indexOf(starts[k] as string, at + 1);
  }
}

/**
 * nextMatch for a rule of the named-value template. The places its name occurs at or after `from` are
 * found in order; a match whose name is at one of them starts within `reach` characters before it, in the
 * run of prefix characters that ends there, so only those starts are tried, sticky, in order (each once).
 * A match of another alternative that starts with a literal (`ATATT3`) starts where the finder finds that
 * literal, the last start tried there. Every start a match can have is among them, and they rise from one
 * place to the next, so the first that matches is where the global scan stops.
 */
function nextNamed(rule: TokenRule, anchor: NameAnchor, text: string, from: number): RegExpExecArray | null {
  const { finder, reach } = anchor;
  const { sticky } = rule;
  // Starts below `tried` were tried already, or lie before `from`.
  let tried = from;
  for (;;) {
    finder.lastIndex = tried;
    const name = finder.exec(text);
    if (name === null) return null;
    const at = name.index;
    let start = at;
    while (start > tried && at - start < reach && isPrefixChar(text.charCodeAt(start - 1))) start--;
    for (; start <= at; start++) {
      sticky.lastIndex = start;
      const m = sticky.exec(text);
      if (m) return m;
    }
    tried = at + 1;
  }
}

/** For the test that the anchored scan finds what the whole-text scan finds: `r`'s matches either way. */
export function ruleMatches(r: number, text: string, anchored: boolean): RegExpExecArray[] {
  const rule = RULES[r] as TokenRule;
  const out: RegExpExecArray[] = [];
  const as = anchored ? rule : { ...rule, starts: null, anchor: null };
  let from = 0;
  for (let m = nextMatch(as, text, from); m; m = nextMatch(as, text, from)) {
    from = m.index + (m[0] === "" ? 1 : m[0].length);
    out.push(m);
  }
  return out;
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
