/**
 * Finds which of many keywords occur in a text in one pass over its characters, case-insensitively
 * (Aho–Corasick compiled to a table: one lookup per character). This is what decides which credential
 * rules run on a payload, so it is on the observer's path for every message.
 */
import { WasmScan } from "./wasm-scan.js";

/**
 * Texts at least this long are scanned by the WebAssembly loop (wasm-scan.ts), about twice as fast as the
 * JavaScript one per character; shorter ones cost less to scan here than to copy there.
 */
export const WASM_MIN_CHARS = 512;

/**
 * In a keyword, stands for any character no keyword holds: any non-ASCII one, and any ASCII one no keyword
 * names (they share the automaton's class 0), so that `${ANY_OTHER}s.` finds `s.` after `é`.
 */
export const ANY_OTHER = "\uffff";

export class KeywordScanner {
  /** Character code (ASCII) → class; 0 for characters no keyword holds. */
  private readonly classOf = new Uint8Array(128);
  /** Keywords (indices) that end at each state, its suffixes' included; null for none. */
  private readonly output: (number[] | null)[];
  /**
   * The scan's table: (state * 128 + ASCII code) → next state * 128, so each character costs one load;
   * `other[state]` is the next state * 128 for any non-ASCII character. `ends[state * 128]` is 1 where a
   * keyword ends, 2 where one of them is `located`.
   */
  private readonly ascii: Int32Array;
  private readonly other: Int32Array;
  private readonly ends: Uint8Array;
  /** 1 for each state scanInto's pass reached that ends a keyword, and a Buffer view of the same bytes. */
  private readonly hit: Uint8Array;
  private readonly hitBytes: Buffer;
  private readonly pass: (text: string, at: number[]) => boolean;
  /** How many characters fix the automaton's state (its longest keyword), or null: see WasmScan.create. */
  private readonly warm: number | null;
  /** The WebAssembly pass, made on the first long text (null: not available here). */
  private wasm: WasmScan | null | undefined;

  /**
   * `ignore`: ASCII characters the scan steps over, as if absent from the text. `located`: keywords whose
   * every occurrence `scanInto` reports by position.
   */
  constructor(
    readonly keywords: readonly string[],
    ignore = "",
    located: ReadonlySet<string> = new Set(),
  ) {
    // A character stepped over leaves the state as it was: then no window of characters fixes it.
    this.warm = ignore === "" ? Math.max(0, ...keywords.map((k) => k.length)) : null;
    let classes = 1;
    for (const keyword of keywords)
      for (const ch of keyword.toLowerCase()) {
        const code = ch.charCodeAt(0);
        if (ch === ANY_OTHER) continue;
        if (code >= 128) throw new Error(`keyword "${keyword}" is not ASCII`);
        if (this.classOf[code] === 0) {
          this.classOf[code] = classes;
          const upper = ch.toUpperCase().charCodeAt(0);
          if (upper !== code && upper < 128) this.classOf[upper] = classes;
          classes++;
        }
      }
    // The trie.
    const goto: Map<number, number>[] = [new Map()];
    const ends: number[][] = [[]];
    keywords.forEach((keyword, index) => {
      let state = 0;
      for (const ch of keyword.toLowerCase()) {
        const c = ch === ANY_OTHER ? 0 : (this.classOf[ch.charCodeAt(0)] as number);
        let to = goto[state]?.get(c);
        if (to === undefined) {
          to = goto.length;
          goto.push(new Map());
          ends.push([]);
          goto[state]?.set(c, to);
        }
        state = to;
      }
      ends[state]?.push(index);
    });
    // Failure links, breadth first, folded into a full transition table.
    const states = goto.length;
    const next = new Int32Array(states * classes);
    const fail = new Int32Array(states);
    const queue: number[] = [];
    for (let c = 0; c < classes; c++) {
      const to = goto[0]?.get(c) ?? 0;
      next[c] = to;
      if (to !== 0) queue.push(to);
    }
    for (let head = 0; head < queue.length; head++) {
      const state = queue[head] as number;
      const inherited = ends[fail[state] as number] ?? [];
      if (inherited.length) ends[state]?.push(...inherited);
      for (let c = 0; c < classes; c++) {
        const to = goto[state]?.get(c);
        const viaFail = next[(fail[state] as number) * classes + c] as number;
        if (to === undefined) next[state * classes + c] = viaFail;
        else {
          next[state * classes + c] = to;
          fail[to] = viaFail;
          queue.push(to);
        }
      }
    }
    this.output = ends.map((e) => (e.length ? [...new Set(e)] : null));
    this.ascii = new Int32Array(states * 128);
    this.other = new Int32Array(states);
    this.ends = new Uint8Array(states * 128);
    // scanInto's scratch: 1 per state reached that ends a keyword.
    const hit = new Uint8Array(states);
    this.hit = hit;
    this.hitBytes = Buffer.from(hit.buffer, hit.byteOffset, hit.byteLength);
    this.pass = scanIntoOver(this.ascii, this.other, this.ends, hit);
    for (let state = 0; state < states; state++) {
      for (let code = 0; code < 128; code++)
        this.ascii[state * 128 + code] =
          (next[state * classes + (this.classOf[code] as number)] as number) * 128;
      for (const ch of ignore) this.ascii[state * 128 + ch.charCodeAt(0)] = state * 128;
      this.other[state] = (next[state * classes] as number) * 128;
      const out = this.output[state];
      if (out) this.ends[state * 128] = out.some((k) => located.has(keywords[k] as string)) ? 2 : 1;
    }
  }

