/**
 * Cap first, at the source: of a server line longer than what the observer keeps, the forwarding thread
 * copies only the head (what is kept, plus the masking margin) and a short tail (where a response's `id`,
 * `jsonrpc` and a trailing `isError` are), and says how many bytes it left out between them. The observer's
 * work and the copy queue's bytes then stay the same however long a response is. The traffic itself is
 * forwarded whole before any of this.
 */

/** The bytes of a long line's end that are copied (the SDK writes `…},"jsonrpc":"2.0","id":N}`). */
export const TAIL_BYTES = 4096;

/**
 * The member names whose presence in the left-out middle could change what the observer reads of a
 * response's outcome (a tool error's flag, a result that asks for input); whether the middle holds one is
 * said with the cut.
 */
const HIDDEN_KEYS = ['"isError"', '"resultType"'].map((name) => Buffer.from(name));

/**
 * Requests whose answers the observer reads whole (mcp.ts WHOLE_RESULT_METHODS, spelled as JSON strings):
 * while one may be pending, long lines are copied whole.
 */
const WHOLE_RESULT_NEEDLES = ['"initialize"', '"tools/list"', '"server/discover"'].map((s) => Buffer.from(s));
const NEEDLE_CARRY = Math.max(...WHOLE_RESULT_NEEDLES.map((n) => n.length)) - 1;

/**
 * Shared by the forwarding thread and the observer (Int32Array over a SharedArrayBuffer): HEAD is how many
 * bytes of a long server line to copy (0: copy lines whole), set by the observer; WHOLE counts requests
 * that want a whole answer, raised here when the client sends one and lowered by the observer when it ends;
 * SHORT_HEAD is the head used while the copy queue fills up, before the observer knows it is behind.
 */
export const CONTROL_HEAD = 0;
export const CONTROL_WHOLE = 1;
/** The head while the copy queue is filling up (the observer's short capture plus its masking margin). */
export const CONTROL_SHORT_HEAD = 2;
export const CONTROL_SLOTS = 3;

/** What the forwarding thread left out of a line, between the head and the tail it copied. */
export interface Elision {
  bytes: number;
  /** The left-out bytes hold an `"isError"` or `"resultType"` member name (somewhere, at any depth). */
  hidden: boolean;
}

export interface ElisionSink {
  /** Bytes to copy, in order (the stream may reuse `bytes` after the call). */
  copy(bytes: Buffer): void;
  /** Goes between the head's copy and the tail's. */
  elided(elision: Elision): void;
}

/** One server stream's line state on the forwarding thread. */
export class LineElider {
  /** Bytes of the current line so far. */
  private lineBytes = 0;
  /** The current line's head size, fixed at its start (Infinity: copied whole). */
  private limit = Number.POSITIVE_INFINITY;
  private eliding = false;
  /** The last TAIL_BYTES bytes past the head (kept in order; shifted, it is small). */
  private readonly tail = Buffer.alloc(TAIL_BYTES);
  private tailLength = 0;
  /** Bytes past the head so far. */
  private past = 0;
  /** Where, counted from the head's end, the first `"isError"` past it starts (negative: cut by it). */
  private firstKey: number | null = null;
  /** The last bytes seen before the current piece, to find a name split across reads. */
  private readonly carry = new SeamCarry(Math.max(...HIDDEN_KEYS.map((key) => key.length)) - 1);

  /** `pressed`: the copy queue holds enough that long lines are better copied short. */
  constructor(
    private readonly control: Int32Array,
    private readonly pressed: () => boolean = () => false,
  ) {}

  offer(chunk: Buffer, sink: ElisionSink): void {
    let start = 0;
    let copyFrom = 0;
    while (start < chunk.length) {
      if (this.lineBytes === 0 && !this.eliding) this.limit = this.lineLimit();
      const nl = chunk.indexOf(0x0a, start);
      const end = nl === -1 ? chunk.length : nl;
      if (!this.eliding && this.lineBytes + (end - start) > this.limit) {
        const cut = start + (this.limit - this.lineBytes);
        if (cut > copyFrom) sink.copy(chunk.subarray(copyFrom, cut));
        this.startEliding(chunk, cut);
        start = cut;
      }
      if (this.eliding) {
        this.pastHead(chunk.subarray(start, end));
        if (nl === -1) return;
        this.endLine(sink);
        copyFrom = nl;
      }
      if (nl === -1) {
        this.lineBytes += end - start;
        break;
      }
      this.lineBytes = 0;
      start = nl + 1;
    }
    // The stream's last bytes, however short the read: a head's end is always in its own line.
    this.carry.keep(chunk);
    if (copyFrom < chunk.length) sink.copy(chunk.subarray(copyFrom));
  }

  private lineLimit(): number {
    let head = Atomics.load(this.control, CONTROL_HEAD);
    if (head <= 0 || Atomics.load(this.control, CONTROL_WHOLE) > 0) return Number.POSITIVE_INFINITY;
    const short = Atomics.load(this.control, CONTROL_SHORT_HEAD);
    if (short > 0 && short < head && this.pressed()) head = short;
    return head;
  }

  private startEliding(chunk: Buffer, cut: number): void {
    this.eliding = true;
    this.past = 0;
    this.tailLength = 0;
    this.firstKey = null;
    this.carry.keep(chunk.subarray(0, cut));
  }

  private pastHead(piece: Buffer): void {
    if (piece.length === 0) return;
    if (this.firstKey === null) {
      for (const key of HIDDEN_KEYS) {
        const inSeam = this.carry.straddling(piece, key);
        const found = inSeam ?? piece.indexOf(key);
        if (found !== -1 && (this.firstKey === null || this.past + found < this.firstKey))
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

  private endLine(sink: ElisionSink): void {
    this.eliding = false;
    const left = this.past - this.tailLength;
    // A name that starts before the tail is not (all) in what the observer gets, nor one the head's end cut.
    sink.elided({ bytes: left, hidden: this.firstKey !== null && this.firstKey < left });
    if (this.tailLength > 0) sink.copy(this.tail.subarray(0, this.tailLength));
  }
}

/** The last few bytes of a stream, to find a needle that one read ends inside and the next finishes. */
class SeamCarry {
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
}

/**
 * The client's side: counts requests for whole answers as they are forwarded (the name in a string the
 * client sends counts too, which only copies more), so that their answers are never cut.
 */
export class WholeResultWatch {
  private readonly carry = new SeamCarry(NEEDLE_CARRY);

  constructor(private readonly control: Int32Array) {}

  offer(chunk: Buffer): void {
    let found = 0;
    for (const needle of WHOLE_RESULT_NEEDLES) {
      if (this.carry.straddling(chunk, needle) !== null) found++;
      for (let at = chunk.indexOf(needle); at !== -1; at = chunk.indexOf(needle, at + 1)) found++;
    }
    this.carry.keep(chunk);
    if (found > 0) Atomics.add(this.control, CONTROL_WHOLE, found);
  }
}

/** The observer's side of WHOLE: one request that wanted a whole answer has ended. */
export function wholeResultEnded(control: Int32Array): void {
  for (;;) {
    const now = Atomics.load(control, CONTROL_WHOLE);
    if (now <= 0 || Atomics.compareExchange(control, CONTROL_WHOLE, now, now - 1) === now) return;
  }
}
