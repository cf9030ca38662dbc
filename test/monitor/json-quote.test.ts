/**
 * Long strings of a masked capture are quoted by a WebAssembly loop instead of JSON.stringify: the stored
 * text must be exactly what JSON.stringify prints, for strings of every kind (escapes, Latin-1, two-byte
 * text, lone surrogates, across the pieces they are copied in by), and for the whole masked copy they sit
 * in. And the module loaded must be the one its source assembles to.
 */
import { describe, expect, it } from "vitest";
import { assemble, moduleSource } from "../../build/keyword-scan-wasm.mjs";
import { QUOTE_MIN_CHARS, quoteJson } from "../../electron/monitor/pipeline/json-quote.js";
import { JSON_QUOTE_WASM } from "../../electron/monitor/pipeline/json-quote-wasm.js";
import type { MaskBudget } from "../../electron/monitor/pipeline/mask-budget.js";
import { maskValue } from "../../electron/monitor/pipeline/mask-value.js";
import { printMasked } from "../../electron/monitor/pipeline/masked-print.js";
import { seededRandom } from "../helpers/seeded-random.js";

const { random, pick } = seededRandom(1313);

const PIECES = [
  "const total = items.reduce((sum, item) => sum + item.price, 0);",
  "\n",
  "\t",
  "\r\n",
  '"',
  "\\",
  "\\n",
  "\u0000",
  "\u0001",
  "\u0008",
  "\u000c",
  "\u001f",
  "\u007f",
  "\u0085",
  "é",
  "ÿ",
  "…",
  "😀",
  "\ud800",
  "\udc00",
  "\u2028",
  " ",
  "x".repeat(40),
  'token: "ghp_R4nd0mT0k3nV4lu3Th4tL00ksR34l1234"',
];

/** A text of `length` code units made of PIECES; `oneByte`: only pieces of code units up to 0xff. */
function text(length: number, oneByte: boolean): string {
  const pieces = oneByte ? PIECES.filter((p) => [...p].every((c) => c.charCodeAt(0) <= 0xff)) : PIECES;
  let out = "";
  while (out.length < length) out += pick(pieces);
  return out.slice(0, length);
}

describe("quoting long strings in WebAssembly", () => {
  it("is assembled from its source", async () => {
    const bytes = await assemble("json-quote");
    expect(bytes.toString("base64")).toBe(JSON_QUOTE_WASM);
    expect(moduleSource(bytes, "json-quote")).toContain(JSON_QUOTE_WASM);
  });

  it("prints what JSON.stringify prints, for strings of every kind and length", () => {
    const lengths = [0, 5, QUOTE_MIN_CHARS - 1, QUOTE_MIN_CHARS, 4003, 32 * 1024 - 1, 32 * 1024 + 7, 70_001];
    for (const length of lengths)
      for (let round = 0; round < 6; round++) {
        const t = text(length, round % 2 === 0);
        expect(quoteJson(t)).toBe(JSON.stringify(t));
      }
    // Every code unit alone among plain text, so that each escape is met at every place in a sixteen-unit
    // block, at its edges, and in the last units, read one by one.
    for (let code = 0; code < 0x110; code++)
      for (const at of [0, 3, 7, 8, 15, 16, 17, 31, 2050]) {
        const t = `${"a".repeat(at)}${String.fromCharCode(code)}${"b".repeat(QUOTE_MIN_CHARS)}`;
        expect(quoteJson(t)).toBe(JSON.stringify(t));
        const end = `${"a".repeat(QUOTE_MIN_CHARS + at)}${String.fromCharCode(code)}`;
        expect(quoteJson(end)).toBe(JSON.stringify(end));
      }
    // Escapes in a row, and runs of them, from every place in a block.
    for (let at = 0; at < 17; at++)
      for (const run of ['"\\\n', "\u0000".repeat(20), '\n"'.repeat(9), "\x7f\x85\xff\u2028"]) {
        const t = `${"a".repeat(QUOTE_MIN_CHARS + at)}${run}${"b".repeat(at)}${run}`;
        expect(quoteJson(t)).toBe(JSON.stringify(t));
      }
    // A surrogate pair across the pieces the text is copied in by.
    const pair = `${"a".repeat(32 * 1024 - 1)}😀${"b".repeat(100)}`;
    expect(quoteJson(pair)).toBe(JSON.stringify(pair));
  });

  it("leaves the printed masked copy as JSON.stringify prints it", () => {
    const budgetOf = (left: number): MaskBudget => (random() < 0.5 ? { left, ellipsis: "\x85" } : { left });
    // Two tokens masked to the same key (same kind, same last four): the later value replaces the earlier.
    const twin = (n: number) => `ghp_${String(n).padStart(32, "0")}WXYZ`;
    for (let round = 0; round < 60; round++) {
      const long = () => text(QUOTE_MIN_CHARS + Math.floor(random() * 20_000), random() < 0.7);
      const short = () => text(Math.floor(random() * 40), true);
      const value = {
        result: {
          content: [
            { type: "text", text: long() },
            { type: "text", text: short() },
            { type: "text", text: long() },
          ],
          [twin(1)]: { text: long() },
          [twin(2)]: random() < 0.5 ? short() : long(),
          list: [long(), short(), ["-p", long()], { password: long() }],
          "10": long(),
        },
        jsonrpc: "2.0",
        id: round,
      };
      for (const left of [Number.POSITIVE_INFINITY, 65_536, 30_000, 4096]) {
        const foundA = new Set<string>();
        const foundB = new Set<string>();
        const a = budgetOf(left);
        const b: MaskBudget = { ...a };
        expect(printMasked(value, foundA, a)).toBe(JSON.stringify(maskValue(value, foundB, b)));
        expect([...foundA]).toEqual([...foundB]);
        expect({ ...a, long: undefined }).toEqual({ ...b, long: undefined });
      }
      const alone = long();
      const budget = budgetOf(65_536);
      expect(printMasked(alone, new Set(), { ...budget })).toBe(
        JSON.stringify(maskValue(alone, new Set(), { ...budget })),
      );
    }
  });
});
