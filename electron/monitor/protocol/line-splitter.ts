/**
 * Splits a byte stream into newline-delimited lines, the stdio framing of MCP. Works on bytes, never on
 * decoded text, so a chunk that ends inside a multi-byte character or carries invalid UTF-8 is framed the
 * same as any other. Bounded: a line longer than `maxLineBytes` is not buffered whole; its head and tail
 * are kept (for id recovery and the record) and it is reported as oversized.
 */

export interface LineSink {
  /** `bytes` is valid only during the call: the splitter reuses its memory, and so may the caller. */
  line(bytes: Buffer, at: number): void;
  oversized(head: Buffer, tail: Buffer, totalBytes: number, at: number): void;
  /**
   * A line whose middle the copy left out: `head` and `tail` are its first and last bytes (valid only
   * during the call), `hidden` whether the left-out bytes hold an `"isError"` or `"resultType"` name.
   */
  elided?(head: Buffer, tail: Buffer, totalBytes: number, hidden: boolean, at: number): void;
  /** The rest of a line whose start was lost in a gap was skipped (it is not delivered). */
  lost?(at: number): void;
}

const EDGE_BYTES = 1024;
/** A line buffer grown past this is let go after its line: memory stays flat after a rare huge line. */
const KEEP_BUFFER_BYTES = 2 * 1024 * 1024;

export class LineSplitter {
  /**
   * The current line's bytes so far, copied: the caller may reuse a chunk once `push` returns. Grown as
   * needed and kept (up to KEEP_BUFFER_BYTES), so that long lines cost a copy, not an allocation, each.
   */
  private buffer: Buffer = Buffer.alloc(0);
  private buffered = 0;
  /** Set once the current line passed the limit: we only keep its head and a rolling tail. */
  private overflow: { head: Buffer; tail: Buffer; total: number } | null = null;
  /** After a gap that ended inside a line: its rest is skipped up to the next newline. */
  private skipping = false;
  /** The current line's middle was left out after its first `at` bytes. */
  private elision: { at: number; bytes: number; hidden: boolean } | null = null;

  constructor(
    private readonly sink: LineSink,
    private readonly maxLineBytes = 4 * 1024 * 1024,
  ) {}

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
        // The whole line is in this chunk: no copy, and only its edges when it is over the limit.
        if (nl - start > this.maxLineBytes) {
          const whole = chunk.subarray(start, nl);
          this.sink.oversized(
            Buffer.from(whole.subarray(0, EDGE_BYTES)),
            lastBytes(whole, EDGE_BYTES),
            whole.length,
            at,
          );
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
    if (this.overflow) this.overflow.total += bytes;
    else if (this.elision) {
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
      this.overflow.tail = lastBytes(Buffer.concat([this.overflow.tail, piece]), EDGE_BYTES);
      return;
    }
    const needed = this.buffered + piece.length;
    if (needed > this.maxLineBytes) {
      const all = Buffer.concat([this.buffer.subarray(0, this.buffered), piece]);
      this.overflow = {
        head: Buffer.from(all.subarray(0, EDGE_BYTES)),
        tail: lastBytes(all, EDGE_BYTES),
        total: all.length + (this.elision?.bytes ?? 0),
      };
      this.elision = null;
      this.release();
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

  private finishLine(at: number): void {
    const elision = this.elision;
    this.elision = null;
    if (elision && !this.overflow) {
      const total = this.buffered + elision.bytes;
      const head = this.buffer.subarray(0, elision.at);
      const tail = this.buffer.subarray(elision.at, this.buffered);
      // Head and tail are bounded however long the whole line was: read them, whatever its length.
      if (this.sink.elided) this.sink.elided(head, tail, total, elision.hidden, at);
      else
        this.sink.oversized(
          Buffer.from(head.subarray(0, EDGE_BYTES)),
          lastBytes(tail, EDGE_BYTES),
          total,
          at,
        );
      this.release();
      return;
    }
    if (this.overflow) {
      const { head, tail, total } = this.overflow;
      this.overflow = null;
      this.sink.oversized(head, tail, total, at);
      return;
    }
    const line = this.buffer.subarray(0, this.buffered);
    this.sink.line(line, at);
    this.release();
  }

  private release(): void {
    this.buffered = 0;
    if (this.buffer.length > KEEP_BUFFER_BYTES) this.buffer = Buffer.alloc(0);
  }
}

function lastBytes(buf: Buffer, n: number): Buffer {
  return Buffer.from(buf.length <= n ? buf : buf.subarray(buf.length - n));
}
