/**
 * Splits a byte stream into newline-delimited lines, the stdio framing of MCP. Works on bytes, never on
 * decoded text, so a chunk that ends inside a multi-byte character or carries invalid UTF-8 is framed the
 * same as any other. Bounded: a line longer than `maxLineBytes` is not buffered whole; its head and tail
 * are kept (for id recovery and the record) and it is reported as oversized.
 */

export interface LineSink {
  line(bytes: Buffer, at: number): void;
  oversized(head: Buffer, tail: Buffer, totalBytes: number, at: number): void;
  /** The rest of a line whose start was lost in a gap was skipped (it is not delivered). */
  lost?(at: number): void;
}

const EDGE_BYTES = 1024;

export class LineSplitter {
  private parts: Buffer[] = [];
  private buffered = 0;
  /** Set once the current line passed the limit: we only keep its head and a rolling tail. */
  private overflow: { head: Buffer; tail: Buffer; total: number } | null = null;
  /** After a gap that ended inside a line: its rest is skipped up to the next newline. */
  private skipping = false;

  constructor(
    private readonly sink: LineSink,
    private readonly maxLineBytes = 4 * 1024 * 1024,
    /** The caller hands over chunks it never touches again (transferred copies): keep them without copying. */
    private readonly ownsChunks = false,
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
      } else {
        this.append(chunk.subarray(start, nl));
        this.finishLine(at);
      }
      start = nl + 1;
    }
  }

  /**
   * A gap in the copy (dropped chunks): discard the partial line. `midLine`: the lost bytes ended inside a
   * line, so what follows up to the next newline is the rest of a lost line and is skipped too.
   */
  reset(midLine = false): void {
    this.parts = [];
    this.buffered = 0;
    this.overflow = null;
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
    if (this.buffered + piece.length > this.maxLineBytes) {
      const all = Buffer.concat([...this.parts, piece]);
      this.overflow = {
        head: Buffer.from(all.subarray(0, EDGE_BYTES)),
        tail: lastBytes(all, EDGE_BYTES),
        total: all.length,
      };
      this.parts = [];
      this.buffered = 0;
      return;
    }
    // Copy unless owned: the caller's chunk may be reused after push() returns.
    this.parts.push(this.ownsChunks ? piece : Buffer.from(piece));
    this.buffered += piece.length;
  }

  private finishLine(at: number): void {
    if (this.overflow) {
      const { head, tail, total } = this.overflow;
      this.overflow = null;
      this.sink.oversized(head, tail, total, at);
      return;
    }
    const line = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts, this.buffered);
    this.parts = [];
    this.buffered = 0;
    this.sink.line(line ?? Buffer.alloc(0), at);
  }
}

function lastBytes(buf: Buffer, n: number): Buffer {
  return Buffer.from(buf.length <= n ? buf : buf.subarray(buf.length - n));
}
