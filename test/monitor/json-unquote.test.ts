/**
 * A long message's head is parsed with its long strings read by a WebAssembly loop rather than by
 * JSON.parse: each string must read as JSON.parse reads it (escapes, Latin-1 and other UTF-8, lone
 * surrogates, `\u2028`, control characters, bad escapes, sequences cut at the end), the loop leaving to
 * JSON.parse only what it cannot read; and the head's value must be the one JSON.parse gives of its closed
 * text, at every cut, or the same error. And the module loaded must be the one its source assembles to.
 */
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

/** Pieces it leaves to JSON.parse: wider characters, and what is not JSON at all. */
const OTHER = [
  "…",
  "😀",
  "\u2028",
  "\u2029",
  "\\u2028",
  "\\u0100",
  "\\ud83d\\ude00",
  "\\ud800",
  "\\udc00x",
  "\u0001",
  "\u001f",
  "\t",
  "\n",
  "\\x",
  "\\u12G4",
  "\\u00",
  "\\",
  '"',
  "\u0100",
];

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
    const lengths = [0, 1, 15, 16, 17, 31, 100, LONG_STRING_BYTES, 4099, 70_001];
    for (const length of lengths)
      for (let round = 0; round < 8; round++) {
        const oneByte = round % 2 === 0;
        const text = body(length, oneByte ? ONE_BYTE : [...ONE_BYTE, ...OTHER]);
        // At an offset in a larger buffer, as a string lies in a message's head.
        const b = Buffer.from(`{"text":"${text}`);
        const read = unquoteJson(b, 9, b.length);
        if (oneByte) expect(read).toBe(JSON.parse(`"${text}"`));
        else if (read !== null) expect(read).toBe(parsed(`"${text}"`));
      }
    // Each piece alone at every place in a sixteen-byte block, in the tail, and cut at the body's end.
    for (const piece of [...ONE_BYTE, ...OTHER])
      for (const at of [0, 1, 14, 15, 16, 17, 30, 40]) {
        for (const text of [`${"z".repeat(at)}${piece}${"z".repeat(40)}`, `${"z".repeat(at)}${piece}`]) {
          const b = Buffer.from(text);
          const read = unquoteJson(b, 0, b.length);
          if (ONE_BYTE.includes(piece)) expect(read).toBe(JSON.parse(`"${text}"`));
          else expect(read).toBeNull();
        }
        const b = Buffer.from(`${"z".repeat(at)}${piece}`);
        for (let cut = at; cut < b.length; cut++) {
          const read = unquoteJson(b, 0, cut);
          if (read !== null) expect(read).toBe(JSON.parse(`"${b.toString("utf8", 0, cut)}"`));
        }
      }
    // Every byte after a backslash, and every lead byte before every continuation byte.
    for (let c = 0; c < 0x100; c++) {
      const b = Buffer.from([0x61, 0x5c, c, 0x62]);
      const read = unquoteJson(b, 0, b.length);
      if (read !== null) expect(read).toBe(JSON.parse(`"${b.toString("utf8")}"`));
      for (let d = 0x80; d < 0xc0; d++) {
        const u = Buffer.from([0x61, c, d, 0x62]);
        const text = unquoteJson(u, 0, u.length);
        if (text !== null) expect(text).toBe(JSON.parse(`"${u.toString("utf8")}"`));
        // A continuation byte is read only after C2 or C3.
        else expect(c === 0xc2 || c === 0xc3).toBe(false);
      }
    }
  });

  it("gives a head the value JSON.parse gives of its closed text, at every cut", () => {
    const long = () => body(LONG_STRING_BYTES + Math.floor(random() * 5000), ONE_BYTE);
    const any = () => body(LONG_STRING_BYTES + Math.floor(random() * 3000), [...ONE_BYTE, ...OTHER]);
    const short = () => body(Math.floor(random() * 30), ONE_BYTE);
    for (let round = 0; round < 40; round++) {
      const key = (k: string) => JSON.stringify(k);
      const text = [
        `{"result":{"content":[{"type":"text","text":"${long()}"},{"type":"text","text":"${short()}"}],`,
        `"10":"${long()}","__proto__":{"x":"${long()}"},"dup":"${long()}","dup":"${short()}",`,
        `${key(long().replaceAll("\\", ""))}:"${short()}","list":["${long()}",[[["${long()}"]]],`,
        `"${random() < 0.5 ? any() : long()}",1.5e3,-0,true,null,"${short()}"],"bad":"${round % 2 ? any() : long()}"},`,
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
