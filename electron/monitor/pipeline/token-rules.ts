/**
 * Credential formats from gitleaks' maintained rule set (vendored as data in gitleaks-rules.json, MIT,
 * converted by build/gitleaks-rules.mjs). Each rule runs only when one of its keywords occurs in the text
 * (as gitleaks does), so a payload without any credential-looking fragment costs one lower-casing and a
 * keyword scan, not two hundred regular expressions.
 */
import data from "./gitleaks-rules.json" with { type: "json" };

export interface SecretSpan {
  start: number;
  end: number;
  kind: string;
  /** Higher wins when spans overlap: a named format over a structural rule over the generic one. */
  rank: number;
}

interface TokenRule {
  kind: string;
  pattern: RegExp;
  keywords: string[];
  secretGroup: number | undefined;
  entropy: number | undefined;
  rank: number;
}

/** gitleaks rules that catch any `key = value`; the structural rules in mask.ts name these better. */
const GENERIC = new Set(["generic-api-key"]);

/**
 * Compiles a rule. Node before 23 lacks `(?i:…)` modifier groups: there the rule runs case-insensitive
 * throughout, which only masks more.
 */
function compile(source: string, flags: string): RegExp {
  try {
    return new RegExp(source, `${flags}gd`);
  } catch {
    const plain = source.replace(/\(\?-?[is]+:/g, "(?:");
    const dotAll = source.includes("(?s:") ? "s" : "";
    return new RegExp(plain, `${flags.replace("i", "")}i${dotAll}gd`);
  }
}

const RULES: TokenRule[] = data.rules.map((rule) => ({
  kind: rule.id,
  pattern: compile(rule.regex, rule.flags),
  keywords: rule.keywords,
  secretGroup: (rule as { secretGroup?: number }).secretGroup,
  // gitleaks skips low-entropy matches to spare reviewers placeholders; a mask errs the other way, so
  // only the rule that matches any `key = value` keeps its threshold.
  entropy: GENERIC.has(rule.id) ? (rule as { entropy?: number }).entropy : undefined,
  rank: GENERIC.has(rule.id) ? 1 : 3,
}));

const KEYWORDS = [...new Set(RULES.flatMap((r) => r.keywords))].sort((a, b) => b.length - a.length);
/**
 * One pass finds the keywords present: at each position the longest keyword starting there. A shorter one
 * starting there too is inside it, so each keyword also stands for those it contains.
 */
const KEYWORD_SCAN = new RegExp(
  `(?=(${KEYWORDS.map((k) => k.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&")).join("|")}))`,
  "g",
);
const CONTAINED = new Map(KEYWORDS.map((k) => [k, KEYWORDS.filter((other) => k.includes(other))]));

function keywordsIn(lower: string): Set<string> {
  const present = new Set<string>();
  KEYWORD_SCAN.lastIndex = 0;
  for (let m = KEYWORD_SCAN.exec(lower); m; m = KEYWORD_SCAN.exec(lower)) {
    KEYWORD_SCAN.lastIndex++;
    const keyword = m[1] as string;
    if (present.has(keyword)) continue;
    for (const k of CONTAINED.get(keyword) ?? [keyword]) present.add(k);
  }
  return present;
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

/** Spans of `text` holding credentials of a known format. */
export function tokenSpans(text: string, spans: SecretSpan[]): void {
  const present = keywordsIn(text.toLowerCase());
  if (present.size === 0) return;
  for (const rule of RULES) {
    if (!rule.keywords.some((k) => present.has(k))) continue;
    rule.pattern.lastIndex = 0;
    for (let m = rule.pattern.exec(text); m; m = rule.pattern.exec(text)) {
      if (m[0] === "") rule.pattern.lastIndex++;
      const group = rule.secretGroup ?? firstGroup(m);
      const at = m.indices?.[group];
      const secret = m[group];
      if (!at || !secret) continue;
      if (rule.entropy !== undefined && entropy(secret) < rule.entropy) continue;
      spans.push({ start: at[0], end: at[1], kind: rule.kind, rank: rule.rank });
    }
  }
}

/** gitleaks reports the first group that matched, or the whole match when the rule has none. */
function firstGroup(m: RegExpExecArray): number {
  for (let i = 1; i < m.length; i++) if (m[i] !== undefined && m[i] !== "") return i;
  return 0;
}
