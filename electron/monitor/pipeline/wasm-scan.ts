/**
 * KeywordScanner's pass over long texts, run by the WebAssembly loop of keyword-scan.wat: the same tables
 * (copied into the module's memory as 16-bit states), the same results. A text is copied in as UTF-16 a
 * piece at a time; the automaton's state carries from one piece to the next, and each piece is stepped
 * through as two halves side by side where the automaton allows it.
 */
import { endianness } from "node:os";
import { KEYWORD_SCAN_WASM } from "./keyword-scan-wasm.js";

/** The part of the WebAssembly API used here (the project's type libraries do not declare it). */
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports?: object) => { exports: unknown };
};

interface ScanExports {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  layout(table: number, other: number, ends: number, hit: number): void;
  start(): void;
  any(): number;
  second(): number;
  scan(text: number, n: number, base: number, out: number): number;
  scanHalves(text: number, n: number, base: number, out: number, out2: number, warm: number): number;
}

/** Code units copied in at a time (and the most located ends one piece can report). */
const PIECE_CHARS = 32 * 1024;
/** `runAny`'s pieces: it stops at the end of the first piece where a keyword ends. */
const ANY_PIECE_CHARS = 2 * 1024;
const PAGE = 64 * 1024;

let compiled: object | null | undefined;

/**
 * The compiled module, or null where WebAssembly cannot run (the JavaScript loop then does the work), or
 * where the machine is big-endian: the tables are written through typed arrays in its byte order, and
 * WebAssembly reads memory as little-endian.
 */
function scanModule(): object | null {
  if (compiled === undefined && endianness() !== "LE") compiled = null;
  if (compiled === undefined) {
    try {
      compiled = new WebAssembly.Module(Buffer.from(KEYWORD_SCAN_WASM, "base64"));
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

export class WasmScan {
  /** 1 for each state the last scan reached that ends a keyword (read and cleared by the caller). */
  readonly hit: Uint8Array;
  /** The same bytes, for a native search. */
  readonly hitBytes: Buffer;
  private readonly text: Buffer;
  private readonly out: Uint32Array;
  private readonly out2: Uint32Array;

  private constructor(
    private readonly exports: ScanExports,
    hit: Uint8Array,
    private readonly textAt: number,
    private readonly outAt: number,
    private readonly warm: number | null,
  ) {
    this.hit = hit;
    this.hitBytes = Buffer.from(hit.buffer, hit.byteOffset, hit.byteLength);
    const { buffer } = exports.memory;
    this.text = Buffer.from(buffer, textAt, PIECE_CHARS * 2);
    this.out = new Uint32Array(buffer, outAt, PIECE_CHARS);
    this.out2 = new Uint32Array(buffer, this.out2At, PIECE_CHARS);
  }

  private get out2At(): number {
    return this.outAt + PIECE_CHARS * 4;
  }

  /**
   * A scan over KeywordScanner's tables: `ascii` (state * 128 + code → next state * 128), `other` (state →
   * next state * 128), `ends` (state * 128 → end mark). `warm`: how many characters before a position fix
   * the automaton's state there (its longest keyword's length), or null where nothing does (characters it
   * steps over): then each piece is stepped through in one go. Null if WebAssembly is missing or the
   * automaton has more states than 16 bits can name.
   */
  static create(
    ascii: Int32Array,
    other: Int32Array,
    ends: Uint8Array,
    warm: number | null,
  ): WasmScan | null {
    try {
      return WasmScan.instantiate(ascii, other, ends, warm);
    } catch {
      // Out of memory for the module, say: the JavaScript loop does the work.
      return null;
    }
  }

  private static instantiate(
    ascii: Int32Array,
    other: Int32Array,
    ends: Uint8Array,
    warm: number | null,
  ): WasmScan | null {
    const states = other.length;
    const module = states <= 0xffff ? scanModule() : null;
    if (!module) return null;
    const exports = new WebAssembly.Instance(module).exports as ScanExports;
    const table = 0;
    const otherAt = table + states * 128 * 2;
    const endsAt = otherAt + states * 2;
    const hitAt = endsAt + states;
    const textAt = (hitAt + states + 15) & ~15;
    const outAt = textAt + PIECE_CHARS * 2;
    const size = outAt + 2 * PIECE_CHARS * 4;
    // Grown once, here: a later growth would detach the views below.
    exports.memory.grow(Math.ceil((size - exports.memory.buffer.byteLength) / PAGE));
    const { buffer } = exports.memory;
    const tableView = new Uint16Array(buffer, table, states * 128);
    for (let i = 0; i < tableView.length; i++) tableView[i] = (ascii[i] as number) >> 7;
    const otherView = new Uint16Array(buffer, otherAt, states);
    const endsView = new Uint8Array(buffer, endsAt, states);
    for (let s = 0; s < states; s++) {
      otherView[s] = (other[s] as number) >> 7;
      endsView[s] = ends[s * 128] as number;
    }
    exports.layout(table, otherAt, endsAt, hitAt);
    return new WasmScan(exports, new Uint8Array(buffer, hitAt, states), textAt, outAt, warm);
  }

  /**
   * Whether any keyword occurs in `text`, stopping after the first piece where one ends (a short piece:
   * a keyword near the start costs little). Leaves `hit` clear.
   */
  runAny(text: string): boolean {
    const { exports } = this;
    exports.start();
    let found = false;
    for (let from = 0; from < text.length && !found; from += ANY_PIECE_CHARS) {
      const n = Math.min(ANY_PIECE_CHARS, text.length - from);
      this.text.write(n === text.length ? text : text.slice(from, from + n), 0, n * 2, "utf16le");
      exports.scan(this.textAt, n, from, this.outAt);
      found = exports.any() === 1;
    }
    if (found) this.hitBytes.fill(0);
    return found;
  }

  /** Marks the states reached in `hit` and appends each located end to `at`; whether any keyword ends. */
  run(text: string, at: number[]): boolean {
    const { exports, out, out2, warm } = this;
    exports.start();
    for (let from = 0; from < text.length; from += PIECE_CHARS) {
      const n = Math.min(PIECE_CHARS, text.length - from);
      this.text.write(n === text.length ? text : text.slice(from, from + n), 0, n * 2, "utf16le");
      const halves = warm !== null && n >= 2 * warm;
      const found = halves
        ? exports.scanHalves(this.textAt, n, from, this.outAt, this.out2At, warm)
        : exports.scan(this.textAt, n, from, this.outAt);
      for (let i = 0; i < found; i++) at.push(out[i] as number);
      const second = exports.second();
      for (let i = 0; i < second; i++) at.push(out2[i] as number);
    }
    return exports.any() === 1;
  }
}
