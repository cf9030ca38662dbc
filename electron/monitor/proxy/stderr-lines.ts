/**
 * The wrapper's own messages share stderr with the server's, which a client shows or logs line by line.
 * A message is written between the server's lines, never inside one: while the server is part-way through
 * a line, the message waits for that line's end. The server's bytes pass unchanged, except where a line is
 * left unfinished for longer than `holdMs` (or at the end): then a line break is added before the message,
 * so that neither is lost in the other.
 */
const NEWLINE = 0x0a;

export class StderrLines {
  private midLine = false;
  private held: string[] = [];
  private timer: NodeJS.Timeout | null = null;
  private ended = false;

  constructor(
    private readonly sink: NodeJS.WritableStream,
    private readonly holdMs = 2000,
  ) {}

  /** Writes one of the wrapper's own lines (ending in a newline) at the next line boundary. */
  say(line: string): void {
    if (!this.midLine) {
      this.sink.write(line);
      return;
    }
    this.held.push(line);
    if (this.ended) this.breakLine();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.breakLine(), this.holdMs);
      this.timer.unref();
    }
  }

  /** Forwards a chunk of the server's stderr; held lines go out right after its first line end. */
  relay(chunk: Buffer): boolean {
    if (chunk.length === 0) return true;
    let rest = chunk;
    let ok = true;
    if (this.held.length > 0) {
      const end = chunk.indexOf(NEWLINE);
      if (end !== -1) {
        ok = this.sink.write(chunk.subarray(0, end + 1)) && ok;
        ok = this.writeHeld() && ok;
        rest = chunk.subarray(end + 1);
        if (rest.length === 0) {
          this.midLine = false;
          return ok;
        }
      }
    }
    this.midLine = rest[rest.length - 1] !== NEWLINE;
    return this.sink.write(rest) && ok;
  }

  /** The server's stderr ended: what is held, and any later line, goes out at once on a line of its own. */
  end(): void {
    this.ended = true;
    if (this.held.length > 0) this.breakLine();
  }

  private breakLine(): void {
    if (this.midLine) this.sink.write("\n");
    this.midLine = false;
    this.writeHeld();
  }

  private writeHeld(): boolean {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    let ok = true;
    for (const line of this.held.splice(0)) ok = this.sink.write(line) && ok;
    return ok;
  }
}
