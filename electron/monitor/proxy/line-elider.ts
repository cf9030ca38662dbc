/**
 * Cap first, at the source: of a server line longer than what the observer keeps, the forwarding thread
 * copies only the head (what is kept, plus the masking margin) and a short tail (where a response's `id`,
 * `jsonrpc` and a trailing `isError` are), and says how many bytes it left out between them. The observer's
 * work and the copy queue's bytes then stay the same however long a response is. The traffic itself is
 * forwarded whole before any of this.
 */
import { CutRest, type Elision, SeamCarry } from "../protocol/line-cut.js";

export { type Elision, TAIL_BYTES } from "../protocol/line-cut.js";

/**
 * Requests whose answers the observer reads whole (mcp.ts WHOLE_RESULT_METHODS, spelled as JSON strings):
 * while one may be pending, long lines are copied whole. None holds a newline, so none spans two lines.
 */
const WHOLE_RESULT_NEEDLES = ['"initialize"', '"tools/list"', '"server/discover"'].map((s) => Buffer.from(s));
const NEEDLE_CARRY = Math.max(...WHOLE_RESULT_NEEDLES.map((n) => n.length)) - 1;
/**
 * Where each is searched from: a piece of at most 6 bytes led by a byte that requests hold few of (a
 * needle of 7 bytes or more runs a Boyer–Moore–Horspool search, 3 µs a small request for the three; see
 * protocol/hidden-names.ts), each hit then compared whole.
 */
const NEEDLE_PIECES = [
  ["initialize", 'ze"'],
  ["tools/list", '/list"'],
  ["server/discover", "/disco"],
].map(([method, piece]) => {
  const needle = Buffer.from(`"${method}"`);
  return { needle, piece: Buffer.from(piece as string), offset: needle.indexOf(piece as string) };
});

/**
 * Shared by the forwarding thread and the observer (Int32Array over a SharedArrayBuffer): HEAD is how many
 * bytes of a long server line to copy (0: copy lines whole), set by the observer; WHOLE counts the marks
 * (a whole-result needle in the client's bytes) that may still stand for a pending request, raised by the
 * forwarding thread and lowered by the observer (see WholeResultLedger); SHORT_HEAD is the head used while
 * the copy queue fills up, before the observer knows it is behind.
 */
