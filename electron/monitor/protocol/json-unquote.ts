/**
 * The value of a long JSON string read from its bytes by the WebAssembly loop of json-unquote.wat: what
 * JSON.parse would give, one-byte where every character fits a byte (as JSON.parse makes it), else
 * two-byte. JSON.parse reads a string with escapes (source text has one a line) one character at a time, at
 * about 1.4 ns a byte, after the bytes were decoded into a string to parse; the loop copies sixteen bytes
 * at a time up to the next escape or non-ASCII byte. Null for a body the loop does not read (not JSON, not
 * UTF-8, dense with escapes or non-ASCII characters, past UNQUOTE_MAX_BYTES) or where WebAssembly cannot
 * run: the caller parses it with JSON.parse, as before.
 */
import { JSON_UNQUOTE_WASM } from "./json-unquote-wasm.js";

/** Bodies longer than this are left to JSON.parse: the module's memory holds four times one. */
export const UNQUOTE_MAX_BYTES = 1024 * 1024;

/** The part of the WebAssembly API used here (the project's type libraries do not declare it). */
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports?: object) => { exports: unknown };
};

interface UnquoteExports {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  unquote(body: number, n: number, out: number, out16: number): number;
  /** 1 when the last read wrote UTF-16 (at `out16`). */
  wide: { value: number };
  /** 1 when the last read gave up on a body dense with escapes or non-ASCII characters. */
  crowded: { value: number };
}

const PAGE = 64 * 1024;
/**
 * A longer body is first read this far: one dense with escapes or non-ASCII characters (CJK text, say) is
 * given up on there, so that it is not copied in whole for nothing.
 */
const PROBE_BYTES = 4096;
/** Past the end of what the loop writes, it may store up to 31 bytes more. */
const SLACK = 32;

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
  // The body at 0, then room for it read one byte a character, then two.
  const outAt = n + SLACK;
  const out16At = outAt + n + SLACK;
  const size = out16At + 2 * n + SLACK;
  if (r.memory.length < size) {
    try {
      r.exports.memory.grow(Math.ceil((size - r.memory.length) / PAGE));
    } catch {
      return null;
    }
    r.memory = Buffer.from(r.exports.memory.buffer);
  }
  if (n > PROBE_BYTES) {
    r.memory.set(b.subarray(start, start + PROBE_BYTES), 0);
    if (r.exports.unquote(0, PROBE_BYTES, outAt, out16At) < 0 && r.exports.crowded.value === 1) return null;
  }
  r.memory.set(b.subarray(start, end), 0);
  const written = r.exports.unquote(0, n, outAt, out16At);
  if (written < 0) return null;
  return r.exports.wide.value === 1
    ? r.memory.toString("utf16le", out16At, out16At + written)
    : r.memory.toString("latin1", outAt, outAt + written);
}
