/**
 * The keyword scan's WebAssembly loop must tell exactly what the JavaScript loop tells: the keywords seen and
 * each located keyword's end, on long texts of every kind — ASCII in any case, Latin-1, astral characters,
 * lone surrogates — with keywords across the pieces the text is copied in by. And the module the masker
 * loads must be the one its source assembles to.
 */
import { describe, expect, it } from "vitest";
import { assemble, moduleSource } from "../../build/keyword-scan-wasm.mjs";
import { ANY_OTHER, KeywordScanner, WASM_MIN_CHARS } from "../../electron/monitor/pipeline/keyword-scan.js";
import { KEYWORD_SCAN_WASM } from "../../electron/monitor/pipeline/keyword-scan-wasm.js";
import { KEY_WORD_SPELLINGS } from "../../electron/monitor/pipeline/text-scan.js";
import { RULE_KEYWORDS } from "../../electron/monitor/pipeline/token-rules.js";
import { seededRandom } from "../helpers/seeded-random.js";

const located = KEY_WORD_SPELLINGS.map((w) => w.replace("_", ""));
// With keywords that start with any character no keyword holds (as the text scan's Vault texts do).
const keywords = [
  ...new Set([...RULE_KEYWORDS.flat(), ...located, `${ANY_OTHER}s.`, " s.", `${ANY_OTHER}q`]),
];
const scanner = new KeywordScanner(keywords, "", new Set(located));

function both(text: string): void {
  const seenJs = new Uint8Array(keywords.length);
  const seenWasm = new Uint8Array(keywords.length);
  const atJs: number[] = [];
  const atWasm: number[] = [];
  const anyJs = scanner.scanInto(text, seenJs, atJs, false);
  const anyWasm = scanner.scanInto(text, seenWasm, atWasm, true);
  expect(anyWasm).toBe(anyJs);
  expect(atWasm).toEqual(atJs);
  expect([...seenWasm]).toEqual([...seenJs]);
}

