/**
 * The one-pass text scan that masking reads instead of three searches: it must tell exactly what those
 * searches told — which credential rules' keywords occur (a lower-cased substring search), whether an auth
 * scheme or another rule's text is named (`/bearer|basic/i`, `PRIVATE KEY`, `://`…), and which runs of key characters hold a secret word (the runs the
 * `KEY_WORD` regex finds a match in, where the structural rule is tried). Checked on the credential corpus
 * at the start, in the middle and at the end of long texts, and on seeded random texts built from the
 * words themselves, their near-misses and characters that only look like them.
 */
import { describe, expect, it } from "vitest";
import { maskString } from "../../electron/monitor/pipeline/mask.js";
import { KEY_WORD, TextScanner } from "../../electron/monitor/pipeline/text-scan.js";
import {
  RULE_BOUNDARY_STARTS,
  RULE_KEYWORDS,
  RULE_REQUIRED,
} from "../../electron/monitor/pipeline/token-rules.js";
import { CORPUS } from "../fixtures/secret-corpus.js";
import { seededRandom } from "../helpers/seeded-random.js";

const isKeyChar = (c: string) => /[\w.-]/.test(c);
const asciiLower = (text: string) => text.replace(/[A-Z]/g, (c) => c.toLowerCase());

/**
 * The secret-word search the structural rule was driven by before the one-pass scan, with the words added
 * since (`pass` and `key`, whose keys are secret when their values look like credentials).
 */
const KEY_WORD_BEFORE =
  "pass(?:wo?r)?d|passwd|passphrase|pwd|secret|token|api[_.-]?key|access[_.-]?key|secret[_.-]?key|private[_.-]?key|account[_.-]?key|signing[_.-]?key|encryption[_.-]?key|master[_.-]?key|credentials?|auth(?:orization)?|cookie|session|bearer|sig|pass|key";

/** The start of each run of key characters holding a KEY_WORD match, found by the regex at every index. */
function runsByRegex(text: string, source = KEY_WORD): number[] {
  const words = new RegExp(source, "gi");
  const runs = new Set<number>();
  for (let m = words.exec(text); m; m = words.exec(text)) {
    let start = m.index;
    while (start > 0 && isKeyChar(text[start - 1] as string)) start--;
    runs.add(start);
    words.lastIndex = m.index + 1;
  }
  return [...runs];
}

function runsByScan(text: string, ends: readonly number[]): number[] {
  const runs = new Set<number>();
  for (const end of ends) {
    let start = end;
    while (start > 0 && isKeyChar(text[start - 1] as string)) start--;
    runs.add(start);
  }
  return [...runs];
}

const NEEDLES = ["bearer", "basic", "PRIVATE KEY", "://", "sk-", "eyJ"];
const scanner = new TextScanner(NEEDLES);

function expectSameAsSearches(text: string): void {
  const scan = scanner.scan(text);
  const lower = asciiLower(text);
  const rules = RULE_KEYWORDS.flatMap((keywords, r) =>
    keywords.some((k) => lower.includes(k)) && lower.includes(RULE_REQUIRED[r]?.toLowerCase() ?? "")
      ? [r]
      : [],
  );
  // A rule whose starts follow `\b` is listed where one follows a non-word character (or starts the text),
  // and may be where one follows a character no keyword holds (the scan reads them all as one).
  const atBoundary = (r: number) =>
    (RULE_BOUNDARY_STARTS[r] ?? [""]).some(
      (s) => text.startsWith(s) || new RegExp(`\\W${s.replace(".", "\\.")}`, "i").test(text),
    );
  expect(
    scan.rules.filter((r) => !rules.includes(r)),
    text.slice(0, 200),
  ).toEqual([]);
  expect(scan.rules, text.slice(0, 200)).toEqual(expect.arrayContaining(rules.filter(atBoundary)));
  expect(scan.has("bearer") || scan.has("basic"), text.slice(0, 200)).toBe(/bearer|basic/i.test(text));
  for (const needle of NEEDLES) {
    expect(scan.has(needle), needle).toBe(lower.includes(needle.toLowerCase()));
    // What the case-sensitive rules search for is never missed.
    if (text.includes(needle)) expect(scan.has(needle), needle).toBe(true);
  }
  expect(runsByScan(text, scan.keyWordEnds), text.slice(0, 200)).toEqual(runsByRegex(text));
  expect(runsByRegex(text), text.slice(0, 200)).toEqual(runsByRegex(text, KEY_WORD_BEFORE));
}

const { random, pick } = seededRandom(0x7e57);

/** Secret words and rule keywords in random case, near-misses, and look-alikes outside ASCII. */
const PIECES = [
  ...RULE_KEYWORDS.flat().slice(0, 60),
  ...["passd", "passwrd", "passwd", "passphrase", "pwd", "secret", "token", "access.key", "secret_key"],
  ...["privatekey", "account_key", "signing-key", "encryption.key", "master_key", "credential", "cookie"],
  "password",
  "PassWrd",
  "pass_word",
  "api_key",
  "API-KEY",
  "api..key",
  "private.key",
  "credentials",
  "Authorization",
  "auth",
  "session",
  "sig",
  "Bearer",
  "BASIC",
  "bea-rer",
  "-----BEGIN RSA PRIVATE KEY-----",
  "private key",
  "https://",
  "SK-",
  "eyJ",
  "EYj",
  ".ey",
  ".Ey",
  "s.",
  " s.",
  "hvs.",
  "xapp-",
  "http",
  "to\u212Aen",
  "\u017Fecret",
  "\u0130d",
  "é",
  " ",
  "=",
  ": ",
  "\n",
  '"',
  "-",
  "_",
  ".",
  "x",
  "42",
];

describe("the one-pass text scan", () => {
  it("tells what the three searches told, for every corpus credential anywhere in a long text", () => {
    const filler = "  const total = items.reduce((sum, item) => sum + item.price, 0); // a line\n".repeat(40);
    for (const credential of CORPUS)
      for (const text of [
        credential.text,
        `${credential.text}${filler}`,
        `${filler}${credential.text}${filler}`,
        `${filler}${credential.text}`,
      ])
        expectSameAsSearches(text);
  });

  it("tells what the three searches told on 3,000 seeded random texts", () => {
    for (let i = 0; i < 3000; i++) {
      let text = "";
      const n = 1 + Math.floor(random() * 12);
      for (let j = 0; j < n; j++) {
        const piece = pick(PIECES);
        text += random() < 0.3 ? piece.toUpperCase() : piece;
      }
      expectSameAsSearches(text);
    }
  });

  it("masks a secret-named value after a run that a longer match already covered", () => {
    // The first match runs past the second key's start: that key is not tried again (as the regex scan did).
    expect(maskString('token="a b" secret=Zq8vT3kLm2Xw9')).not.toContain("Zq8vT3kLm2Xw9");
    expect(maskString("password: hunter2-Zq8vT3kLm2Xw9 and api_key=Kq8vT3kLm2Xw9p")).not.toMatch(
      /hunter2|Kq8vT3kLm2Xw9p/,
    );
  });
});
