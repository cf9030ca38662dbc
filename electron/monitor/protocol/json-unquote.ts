/**
 * The value of a long JSON string read from its bytes by the WebAssembly loop of json-unquote.wat, where
 * every character fits a byte: what JSON.parse would give, as a one-byte string. JSON.parse reads a string
 * with escapes (source text has one a line) one character at a time, at about 1.4 ns a byte, after the
 * bytes were decoded into a string to parse; the loop copies sixteen bytes at a time up to the next escape.
 * Null for a body the loop does not read (a character above U+00FF, invalid JSON, a body past
 * UNQUOTE_MAX_BYTES) or where WebAssembly cannot run: the caller parses it with JSON.parse, as before.
 */
import { JSON_UNQUOTE_WASM } from "./json-unquote-wasm.js";

/** Bodies longer than this are left to JSON.parse: the module's memory holds two of them. */
export const UNQUOTE_MAX_BYTES = 1024 * 1024;

/** The part of the WebAssembly API used here (the project's type libraries do not declare it). */
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports?: object) => { exports: unknown };
};

interface UnquoteExports {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  unquote(body: number, n: number, out: number): number;
}

const PAGE = 64 * 1024;
/** Past the end of what the loop writes, it may store up to 15 bytes more. */
const SLACK = 16;

interface Reader {
  exports: UnquoteExports;
  /** A view of the memory; made again when the memory grows (growing detaches it). */
  memory: Buffer;
}

let reader: Reader | null | undefined;

function instance(): Reader | null {
  if (reader !== undefined) return reader;
  reader = null;
  try {
    const module = new WebAssembly.Module(Buffer.from(JSON_UNQUOTE_WASM, "base64"));
    const exports = new WebAssembly.Instance(module).exports as UnquoteExports;
    reader = { exports, memory: Buffer.from(exports.memory.buffer) };
  } catch {
    // Out of memory for the module, say: JSON.parse does the work.
  }
  return reader;
}

/** `JSON.parse` of the string whose body (without its quotes) is `b[start, end)`, or null (see above). */
export function unquoteJson(b: Uint8Array, start: number, end: number): string | null {
  const n = end - start;
  if (n > UNQUOTE_MAX_BYTES) return null;
  const r = instance();
  if (!r) return null;
  // The body at 0, what it reads as after it.
  const outAt = n + SLACK;
  const size = outAt + n + SLACK;
  if (r.memory.length < size) {
    try {
      r.exports.memory.grow(Math.ceil((size - r.memory.length) / PAGE));
    } catch {
      return null;
    }
    r.memory = Buffer.from(r.exports.memory.buffer);
  }
  r.memory.set(b.subarray(start, end), 0);
  const written = r.exports.unquote(0, n, outAt);
  return written < 0 ? null : r.memory.toString("latin1", outAt, outAt + written);
}
