/**
 * Splits a byte stream into newline-delimited lines, the stdio framing of MCP. Works on bytes, never on
 * decoded text, so a chunk that ends inside a multi-byte character or carries invalid UTF-8 is framed the
 * same as any other. Bounded: a line longer than `maxLineBytes` is not buffered whole; it is cut as the
 * forwarding thread cuts a long server line (line-cut.ts): its head, its tail, and whether the bytes left
 * out between them hold a name that could change a response's outcome.
 */
import { CutRest, type Elision } from "./line-cut.js";

export interface LineSink {
  /** `bytes` is valid only during the call: the splitter reuses its memory, and so may the caller. */
  line(bytes: Buffer, at: number): void;
  /**
   * A line past the limit, for a sink that does not read cut lines (`elided`): its first and last bytes
   * (up to 1 KiB each, valid only during the call).
   */
  oversized(head: Buffer, tail: Buffer, totalBytes: number, at: number): void;
  /**
   * A line whose middle was left out, by the copy or because it passed the limit: `head` and `tail` are
   * its first and last bytes (valid only during the call), `hidden` whether the left-out bytes hold an
   * `"isError"` or `"resultType"` name.
   */
  elided?(head: Buffer, tail: Buffer, totalBytes: number, hidden: boolean, at: number): void;
  /** The rest of a line whose start was lost in a gap was skipped (it is not delivered). */
  lost?(at: number): void;
}

export const EDGE_BYTES = 1024;
/**
 * The longest message (a stdio line, an HTTP body, an SSE event) parsed whole; a longer one is read from its
 * edges. One value for the wrapper, `mcpscope proxy`, the app's proxies and tap, so they record alike.
 */
export const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
/** A line buffer grown past this is let go after its line: memory stays flat after a rare huge line. */
const KEEP_BUFFER_BYTES = 2 * 1024 * 1024;

export class LineSplitter {
  /**
   * The current line's bytes so far, copied: the caller may reuse a chunk once `push` returns. Grown as
   * needed and kept (up to KEEP_BUFFER_BYTES), so that long lines cost a copy, not an allocation, each.
   */
  private buffer: Buffer = Buffer.alloc(0);
  private buffered = 0;
  /** Set once the current line passed the limit: its head is kept, its rest streams through `rest`. */
  private overflow: { head: Buffer; total: number } | null = null;
  private readonly rest = new CutRest();
  /** After a gap that ended inside a line: its rest is skipped up to the next newline. */
  private skipping = false;
  /** The current line's middle was left out after its first `at` bytes. */
  private elision: { at: number; bytes: number; hidden: boolean } | null = null;

  /** `headBytes`: what is kept of the start of a line past the limit. */
  constructor(
    private readonly sink: LineSink,
    private readonly maxLineBytes = 4 * 1024 * 1024,
    private readonly headBytes = EDGE_BYTES,
  ) {}

  /** No line is under way: every byte pushed so far ended in a line delivered or known lost. */
  get betweenLines(): boolean {
    return this.buffered === 0 && !this.overflow && !this.elision && !this.skipping;
  }