describe("the keyword scan in WebAssembly", () => {
  it("is assembled from its source", async () => {
    const bytes = await assemble();
    expect(bytes.toString("base64")).toBe(KEYWORD_SCAN_WASM);
    expect(moduleSource(bytes)).toContain(KEYWORD_SCAN_WASM);
  });

  it("finds what the JavaScript loop finds, in long texts of every kind", () => {
    const { random, pick } = seededRandom(2026);
    const pieces = [
      ...keywords.slice(0, 80),
      ...located.map((w) => w.toUpperCase()),
      "Password",
      "aPi_KeY",
      "é",
      "ÿ",
      "😀",
      "\ud800",
      "\udc00",
      "\u0085",
      " ",
      "\n",
      "=",
      '"',
      "x".repeat(50),
      "const total = items.reduce((sum, item) => sum + item.price, 0);",
      "s.",
      "7s.",
      "éq",
    ];
    for (const length of [WASM_MIN_CHARS, 4000, 32 * 1024 - 3, 32 * 1024 + 5, 70_000, 100_000]) {
      let text = "";
      while (text.length < length) text += pick(pieces);
      both(text.slice(0, length));
      // A keyword across the boundary of the pieces the text is copied in by (32 Ki code units).
      for (const cut of [1, 3, 6])
        both(`${"-".repeat(32 * 1024 - cut)}${pick(located)}${"x".repeat(random() * 100)}`);
    }
    // A keyword across the middle of a piece, where its second half is scanned from.
    for (const [length, middle] of [
      [600, 300],
      [4001, 2000],
      [40_000, 16 * 1024],
      [40_000, 32 * 1024 + 3616],
    ] as const)
      for (let shift = -12; shift <= 2; shift++) {
        const word = pick(located);
        const at = middle + shift;
        both(`${"a".repeat(at)}${word}${"b".repeat(length - at - word.length)}`);
      }
    // Every keyword, the longest ones most of all, across the middle of a piece and across two pieces.
    for (const word of keywords)
      for (const inside of [1, Math.ceil(word.length / 2), word.length - 1]) {
        both(`${"a".repeat(2000 - inside)}${word}${"b".repeat(2001 - word.length + inside)}`);
        both(`${"a".repeat(32 * 1024 - inside)}${word}${"b".repeat(600)}`);
      }
    both("password ".repeat(20_000));
    both("no keyword at all ".repeat(100));
  });

  it("answers whether any keyword occurs as the JavaScript loop does, characters it steps over included", () => {
    const { pick } = seededRandom(85);
    const spaced = new KeywordScanner(["password", "apikey", "session", "sig"], "-_.");
    const pieces = [
      "pass",
      "word",
      "-",
      "_",
      ".",
      "api",
      "key",
      "Sess",
      "ion",
      "s",
      "ig",
      "é",
      "😀",
      "x".repeat(40),
    ];
    for (let n = 0; n < 200; n++) {
      let text = "";
      while (text.length < WASM_MIN_CHARS + n * 37) text += pick(pieces);
      expect(spaced.any(text, true), text.slice(0, 80)).toBe(spaced.any(text, false));
      expect(scanner.any(text, true)).toBe(scanner.any(text, false));
    }
    expect(spaced.any(`${"x".repeat(WASM_MIN_CHARS)}pass-_.word`, true)).toBe(true);
    expect(spaced.any("x".repeat(WASM_MIN_CHARS * 3), true)).toBe(false);
  });

  it("steps over characters where the automaton does, however many, across the middle of a piece", () => {
    const spaced = new KeywordScanner(["password", "apikey"], "-_.", new Set(["password"]));
    for (const gap of [0, 10, 40, 400]) {
      const word = `pass${"-".repeat(gap)}word`;
      const text = `${"a".repeat(2000 - 6)}${word}${"b".repeat(2000)}`;
      const seenJs = new Uint8Array(2);
      const seenWasm = new Uint8Array(2);
      const atJs: number[] = [];
      const atWasm: number[] = [];
      expect(spaced.scanInto(text, seenWasm, atWasm, true)).toBe(spaced.scanInto(text, seenJs, atJs, false));
      expect(atWasm).toEqual(atJs);
      expect([...seenWasm]).toEqual([1, 0]);
      expect(spaced.any(text, true)).toBe(true);
    }
  });

  it("leaves nothing of one text's keywords for the next", () => {
    const seen = new Uint8Array(keywords.length);
    const at: number[] = [];
    expect(scanner.any(`password ${"x".repeat(5000)} secret token`, true)).toBe(true);
    expect(scanner.scanInto("x".repeat(5000), seen, at, true)).toBe(false);
    expect(seen.every((s) => s === 0)).toBe(true);
    expect(scanner.scanInto(`${"x".repeat(5000)}token`, seen, at, true)).toBe(true);
    expect(keywords.filter((_, k) => seen[k] === 1)).toEqual(["token"]);
  });

  it("is what long texts get by default, and short ones keep the JavaScript loop", () => {
    const fresh = new KeywordScanner(keywords, "", new Set(located));
    const made = () => (fresh as unknown as { wasm: unknown }).wasm;
    const seen = new Uint8Array(keywords.length);
    const at: number[] = [];
    expect(fresh.scanInto("a short password", seen, at)).toBe(true);
    expect(made()).toBeUndefined();
    expect(fresh.scanInto(`${"z".repeat(WASM_MIN_CHARS)} password`, seen, at)).toBe(true);
    expect(made()).not.toBeNull();
    expect(made()).toBeDefined();
    // `pass` ends inside `password`, and is a secret word of its own.
    expect(at).toEqual([11, 15, WASM_MIN_CHARS + 4, WASM_MIN_CHARS + 8]);
    expect(seen[keywords.indexOf("password")]).toBe(1);
  });
});
