/**
 * A long message's head is parsed with its long strings read by a WebAssembly loop rather than by
 * JSON.parse: each string must read as JSON.parse reads it (escapes, Latin-1 and other UTF-8, lone
 * surrogates, `\u2028`, control characters, bad escapes, sequences cut at the end), the loop leaving to
 * JSON.parse only what it cannot read; and the head's value must be the one JSON.parse gives of its closed
 * text, at every cut, or the same error. And the module loaded must be the one its source assembles to.
 */
import { isUtf8 } from "node:buffer";
import { describe, expect, it } from "vitest";
import { assemble, moduleSource } from "../../build/keyword-scan-wasm.mjs";
import { closedPrefix } from "../../electron/monitor/protocol/json-scan.js";
import { unquoteJson } from "../../electron/monitor/protocol/json-unquote.js";
import { JSON_UNQUOTE_WASM } from "../../electron/monitor/protocol/json-unquote-wasm.js";
import { LONG_STRING_BYTES, prefixValue } from "../../electron/monitor/protocol/prefix-value.js";
import { seededRandom } from "../helpers/seeded-random.js";

const { random, pick } = seededRandom(2028);

/** Pieces of a string's body as JSON text that the loop reads itself: every character fits a byte. */
const ONE_BYTE = [
  "const total = items.reduce((sum, item) => sum + item.price, 0);",
  "\\n",
  "\\t",
  "\\r\\n",
  '\\"',
  "\\\\",
  "\\/",
  "/",
  "\\b",
  "\\f",
  "\\u0000",
  "\\u001F",
  "\\u00e9",
  "\\u00FF",
  "\\u0041",
  "\u007f",
  "é",
  "ÿ",
  "\u0080",
  "\u00a0",
  " ",
  "x".repeat(40),
  "ghp_R4nd0mT0k3nV4lu3Th4tL00ksR34l1234",
];

/** Pieces of wider characters: read into a two-byte string. */
const WIDE = [
  "…",
  "😀",
  "漢字",
  "\u2028",
  "\u2029",
  "\u0100",
  "\uffff",
  "\\u2028",
  "\\u0100",
  "\\uFFFF",
  "\\ud83d\\ude00",
  "\\ud800",
  "\\udc00x",
  "\\uDBFF",
];

/** Pieces it leaves to JSON.parse, which refuses them. */
const BAD = ["\u0001", "\u001f", "\t", "\n", "\\x", "\\u12G4", "\\u00", "\\", '"'];

/** A body of about `bytes` bytes of UTF-8 made of `pieces`. */
function body(bytes: number, pieces: readonly string[]): string {
  let out = "";
  for (let size = 0; size < bytes; ) {
    const piece = pick(pieces);
    out += piece;
    size += Buffer.byteLength(piece);
  }
  return out;
}

/** What JSON.parse reads of a body, or "error". */
function parsed(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return "error";
  }
}