  /** Whether any keyword occurs in `text` (stops at the first). */
  any(text: string, useWasm = text.length >= WASM_MIN_CHARS): boolean {
    const wasm = useWasm ? this.wasmScan() : null;
    if (wasm) return wasm.runAny(text);
    const { ascii, other, ends } = this;
    let at = 0;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      at = code < 128 ? (ascii[at + code] as number) : (other[at >> 7] as number);
      if (ends[at] !== 0) return true;
    }
    return false;
  }

  /** The keywords that occur in `text`. */
  scan(text: string): Set<string> {
    const found = new Set<string>();
    const { ascii, other, ends, output, keywords } = this;
    let at = 0; // state * 128
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      at = code < 128 ? (ascii[at + code] as number) : (other[at >> 7] as number);
      if (ends[at] !== 0) for (const k of output[at >> 7] ?? []) found.add(keywords[k] as string);
    }
    return found;
  }

  private wasmScan(): WasmScan | null {
    if (this.wasm === undefined) this.wasm = WasmScan.create(this.ascii, this.other, this.ends, this.warm);
    return this.wasm;
  }

  /**
   * The same pass, for a caller that reads it often: sets `seen[k]` to 1 for each keyword `k` (an index
   * into `keywords`) that occurs, appending `k` to `present` (if given) where `seen[k]` was 0 (so the caller reads
   * and clears only those), and appends to `at` the index of the last character of each occurrence of a
   * `located` keyword. Whether any keyword occurs.
   */
  scanInto(
    text: string,
    seen: Uint8Array,
    at: number[],
    useWasm = text.length >= WASM_MIN_CHARS,
    present?: number[],
  ): boolean {
    const wasm = useWasm ? this.wasmScan() : null;
    if (!(wasm ? wasm.run(text, at) : this.pass(text, at))) return false;
    // The states hit, found with a Buffer's native search over the same memory and cleared as they are
    // read: a short text costs nothing for the states it never reached.
    const hit = wasm ? wasm.hit : this.hit;
    const hitBytes = wasm ? wasm.hitBytes : this.hitBytes;
    const { output } = this;
    for (let s = hitBytes.indexOf(1); s !== -1; s = hitBytes.indexOf(1, s + 1)) {
      hit[s] = 0;
      for (const k of output[s] as number[])
        if (seen[k] === 0) {
          seen[k] = 1;
          present?.push(k);
        }
    }
    return true;
  }
}

/**
 * KeywordScanner.scanInto's pass over one scanner's tables, closed over as constants: V8 then keeps their
 * addresses out of the loop, where reading them from `this` cost about a third more per character. The
 * loop stands alone: any call after it in the same function (a Buffer search) cost it about a third again.
 */
function scanIntoOver(
  ascii: Int32Array,
  other: Int32Array,
  ends: Uint8Array,
  hit: Uint8Array,
): (text: string, at: number[]) => boolean {
  return (text, at) => {
    // A hit marks its state only (common words end thousands of times in 64 KiB); keywords are read after.
    let any = false;
    let state = 0; // state * 128
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      state = code < 128 ? (ascii[state + code] as number) : (other[state >> 7] as number);
      const end = ends[state] as number;
      if (end === 0) continue;
      any = true;
      hit[state >> 7] = 1;
      if (end === 2) at.push(i);
    }
    return any;
  };
}
