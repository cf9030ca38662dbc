/**
 * A credential rule that scans the whole text runs only where the text every match of it holds occurs too
 * (`jwt`: `.ey`, where its keyword `ey` is in every `key` and `they`), and, for one that opens with `\b`
 * before its starts (`jwt`'s `ey`, Vault's `s.`), only where a start follows a non-word character. The text
 * scan must never leave out a rule that matches: checked on seeded texts made of each such rule's keywords,
 * its required text and starts after word and non-word characters, and credential-shaped runs (JWTs and
 * Vault tokens among them), in JSON's escaped spelling, after `\n`, beside non-ASCII.
 */
import { describe, expect, it } from "vitest";
import { requiredText } from "../../electron/monitor/pipeline/rule-starts.js";
import { TextScanner } from "../../electron/monitor/pipeline/text-scan.js";
import {
  RULE_BOUNDARY_STARTS,
  RULE_KEYWORDS,
  RULE_REQUIRED,
  ruleMatches,
  type SecretSpan,
  tokenSpans,
} from "../../electron/monitor/pipeline/token-rules.js";
import { seededRandom } from "../helpers/seeded-random.js";

const RUN_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const SEPARATORS = [
  "",
  "",
  " ",
  "\n",
  "\\n",
  ".",
  "-",
  "_",
  "=",
  '"',
  '\\"',
  ":",
  "/",
  "é",
  "\u00a0",
  "→",
  "7",
  "m",
];
const LENGTHS = [0, 1, 3, 8, 16, 17, 18, 20, 24, 32, 36, 40, 60, 64, 70, 100, 150];

const asciiLower = (text: string) => text.replace(/[A-Z]/g, (c) => c.toLowerCase());

/** The rules every keyword wakes, as the scan listed them before it read the required texts. */
const wokenByKeywords = (text: string) => {
  const lower = asciiLower(text);
  return RULE_KEYWORDS.flatMap((keywords, r) => (keywords.some((k) => lower.includes(k)) ? [r] : []));
};

/** Texts made of `words` and credential-shaped runs, from a seed. */
function texts(words: readonly string[], seed: number, count: number): string[] {
  const { random, pick } = seededRandom(seed);
  const run = () => {
    let out = "";
    for (let i = pick(LENGTHS); i > 0; i--) out += pick([...RUN_CHARS]);
    return out;
  };
  const jwt = () => `ey${run()}.ey${run()}.${random() < 0.8 ? run() : ""}`;
  const vault = () =>
    random() < 0.5 ? `s.${run().slice(0, pick([23, 24, 24, 25]))}` : `hvs.${run()}${run()}-${run()}`;
  const out: string[] = [];
  for (let n = 0; n < count; n++) {
    let text = "";
    for (let i = Math.floor(random() * 6) + 1; i > 0; i--) {
      const r = random();
      const word = r < 0.2 ? jwt() : r < 0.4 ? vault() : pick(words);
      text += pick(SEPARATORS) + (random() < 0.2 ? word.toUpperCase() : word) + (random() < 0.5 ? run() : "");
    }
    // As a tool's JSON text spells it: `\n` before the token, quotes escaped.
    out.push(random() < 0.3 ? JSON.stringify(text) : text);
  }
  return out;
}