describe("reading long JSON strings in WebAssembly", () => {
  it("is assembled from its source", async () => {
    const bytes = await assemble("json-unquote");
    expect(bytes.toString("base64")).toBe(JSON_UNQUOTE_WASM);
    expect(moduleSource(bytes, "json-unquote")).toContain(JSON_UNQUOTE_WASM);
  });

  it("reads a body as JSON.parse does, or leaves it to JSON.parse", () => {
    const readable = [...ONE_BYTE, ...WIDE];
    const lengths = [0, 1, 15, 16, 17, 31, 100, LONG_STRING_BYTES, 4099, 70_001];
    // Sparse: each piece after sixteen plain characters, as escapes and wide characters come in source
    // text or prose; dense ones may be left to JSON.parse (the loop gains nothing there).
    const sparse = (pieces: readonly string[]) => pieces.map((piece) => `${"x".repeat(16)}${piece}`);
    for (const length of lengths)
      for (let round = 0; round < 12; round++) {
        const pieces = [sparse(ONE_BYTE), sparse(readable), readable, [...readable, ...BAD]][round % 4];
        const text = body(length, pieces as string[]);
        // At an offset in a larger buffer, as a string lies in a message's head.
        const b = Buffer.from(`{"text":"${text}`);
        const read = unquoteJson(b, 9, b.length);
        if (round % 4 < 2) expect(read).toBe(JSON.parse(`"${text}"`));
        else if (read !== null) expect(read).toBe(parsed(`"${text}"`));
      }
    // Dense ones are left to JSON.parse early.
    for (const text of ["漢字かな交じり文".repeat(3000), "é".repeat(10_000), "\\n".repeat(10_000)]) {
      const b = Buffer.from(text);
      expect(unquoteJson(b, 0, b.length)).toBeNull();
    }
    // Each piece alone at every place in a sixteen-byte block, in the tail, after a wider character (the
    // read so far widened at every length), and cut at the body's end.
    for (const piece of [...readable, ...BAD])
      for (const at of [0, 1, 14, 15, 16, 17, 30, 40]) {
        for (const text of [
          `${"z".repeat(at)}${piece}${"z".repeat(40)}`,
          `${"z".repeat(at)}${piece}`,
          `${"é".repeat(at >> 2)}😀${"\\n".repeat(at >> 2)}${"z".repeat(at)}${piece}${"z".repeat(at)}`,
        ]) {
          const b = Buffer.from(text);
          const read = unquoteJson(b, 0, b.length);
          if (readable.includes(piece)) expect(read).toBe(JSON.parse(`"${text}"`));
          else expect(read).toBeNull();
        }
        const b = Buffer.from(`${"z".repeat(at)}${piece}`);
        for (let cut = at; cut < b.length; cut++) {
          const read = unquoteJson(b, 0, cut);
          if (read !== null) expect(read).toBe(JSON.parse(`"${b.toString("utf8", 0, cut)}"`));
        }
      }
    // Every byte after a backslash; every lead byte before every continuation byte; and sequences of three
    // and four bytes around the edges of what UTF-8 allows (overlong forms, surrogates, past U+10FFFF).
    const sequences: number[][] = [];
    for (let c = 0; c < 0x100; c++) {
      sequences.push([0x5c, c]);
      for (let d = 0x80; d < 0xc0; d++) sequences.push([c, d]);
    }
    const edges = [0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xff];
    for (const c of [0xe0, 0xe1, 0xec, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf3, 0xf4, 0xf5])
      for (const d of edges)
        for (const e of edges) {
          sequences.push([c, d, e]);
          for (const f of [0x41, 0x80, 0xbf, 0xc0]) sequences.push([c, d, e, f]);
        }
    for (const sequence of sequences)
      for (const before of [[0x61], [0xe2, 0x80, 0xa6]]) {
        const b = Buffer.from([...before, ...sequence, 0x62]);
        const read = unquoteJson(b, 0, b.length);
        const valid = isUtf8(b) && !b.includes(0x5c) && !b.includes(0x22) && b.every((x) => x >= 0x20);
        if (read !== null) expect(read).toBe(JSON.parse(`"${b.toString("utf8")}"`));
        // Any UTF-8 without escapes, quotes or controls is read; nothing else but valid escapes.
        if (valid) expect(read).not.toBeNull();
        if (!isUtf8(b)) expect(read).toBeNull();
      }
  });

  it("gives a head the value JSON.parse gives of its closed text, at every cut", () => {
    const long = () => body(LONG_STRING_BYTES + Math.floor(random() * 5000), ONE_BYTE);
    const any = () => body(LONG_STRING_BYTES + Math.floor(random() * 3000), [...ONE_BYTE, ...WIDE, ...BAD]);
    const wide = () => body(LONG_STRING_BYTES + Math.floor(random() * 3000), [...ONE_BYTE, ...WIDE]);
    const short = () => body(Math.floor(random() * 30), ONE_BYTE);
    for (let round = 0; round < 20; round++) {
      const key = (k: string) => JSON.stringify(k);
      const text = [
        `{"result":{"content":[{"type":"text","text":"${long()}"},{"type":"text","text":"${short()}"}],`,
        `"10":"${long()}","__proto__":{"x":"${wide()}"},"dup":"${long()}","dup":"${short()}",`,
        `${key(long().replaceAll("\\", ""))}:"${short()}","list":["${long()}",[[["${long()}"]]],`,
        `"${random() < 0.5 ? wide() : long()}",1.5e3,-0,true,null,"${short()}"],"bad":"${round % 2 ? any() : long()}"},`,
        `"jsonrpc":"2.0","id":${round},"tail":"${long()}"}`,
      ].join("");
      const b = Buffer.from(text);
      for (const more of [false, true])
        for (let k = 0; k < 30; k++) {
          const limit = Math.floor(random() * (b.length + 10));
          const before = closedPrefix(b, limit, more);
          const old = before === null ? null : parsed(before);
          let now: unknown;
          try {
            now = prefixValue(b, limit, more);
          } catch {
            now = "error";
          }
          expect(JSON.stringify(now)).toBe(JSON.stringify(old));
          if (old !== null && typeof old === "object")
            expect(Object.getPrototypeOf(now)).toBe(Object.getPrototypeOf(old));
        }
    }
    // A long string alone, whole and cut.
    const alone = Buffer.from(`"${long()}"`);
    expect(prefixValue(alone, alone.length)).toBe(JSON.parse(alone.toString()));
    expect(prefixValue(alone, alone.length - 100, true)).toBe(
      JSON.parse(closedPrefix(alone, alone.length - 100, true) as string),
    );
    // Deeper than any recursion would go.
    const inner = long();
    const deep = Buffer.from(`${"[".repeat(100_000)}"${inner}"${"]".repeat(100_000)}`);
    let value = prefixValue(deep, deep.length);
    for (let depth = 0; depth < 100_000; depth++) value = (value as unknown[])[0];
    expect(value).toBe(JSON.parse(`"${inner}"`));
  });
});