export const CONTROL_HEAD = 0;
export const CONTROL_WHOLE = 1;
/** The head while the copy queue is filling up (the observer's short capture plus its masking margin). */
export const CONTROL_SHORT_HEAD = 2;
export const CONTROL_SLOTS = 3;

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
  private readonly rest = new CutRest();

  /** `pressed`: the copy queue holds enough that long lines are better copied short. */
  constructor(
    private readonly control: Int32Array,
    private readonly pressed: () => boolean = () => false,
  ) {}

  offer(chunk: Buffer, sink: ElisionSink): void {
    // Most reads of a long line fall inside its left-out middle: one search for its end, then the rest.
    if (this.eliding) {
      const nl = chunk.indexOf(0x0a);
      if (nl === -1) {
        this.rest.add(chunk);
        return;
      }
      this.rest.add(chunk, 0, nl);
      this.endLine(sink);
      this.lineBytes = 0;
      this.cutFrom(chunk, nl + 1, nl, sink);
      return;
    }
    this.cutFrom(chunk, 0, 0, sink);
  }

  /** The rest of `chunk` from `start`, not inside a cut line; its copy starts at `copyFrom`. */
  private cutFrom(chunk: Buffer, start: number, copyFrom: number, sink: ElisionSink): void {
    while (start < chunk.length) {
      if (this.lineBytes === 0 && !this.eliding) this.limit = this.lineLimit();
      const nl = chunk.indexOf(0x0a, start);
      const end = nl === -1 ? chunk.length : nl;
      if (!this.eliding && this.lineBytes + (end - start) > this.limit) {
        const cut = start + (this.limit - this.lineBytes);
        if (cut > copyFrom) sink.copy(chunk.subarray(copyFrom, cut));
        this.eliding = true;
        // What precedes the cut in this read follows what `seen` kept of the reads before it.
        this.rest.start(chunk, 0, cut);
        start = cut;
      }
      if (this.eliding) {
        this.rest.add(chunk, start, end);
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
    this.rest.seen(chunk);
    if (copyFrom < chunk.length) sink.copy(chunk.subarray(copyFrom));
  }

  private lineLimit(): number {
    let head = Atomics.load(this.control, CONTROL_HEAD);
    if (head <= 0 || Atomics.load(this.control, CONTROL_WHOLE) > 0) return Number.POSITIVE_INFINITY;
    const short = Atomics.load(this.control, CONTROL_SHORT_HEAD);
    if (short > 0 && short < head && this.pressed()) head = short;
    return head;
  }

  private endLine(sink: ElisionSink): void {
    this.eliding = false;
    const { elision, tail } = this.rest.end();
    sink.elided(elision);
    if (tail.length > 0) sink.copy(tail);
  }
}

/** How many whole-result needles `bytes` holds whole. */
function needlesIn(bytes: Buffer): number {
  let found = 0;
  for (const { needle, piece, offset } of NEEDLE_PIECES) {
    for (let hit = bytes.indexOf(piece, offset); hit !== -1; hit = bytes.indexOf(piece, hit + 1)) {
      const start = hit - offset;
      if (
        start + needle.length <= bytes.length &&
        bytes.compare(needle, 0, needle.length, start, start + needle.length) === 0
      )
        found++;
    }
  }
  return found;
}

/**
 * The client's side, on the forwarding thread: raises WHOLE by every needle in the client's bytes as they
 * are forwarded (one in a tool's arguments too: the observer, which reads the line, lowers that one), so
 * that an answer the observer must read whole is never cut before it has framed the request.
 */
export class WholeResultWatch {
  private readonly carry = new SeamCarry(NEEDLE_CARRY);
  /** Marks raised so far: each copy of the client's bytes carries this count as of its end. */
  total = 0;

  constructor(private readonly control: Int32Array) {}

  offer(chunk: Buffer): void {
    let found = needlesIn(chunk);
    for (const needle of WHOLE_RESULT_NEEDLES) if (this.carry.straddling(needle, chunk) !== null) found++;
    this.carry.keep(chunk);
    this.total += found;
    if (found > 0) Atomics.add(this.control, CONTROL_WHOLE, found);
  }
}

/**
 * The observer's side of WHOLE. It frames the same client bytes into lines and counts the same needles per
 * line (a needle never spans a newline, so a line holds exactly the marks raised for its bytes); a needle
 * that is the method of a whole-result request it now tracks is held until that request ends, however it
 * ends; every other one is lowered at once. The invariant, whenever the observer is not inside a line:
 *
 *   WHOLE = held marks (pending whole-result requests) + marks in client bytes not yet framed
 *           + marks in client bytes that will never be framed (lost in a gap, skipped, a line past the limit)
 *
 * The last term is surplus, which only copies more. Each copy of the client's bytes carries the marks the
 * forwarding thread had raised through its end; when the observer has pushed that copy and stands between
 * lines, every mark raised up to there was either in a line it framed (and counted) or never will be:
 * those it lowers, however far ahead the forwarding thread has gone since. WHOLE is never lowered below
 * the held marks plus what is unframed; were it ever, a whole answer that arrives cut is stored as not
 * read, never as a partial list.
 */
export class WholeResultLedger {
  /** Marks counted in client lines framed so far. */
  private framed = 0;
  /** Marks lowered because their bytes were never framed. */
  private lost = 0;

  constructor(private readonly control: Int32Array) {}

  /** The marks the forwarding thread raised for one client line the observer framed. */
  marks(line: Buffer): number {
    const count = needlesIn(line);
    this.framed += count;
    return count;
  }

  /** `count` marks are no longer (or never were) a pending request's. */
  release(count: number): void {
    if (count <= 0) return;
    for (;;) {
      const now = Atomics.load(this.control, CONTROL_WHOLE);
      const next = Math.max(0, now - count);
      if (now === next || Atomics.compareExchange(this.control, CONTROL_WHOLE, now, next) === now) return;
    }
  }

  /**
   * A client copy carrying `raised` (the marks raised through its end) has been pushed; `betweenLines`:
   * no line is open. Lowers the marks of bytes up to there that were never framed.
   */
  settle(raised: number, betweenLines: boolean): void {
    if (!betweenLines) return;
    const unframed = raised - this.framed - this.lost;
    if (unframed <= 0) return;
    this.lost += unframed;
    this.release(unframed);
  }
}