  push(chunk: Buffer, at: number): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      if (nl === -1) {
        if (start < chunk.length && !this.skipping) this.append(chunk.subarray(start));
        return;
      }
      if (this.skipping) {
        this.skipping = false;
        this.sink.lost?.(at);
      } else if (this.buffered === 0 && !this.overflow && !this.elision) {
        // The whole line is in this chunk: no copy, and only its ends when it is over the limit.
        if (nl - start > this.maxLineBytes) {
          const whole = chunk.subarray(start, nl);
          const head = whole.subarray(0, Math.min(this.headBytes, whole.length));
          this.rest.start(head);
          this.rest.add(whole.subarray(head.length));
          this.deliverCut(head, whole.length, at);
        } else this.sink.line(chunk.subarray(start, nl), at);
      } else {
        this.append(chunk.subarray(start, nl));
        this.finishLine(at);
      }
      start = nl + 1;
    }
  }

  /** The copy left out `bytes` of the current line here (see proxy/line-elider.ts). */
  elide(bytes: number, hidden: boolean): void {
    if (this.skipping || bytes === 0) return;
    if (this.overflow) {
      this.overflow.total += bytes;
      this.rest.skip({ bytes, hidden });
    } else if (this.elision) {
      this.elision.bytes += bytes;
      this.elision.hidden ||= hidden;
    } else this.elision = { at: this.buffered, bytes, hidden };
  }

  /**
   * A gap in the copy (dropped chunks): discard the partial line. `midLine`: the lost bytes ended inside a
   * line, so what follows up to the next newline is the rest of a lost line and is skipped too.
   */
  reset(midLine = false): void {
    this.release();
    this.overflow = null;
    this.elision = null;
    this.skipping = midLine;
  }

  /** End of stream: a final unterminated line is delivered as is. */
  end(at: number): void {
    if (this.skipping) {
      this.skipping = false;
      this.sink.lost?.(at);
    } else if (this.buffered > 0 || this.overflow) this.finishLine(at);
  }

  private append(piece: Buffer): void {
    if (piece.length === 0) return;
    if (this.overflow) {
      this.overflow.total += piece.length;
      this.rest.add(piece);
      return;
    }
    const needed = this.buffered + piece.length;
    if (needed > this.maxLineBytes) {
      this.startOverflow(piece);
      return;
    }
    if (needed > this.buffer.length) {
      const grown = Buffer.allocUnsafeSlow(
        Math.min(this.maxLineBytes, Math.max(needed, 2 * this.buffer.length, 4096)),
      );
      this.buffer.copy(grown, 0, 0, this.buffered);
      this.buffer = grown;
    }
    piece.copy(this.buffer, this.buffered);
    this.buffered = needed;
  }

  /** The line passes the limit with `piece`: its head is kept, the rest (and a cut in it) goes by. */
  private startOverflow(piece: Buffer): void {
    const elision = this.elision;
    this.elision = null;
    const buffered = this.buffer.subarray(0, this.buffered);
    // The head ends where the copy's own cut starts, if there is one: the bytes after it are not contiguous.
    const headLength = Math.min(this.headBytes, buffered.length + piece.length, elision?.at ?? Infinity);
    const head = Buffer.alloc(headLength);
    const fromBuffer = buffered.copy(head, 0, 0, headLength);
    piece.copy(head, fromBuffer, 0, headLength - fromBuffer);
    this.rest.start(head);
    const cutAt = elision?.at ?? buffered.length;
    if (headLength < cutAt) this.rest.add(buffered.subarray(headLength, cutAt));
    if (elision) {
      this.rest.skip(elision);
      this.rest.add(buffered.subarray(cutAt));
    }
    this.rest.add(piece.subarray(Math.max(0, headLength - buffered.length)));
    this.overflow = { head, total: buffered.length + piece.length + (elision?.bytes ?? 0) };
    this.release();
  }

  private finishLine(at: number): void {
    const elision = this.elision;
    this.elision = null;
    if (elision && !this.overflow) {
      const total = this.buffered + elision.bytes;
      const head = this.buffer.subarray(0, elision.at);
      const tail = this.buffer.subarray(elision.at, this.buffered);
      // Head and tail are bounded however long the whole line was: read them, whatever its length.
      this.deliver(head, tail, total, elision, at);
      this.release();
      return;
    }
    if (this.overflow) {
      const { head, total } = this.overflow;
      this.overflow = null;
      this.deliverCut(head, total, at);
      return;
    }
    const line = this.buffer.subarray(0, this.buffered);
    this.sink.line(line, at);
    this.release();
  }

  /** A line past the limit ended: its head, and what `rest` kept of the bytes after it. */
  private deliverCut(head: Buffer, total: number, at: number): void {
    const { elision, tail } = this.rest.end();
    this.deliver(head, tail, total, elision, at);
  }

  private deliver(head: Buffer, tail: Buffer, total: number, elision: Elision, at: number): void {
    if (this.sink.elided) this.sink.elided(head, tail, total, elision.hidden, at);
    else this.sink.oversized(head.subarray(0, EDGE_BYTES), tail.subarray(-EDGE_BYTES), total, at);
  }

  private release(): void {
    this.buffered = 0;
    if (this.buffer.length > KEEP_BUFFER_BYTES) this.buffer = Buffer.alloc(0);
  }
}
