/**
 * What is kept of a line too long to keep whole: its head, its last TAIL_BYTES bytes, how many bytes were
 * left out between them, and whether those held a member name that could change a response's outcome.
 * The forwarding thread cuts long server lines this way (proxy/line-elider.ts), and the observer's line
 * splitter cuts a line past the framing limit the same way, so both are read by elided-response.ts.
 */

import { firstHiddenName, HIDDEN_NAMES, NAME_CARRY } from "./hidden-names.js";

/** The bytes of a long line's end that are kept (the SDK writes `…},"jsonrpc":"2.0","id":N}`). */
export const TAIL_BYTES = 4096;

/** What was left out of a line, between the head and the tail that were kept. */
export interface Elision {
  bytes: number;
  /** The left-out bytes hold an `"isError"` or `"resultType"` member name (somewhere, at any depth). */
  hidden: boolean;
}

/** The part of a long line past its head, as it streams by: a rolling tail and where the first name is. */
export class CutRest {
  /** The last TAIL_BYTES bytes past the head (kept in order; shifted, it is small). */
  private readonly tail = Buffer.alloc(TAIL_BYTES);
  private tailLength = 0;
  /** Bytes past the head so far. */
  private past = 0;
  /** Where, counted from the head's end, the first name past it starts (negative: cut by the head's end). */
  private firstKey: number | null = null;
  /** The last bytes before the current piece, to find a name split across reads or by the head's end. */
  private readonly carry = new SeamCarry(NAME_CARRY);

  /** Bytes of the stream before a cut, in order: a name the head's end cuts is found with what follows. */
  seen(bytes: Buffer, from = 0, to = bytes.length): void {
    this.carry.keep(bytes, from, to);
  }

  /** A line's head ends after `bytes[from, to)` (its last bytes, following what `seen` was given). */
  start(bytes: Buffer, from = 0, to = bytes.length): void {
    this.past = 0;
    this.tailLength = 0;
    this.firstKey = null;
    this.carry.keep(bytes, from, to);
  }

  /**
   * The next bytes past the head: `bytes[from, to)`, where `to` is the buffer's end or a newline's position
   * (a read's bytes are taken where they are, not copied out first).
   */
  add(bytes: Buffer, from = 0, to = bytes.length): void {
    const length = to - from;
    if (length <= 0) return;
    if (this.firstKey === null) {
      // Negative when the name starts in the carried bytes (-1 included: not indexOf's "none").
      let found: number | null = null;
      for (const name of HIDDEN_NAMES) {
        const at = this.carry.straddling(name, bytes, from, to);
        if (at !== null && (found === null || at < found)) found = at;
      }
      if (found === null) {
        const at = firstHiddenName(bytes, from, to);
        if (at !== -1) found = at - from;
      }
      if (found !== null) this.firstKey = this.past + found;
      else this.carry.keep(bytes, from, to);
    }
    this.past += length;
    if (length >= TAIL_BYTES) {
      bytes.copy(this.tail, 0, to - TAIL_BYTES, to);
      this.tailLength = TAIL_BYTES;
      return;
    }
    const keep = Math.min(this.tailLength, TAIL_BYTES - length);
    this.tail.copyWithin(0, this.tailLength - keep, this.tailLength);
    bytes.copy(this.tail, keep, from, to);
    this.tailLength = keep + length;
  }

  /** `bytes` past the head that were left out unseen (by an earlier cut): `hidden` as that cut said. */
  skip(elision: Elision): void {
    if (elision.bytes === 0) return;
    if (elision.hidden && this.firstKey === null) this.firstKey = this.past;
    this.past += elision.bytes;
    // What was the tail is in the middle now, and the bytes around the skip are not contiguous.
    this.tailLength = 0;
    this.carry.clear();
  }

  /** The line ended: what was left out, and the tail (valid until the next `start`). */
  end(): { elision: Elision; tail: Buffer } {
    const left = this.past - this.tailLength;
    // A name that starts before the tail is not (all) in what is kept, nor one the head's end cut.
    return {
      elision: { bytes: left, hidden: this.firstKey !== null && this.firstKey < left },
      tail: this.tail.subarray(0, this.tailLength),
    };
  }
}

/**
 * The last few bytes of a stream, to find a needle that one read ends inside and the next finishes. Both
 * are compared where they are, byte by byte (a needle is a few bytes): no copy, no allocation per read.
 */
export class SeamCarry {
  private readonly bytes: Buffer;
  private length = 0;

  constructor(private readonly size: number) {
    this.bytes = Buffer.alloc(size);
  }

  /**
   * Where `needle` starts, relative to `next[from]` (so negative), if it starts in the carried bytes and
   * ends in `next[from, to)`; null if it does not.
   */
  straddling(needle: Uint8Array, next: Uint8Array, from = 0, to = next.length): number | null {
    // `inCarry` of the needle's bytes are carried, the rest start `next`; the most first (it starts first).
    for (let inCarry = Math.min(this.length, needle.length - 1); inCarry > 0; inCarry--) {
      const rest = needle.length - inCarry;
      if (rest > to - from) break;
      const start = this.length - inCarry;
      let k = 0;
      while (k < inCarry && this.bytes[start + k] === needle[k]) k++;
      if (k < inCarry) continue;
      while (k < needle.length && next[from + k - inCarry] === needle[k]) k++;
      if (k === needle.length) return -inCarry;
    }
    return null;
  }

  /** Carries the last bytes of what was carried followed by `piece[from, to)`. */
  keep(piece: Uint8Array, from = 0, to = piece.length): void {
    const length = to - from;
    if (length >= this.size) {
      for (let k = 0; k < this.size; k++) this.bytes[k] = piece[to - this.size + k] as number;
      this.length = this.size;
      return;
    }
    const kept = Math.min(this.length, this.size - length);
    this.bytes.copyWithin(0, this.length - kept, this.length);
    for (let k = 0; k < length; k++) this.bytes[kept + k] = piece[from + k] as number;
    this.length = kept + length;
  }

  clear(): void {
    this.length = 0;
  }
}
