/**
 * The one pass over a text that tells masking which rules to run and where: which credential formats'
 * keywords occur in it, where a secret word ends (each lies in a run of key characters that `assignments`
 * tries), and which of the texts the other rules need occur (an auth scheme, `://`, `PRIVATE KEY`…). One
 * Aho–Corasick table serves them all, so a 64 KiB capture is read once instead of once per question.
 */
import { ANY_OTHER, KeywordScanner } from "./keyword-scan.js";
import { MIN_START_CHARS } from "./rule-starts.js";
import { RULE_BOUNDARY_STARTS, RULE_KEYWORDS, RULE_REQUIRED } from "./token-rules.js";

/**
 * For a rule with starts after `\b`, the texts that show one may match: a short start after each character
 * that is not a word character. Those the other keywords hold are named one by one; all others (and every
 * non-ASCII one) are the one class of characters no keyword holds (ANY_OTHER), so that the table gains a
 * dozen rows, not 66 (each row the scan reaches costs it cache). A longer start is looked for alone,
 * being rare enough.
 */
function boundaryTexts(starts: readonly string[], named: ReadonlySet<string>): string[] {
  const before = [ANY_OTHER, ...[...named].filter((c) => c.charCodeAt(0) < 128 && !/\w/.test(c))];
  return starts.flatMap((s) =>
    s.length < MIN_START_CHARS ? before.map((c) => c + s.toLowerCase()) : [s.toLowerCase()],
  );
}

/**
 * The words that make a key secret, as the structural rules look for them: `_` stands for an optional
 * `_`, `.` or `-`. Where one spelling starts another, the longer comes first (as a greedy `?` would).
 */
export const KEY_WORD_SPELLINGS = [
  "password",
  "passwrd",
  "passd",
  "passwd",
  "passphrase",
  "pwd",
  "secret",
  "token",
  "api_key",
  "access_key",
  "secret_key",
  "private_key",
  "account_key",
  "signing_key",
  "encryption_key",
  "master_key",
  "credentials",
  "credential",
  "authorization",
  "auth",
  "cookie",
  "session",
  "bearer",
  "sig",
  "pass",
  "key",
] as const;

/** KEY_WORD_SPELLINGS as a regular expression source (case is the caller's flag). */
export const KEY_WORD = KEY_WORD_SPELLINGS.map((w) => w.replace("_", "[_.-]?")).join("|");

/** Every text KEY_WORD matches: each spelling with each of its separators. */
const keyWordTexts = KEY_WORD_SPELLINGS.flatMap((w) =>
  w.includes("_") ? ["", "_", ".", "-"].map((sep) => w.replace("_", sep)) : [w],
);

export interface TextScan {
  /**
   * The credential rules (indices in token-rules.ts order, ascending) whose keyword occurs, and the text
   * every match holds (RULE_REQUIRED) and one of their starts at a boundary (RULE_BOUNDARY_STARTS), where
   * a rule has them.
   */
  readonly rules: number[];
  /** The index of the last character of each secret word, ascending. */
  readonly keyWordEnds: number[];
  /** Whether one of the scanner's needles occurs (ASCII case folded). */
  has(needle: string): boolean;
}

/**
 * Scans for the credential rules' keywords, the secret words, and `needles` (texts other rules need: any
 * occurrence in any case is reported, so a case-sensitive rule confirms with its own search).
 */
export class TextScanner {
  private readonly scanner: KeywordScanner;
  /** For each keyword, the rules (token-rules.ts order) that name it. */
  private readonly rulesOf: number[][];
  /** For each rule, the keyword index of the text every match holds, or -1. */
  private readonly requiredOf: Int32Array;
  /** For each rule with starts after `\b`, the keyword indices of its boundaryTexts; else null. */
  private readonly boundaryOf: (Int32Array | null)[];
  // Reused: masking is synchronous and reads one scan before it starts the next.
  private readonly seen: Uint8Array;
  /** The keywords the last scan found (their `seen` entries are the only ones set). */
  private readonly present: number[] = [];
  /** 1 for a rule already in the scan's list (cleared as soon as the list is made). */
  private readonly listed = new Uint8Array(RULE_KEYWORDS.length);
  private readonly result: TextScan;

