/**
 * The one pass over a text that tells masking which rules to run and where: which credential formats'
 * keywords occur in it, where a secret word ends (each lies in a run of key characters that `assignments`
 * tries), and whether an auth scheme is named. One Aho–Corasick table serves all three, so a 64 KiB
 * capture is read once instead of once per question (a keyword scan, a secret-word regex and an auth
 * scheme regex each read all of it).
 */
import { KeywordScanner } from "./keyword-scan.js";
import { RULE_KEYWORDS } from "./token-rules.js";

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
] as const;

/** KEY_WORD_SPELLINGS as a regular expression source (case is the caller's flag). */
export const KEY_WORD = KEY_WORD_SPELLINGS.map((w) => w.replace("_", "[_.-]?")).join("|");

/** Every text KEY_WORD matches: each spelling with each of its separators. */
const keyWordTexts = KEY_WORD_SPELLINGS.flatMap((w) =>
  w.includes("_") ? ["", "_", ".", "-"].map((sep) => w.replace("_", sep)) : [w],
);
const AUTH_SCHEMES = ["bearer", "basic"];

const KEYWORDS = [...new Set([...RULE_KEYWORDS.flat(), ...keyWordTexts, ...AUTH_SCHEMES])];
const index = new Map(KEYWORDS.map((k, i) => [k, i]));
const SCANNER = new KeywordScanner(KEYWORDS, "", new Set(keyWordTexts));
const RULE_INDICES = RULE_KEYWORDS.map((keywords) => keywords.map((k) => index.get(k) as number));
const AUTH_INDICES = AUTH_SCHEMES.map((k) => index.get(k) as number);

export interface TextScan {
  /** 1 at each credential rule (token-rules.ts order) whose keyword occurs. */
  rules: Uint8Array;
  /** The index of the last character of each secret word, ascending. */
  keyWordEnds: number[];
  /** Whether `bearer` or `basic` occurs (any case). */
  authScheme: boolean;
}

// Reused: masking is synchronous and reads one scan before it starts the next.
const seen = new Uint8Array(KEYWORDS.length);
const scan: TextScan = { rules: new Uint8Array(RULE_KEYWORDS.length), keyWordEnds: [], authScheme: false };

/** What `text` holds, in one pass (ASCII case folded). Valid until the next call. */
export function scanText(text: string): TextScan {
  seen.fill(0);
  scan.keyWordEnds.length = 0;
  const any = SCANNER.scanInto(text, seen, scan.keyWordEnds);
  const { rules } = scan;
  rules.fill(0);
  if (any)
    for (let r = 0; r < RULE_INDICES.length; r++)
      for (const k of RULE_INDICES[r] as number[])
        if (seen[k] === 1) {
          rules[r] = 1;
          break;
        }
  scan.authScheme = any && AUTH_INDICES.some((k) => seen[k] === 1);
  return scan;
}