describe("credential rules run only where the text they require occurs", () => {
  const gated = RULE_KEYWORDS.flatMap((_, r) =>
    RULE_REQUIRED[r] === null && RULE_BOUNDARY_STARTS[r] === null ? [] : [r],
  );
  const jwt = RULE_KEYWORDS.findIndex((k) => k.length === 1 && k[0] === "ey");

  it("reads the required text of the JWT rule, and none where a match can do without one", () => {
    expect(RULE_REQUIRED[jwt]).toBe(".ey");
    const text = (source: string, flags = "") => requiredText(new RegExp(source, `${flags}gd`));
    expect(text(String.raw`\b(ey[a-z]{17,}\.ey[a-z]{17,}\.(?:[a-z]{10,}={0,2})?)`)).toBe(".ey");
    expect(text("-----BEGIN[ A-Z]{0,100}PRIVATE KEY(?: BLOCK)?-----")).toBe("PRIVATE KEY");
    expect(text("x(?:abcd)+y")).toBe("abcd");
    expect(text("x(?i:abcd){2}y")).toBe("abcd");
    expect(text("x(?:abcd)?y")).toBeNull();
    expect(text("x(?:abcd){0,2}y")).toBeNull();
    expect(text("x(?:abcd|efgh)y")).toBeNull();
    expect(text("abcd|efgh")).toBeNull();
    expect(text("ab?cd")).toBeNull();
    expect(text("ab.cd")).toBeNull();
    expect(text("ab(?=c)cd")).toBeNull();
    expect(text("x(?<n>abcd)y")).toBeNull();
    expect(text("abcd", "u")).toBeNull();
  });

  it("lists every rule that matches, and masks what every woken rule masks", () => {
    const vault = RULE_KEYWORDS.findIndex((k) => k.includes("hvs."));
    expect(gated).toEqual(expect.arrayContaining([jwt, vault]));
    expect(RULE_BOUNDARY_STARTS[vault]).toEqual(["hvs.", "s."]);
    const scanner = new TextScanner([]);
    let matched = 0;
    let left = 0;
    for (const r of gated) {
      const words = [
        ...(RULE_KEYWORDS[r] as string[]),
        ...(RULE_BOUNDARY_STARTS[r] ?? []),
        RULE_REQUIRED[r] ?? "",
        "key",
        "they",
        "items.",
        "s.",
      ];
      for (const text of texts(words, 7907 * (r + 1), 600)) {
        const listed = [...scanner.scan(text).rules];
        if (ruleMatches(r, text, false).length > 0) {
          expect(listed, JSON.stringify(text)).toContain(r);
          matched++;
        } else if (wokenByKeywords(text).includes(r) && !listed.includes(r)) left++;
        const before: SecretSpan[] = [];
        const after: SecretSpan[] = [];
        tokenSpans(text, before, wokenByKeywords(text));
        tokenSpans(text, after, listed);
        expect(after, JSON.stringify(text)).toEqual(before);
      }
    }
    // Both kinds of text are there: ones with matches, and ones where a keyword woke a rule for nothing.
    expect(matched).toBeGreaterThan(100);
    expect(left).toBeGreaterThan(200);
  });

  it("masks a JWT and a Vault token as before in JSON text, after an escaped newline, beside non-ASCII", () => {
    const token = `eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.${"dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"}`;
    const scanner = new TextScanner([]);
    let masked = 0;
    for (const text of [
      token,
      JSON.stringify({ text: `a key they hold:\n${token}\n` }),
      `line\\n${token}`,
      `é${token}→`,
      `"authorization":"Bearer ${token}"`,
      `${token.replace(".ey", ".eY")} and the key`,
      "s.Ab3dEf6hIj9kLm2nOp5qRs8t",
      "items.length; VAULT_TOKEN=s.Ab3dEf6hIj9kLm2nOp5qRs8t",
      JSON.stringify({ env: "VAULT_TOKEN=\ns.Ab3dEf6hIj9kLm2nOp5qRs8t" }),
      "é→s.Ab3dEf6hIj9kLm2nOp5qRs8t and this.x",
      `token hvs.${"CAESIJ8xZ2".repeat(10)} in items.list`,
    ]) {
      const spans: SecretSpan[] = [];
      tokenSpans(text, spans, scanner.scan(text).rules);
      const woken: SecretSpan[] = [];
      tokenSpans(text, woken, wokenByKeywords(text));
      expect(spans, text).toEqual(woken);
      if (spans.length > 0) masked++;
    }
    // Not after `\n` spelled in JSON (`\neyJ`, `\ns.`: no word boundary there), nor `.eY`; all the others.
    expect(masked).toBe(7);
  });
});