  constructor(needles: readonly string[]) {
    const required = RULE_REQUIRED.flatMap((t) => (t === null ? [] : [t.toLowerCase()]));
    const named = [
      ...RULE_KEYWORDS.flat(),
      ...keyWordTexts,
      ...needles.map((n) => n.toLowerCase()),
      ...required,
    ];
    // Every character a keyword holds, the starts' own included: none of them is in ANY_OTHER's class.
    const chars = new Set([...named, ...RULE_BOUNDARY_STARTS.flatMap((s) => s ?? [])].join("").toLowerCase());
    const boundary = RULE_BOUNDARY_STARTS.map((starts) =>
      starts === null ? null : boundaryTexts(starts, chars),
    );
    const keywords = [...new Set([...named, ...boundary.flatMap((texts) => texts ?? [])])];
    const index = new Map(keywords.map((k, i) => [k, i]));
    this.scanner = new KeywordScanner(keywords, "", new Set(keyWordTexts));
    this.rulesOf = keywords.map(() => []);
    RULE_KEYWORDS.forEach((words, r) => {
      for (const k of words) this.rulesOf[index.get(k) as number]?.push(r);
    });
    this.requiredOf = Int32Array.from(RULE_REQUIRED, (t) =>
      t === null ? -1 : (index.get(t.toLowerCase()) as number),
    );
    this.boundaryOf = boundary.map((texts) =>
      texts === null ? null : Int32Array.from(texts, (t) => index.get(t) as number),
    );
    const needleIndex = new Map(needles.map((n) => [n, index.get(n.toLowerCase()) as number]));
    const seen = new Uint8Array(keywords.length);
    this.seen = seen;
    this.result = {
      rules: [],
      keyWordEnds: [],
      has(needle) {
        const k = needleIndex.get(needle);
        if (k === undefined) throw new Error(`"${needle}" is not one of the scanner's needles`);
        return seen[k] === 1;
      },
    };
  }

  /** Whether rule `r` may match where the last scan of `text` found its keyword (RULE_BOUNDARY_STARTS). */
  private atBoundary(r: number, text: string): boolean {
    const boundary = this.boundaryOf[r];
    if (!boundary) return true;
    for (const k of boundary) if (this.seen[k] === 1) return true;
    return (RULE_BOUNDARY_STARTS[r] as readonly string[]).some((s) => text.startsWith(s));
  }

  /** What `text` holds, in one pass. Valid until the next call. */
  scan(text: string): TextScan {
    const { seen, result, rulesOf, requiredOf, listed, present } = this;
    // Only what the last scan set is cleared: a short text costs nothing for the keywords it never held.
    // (An array's length is set only when it changes: setting it is a call into the runtime.)
    for (const k of present) seen[k] = 0;
    if (present.length !== 0) present.length = 0;
    if (result.keyWordEnds.length !== 0) result.keyWordEnds.length = 0;
    this.scanner.scanInto(text, seen, result.keyWordEnds, undefined, present);
    const { rules } = result;
    if (rules.length !== 0) rules.length = 0;
    // A list of the rules to run, not a flag per rule: most texts wake none, and none is then looked at.
    // A rule whose required text is absent (in any case) cannot match: it is not listed.
    for (const k of present)
      for (const r of rulesOf[k] as number[])
        if (
          listed[r] === 0 &&
          (requiredOf[r] === -1 || seen[requiredOf[r] as number] === 1) &&
          this.atBoundary(r, text)
        ) {
          listed[r] = 1;
          rules.push(r);
        }
    for (const r of rules) listed[r] = 0;
    // In the rule set's order, as they always ran: of two equal overlapping spans the first one names it.
    if (rules.length > 1) rules.sort((a, b) => a - b);
    return result;
  }
}
