/**
 * `JSON.stringify(text)` for long strings, quoted by the WebAssembly loop of json-quote.wat: the same text.
 * JSON.stringify prints a 64 KiB one-byte string at about 2 ns a character (its escape loop reads one
 * character at a time, whether or not it needs an escape); the loop copies sixteen at a time up to the next
 * that does, and the whole costs about a quarter. A text with a code unit above 0xff, or a machine without
 * WebAssembly, is quoted by JSON.stringify.
 */
import { endianness } from "node:os";
import { JSON_QUOTE_WASM } from "./json-quote-wasm.js";

/** Texts shorter than this are quoted by JSON.stringify: copying them in would save nothing. */
export const QUOTE_MIN_CHARS = 2048;

/** The part of the WebAssembly API used here (the project's type libraries do not declare it). */
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports?: object) => { exports: unknown };
};

interface QuoteExports {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  quote(text: number, n: number, out: number): number;
}

/** Code units copied in at a time; each may take six bytes out (`\u001f`). */
const PIECE_CHARS = 32 * 1024;
const PAGE = 64 * 1024;
const QUOTE = 0x22;

interface Quoter {
  exports: QuoteExports;
  memory: Buffer;
  outAt: number;
}

let quoter: Quoter | null | undefined;

/** The instance, or null where WebAssembly cannot run or the machine is big-endian (UTF-16 is copied in as LE). */
function instance(): Quoter | null {
  if (quoter !== undefined) return quoter;
  quoter = null;
  if (endianness() !== "LE") return quoter;
  try {
    const module = new WebAssembly.Module(Buffer.from(JSON_QUOTE_WASM, "base64"));
    const exports = new WebAssembly.Instance(module).exports as QuoteExports;
    const outAt = PIECE_CHARS * 2;
    // Six bytes a unit at most, between two quotes.
    const size = outAt + PIECE_CHARS * 6 + 2;
    // Grown once, here: a later growth would detach the view below.
    exports.memory.grow(Math.ceil((size - exports.memory.buffer.byteLength) / PAGE));
    quoter = { exports, memory: Buffer.from(exports.memory.buffer), outAt };
  } catch {
    // Out of memory for the module, say: JSON.stringify does the work.
  }
  return quoter;
}

/** `JSON.stringify(text)`. */
export function quoteJson(text: string): string {
  const q = text.length < QUOTE_MIN_CHARS ? null : instance();
  if (!q) return JSON.stringify(text);
  const { exports, memory, outAt } = q;
  // Each piece's body is written after a quote, and the last is followed by one: a text of one piece is
  // read out as one flat string, with no joins.
  memory[outAt] = QUOTE;
  let out = "";
  for (let from = 0; from < text.length; from += PIECE_CHARS) {
    const n = Math.min(PIECE_CHARS, text.length - from);
    memory.write(n === text.length ? text : text.slice(from, from + n), 0, n * 2, "utf16le");
    const written = exports.quote(0, n, outAt + 1);
    if (written < 0) return JSON.stringify(text);
    let end = outAt + 1 + written;
    if (from + n === text.length) memory[end++] = QUOTE;
    out += memory.toString("latin1", from === 0 ? outAt : outAt + 1, end);
  }
  return out;
}
