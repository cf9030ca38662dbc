/**
 * What is kept of a line too long to keep whole: its head, its last TAIL_BYTES bytes, how many bytes were
 * left out between them, and whether those held a member name that could change a response's outcome.
 * The forwarding thread cuts long server lines this way (proxy/line-elider.ts), and the observer's line
 * splitter cuts a line past the framing limit the same way, so both are read by elided-response.ts.
 */

/** The bytes of a long line's end that are kept (the SDK writes `…},"jsonrpc":"2.0","id":N}`). */
export const TAIL_BYTES = 4096;

/**
 * The member names whose presence in the left-out middle could change what the observer reads of a
 * response's outcome (a tool error's flag, a result that asks for input).
 */
const HIDDEN_KEYS = ['"isError"', '"resultType"'].map((name) => Buffer.from(name));
const KEY_CARRY = Math.max(...HIDDEN_KEYS.map((key) => key.length)) - 1;

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
  private readonly carry = new SeamCarry(KEY_CARRY);

  /** Bytes of the stream before a cut, in order: a name the head's end cuts is found with what follows. */
  seen(bytes: Buffer): void {
    this.carry.keep(bytes);
  }

  /** A line's head ends after `headEnd` (its last bytes, following what `seen` was given). */
  start(headEnd: Buffer): void {
    this.past = 0;
    this.tailLength = 0;
    this.firstKey = null;
    this.carry.keep(headEnd);
  }

  /** The next bytes past the head. */
  add(piece: Buffer): void {
    if (piece.length === 0) return;
    if (this.firstKey === null) {
      for (const key of HIDDEN_KEYS) {
        // Negative when the name starts in the carried bytes (-1 included: not indexOf's "none").
        const inPiece = piece.indexOf(key);
        const found = this.carry.straddling(piece, key) ?? (inPiece === -1 ? null : inPiece);
        if (found !== null && (this.firstKey === null || this.past + found < this.firstKey))
          this.firstKey = this.past + found;
      }
      this.carry.keep(piece);
    }
    this.past += piece.length;
    if (piece.length >= TAIL_BYTES) {
      piece.copy(this.tail, 0, piece.length - TAIL_BYTES);
      this.tailLength = TAIL_BYTES;
      return;
    }
    const keep = Math.min(this.tailLength, TAIL_BYTES - piece.length);
    this.tail.copyWithin(0, this.tailLength - keep, this.tailLength);
    piece.copy(this.tail, keep);
    this.tailLength = keep + piece.length;
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

/** The last few bytes of a stream, to find a needle that one read ends inside and the next finishes. */
export class SeamCarry {
  private readonly bytes: Buffer;
  private length = 0;
  /** Scratch for the carried bytes and the next read's first ones: no allocation per read. */
  private readonly seam: Buffer;

  constructor(private readonly size: number) {
    this.bytes = Buffer.alloc(size);
    this.seam = Buffer.alloc(2 * size);
  }

  /**
   * Where `needle` starts, relative to `next`'s start (so negative), if it starts in the carried bytes and
   * ends in `next`; null if it does not.
   */
  straddling(next: Buffer, needle: Buffer): number | null {
    if (this.length === 0) return null;
    this.bytes.copy(this.seam, 0, 0, this.length);
    const more = next.copy(this.seam, this.length, 0, Math.min(needle.length - 1, this.size));
    const seam = this.seam.subarray(0, this.length + more);
    for (let at = seam.indexOf(needle); at !== -1; at = seam.indexOf(needle, at + 1)) {
      if (at >= this.length) return null;
      if (at + needle.length > this.length) return at - this.length;
    }
    return null;
  }

  /** Carries the last bytes of what was carried followed by `piece`. */
  keep(piece: Buffer): void {
    if (piece.length >= this.size) {
      piece.copy(this.bytes, 0, piece.length - this.size);
      this.length = this.size;
      return;
    }
    const kept = Math.min(this.length, this.size - piece.length);
    this.bytes.copyWithin(0, this.length - kept, this.length);
    piece.copy(this.bytes, kept);
    this.length = kept + piece.length;
  }

  clear(): void {
    this.length = 0;
  }
}
