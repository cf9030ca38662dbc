/**
 * Puts multi-line stderr records back together: a Python traceback, a JS or Java stack trace, Node's
 * report of an uncaught exception, a Go panic or runtime fatal error with its goroutines, or a pretty-printed object after the line that introduced it become
 * ONE record, with the first line's level. Fed line by line by the stderr line splitter; a record is
 * emitted when a line that does not continue it arrives, when nothing arrived for `flushMs`, at the end
 * of the stream, or when it reaches `maxLines` / `maxChars` (bounded: the rest starts a new record).
 */
import { type LogLevel, levelRank } from "../../../shared/levels.js";
import { parseStderrLine } from "./stderr-line.js";

export interface AssembledRecord {
  /** The lines, joined with "\n". */
  text: string;
  /** When the first line was seen. */
  at: number;
  /** Set when the shape of the record says more than its first line (Node's uncaught exception). */
  levelHint: LogLevel | null;
  /** Bytes of the line left out when it was read (a line past the splitter's limit). */
  omittedBytes?: number;
}

export interface AssemblerOptions {
  /** Emit an open record after this long without a new line (default 100 ms). */
  flushMs?: number;
  maxLines?: number;
  maxChars?: number;
  now?: () => number;
}

type Mode =
  /** Ordinary record: indented lines, `Caused by:`, `... N more` and closing brackets continue it. */
  | "plain"
  /** Inside a Python traceback's frames: every line continues; the first unindented one is the exception. */
  | "python"
  /** After a Python exception line: a chained traceback or indented notes may follow. */
  | "python-done"
  /** After "During handling of the above exception…": the next traceback continues the record. */
  | "python-chain"
  /** Node's uncaught-exception report (`file.js:LINE`, source, caret, error, frames, `Node.js vX`). */
  | "node-crash"
  /** A Go panic, runtime fatal error or goroutine dump: blank lines, `goroutine N [state]:`, frames. */
  | "go";

interface OpenRecord {
  lines: string[];
  chars: number;
  at: number;
  mode: Mode;
  levelHint: LogLevel | null;
}

const TRACEBACK = /^Traceback \(most recent call last\):\s*$/;
const PYTHON_CHAIN = /^(?:During handling of the above exception|The above exception was the direct cause)/;
const NODE_CRASH_HEADER = /^(?:file:\/\/)?(?:[A-Za-z]:)?[^\s:]*[\\/][^\s:]*\.(?:[cm]?[jt]sx?):\d+\s*$/;
const NODE_VERSION_FOOTER = /^Node\.js v\d+/;
const GO_CRASH = /^(?:panic: |fatal error: |goroutine \d+ \[[^\]]*\]:\s*$)/;
/** A Go trace's lines: a goroutine's header, a frame's function (`pkg.(*T).f(0x1, …)`) and its file. */
const GO_CONTINUATION =
  /^[ \t]|^goroutine \d+ \[|^\[signal |^created by |^\.\.\.additional frames elided\.\.\.|^\S+\(.*\)$/;
const GENERIC_CONTINUATION =
  /^[ \t]|^Caused by: |^\.\.\. \d+ (?:more|common frames omitted)|^[}\])][,;)]*\s*$/;

export class StderrAssembler {
  private open: OpenRecord | null = null;
  private pendingBlanks = 0;
  private lastLineAt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly flushMs: number;
  private readonly maxLines: number;
  private readonly maxChars: number;
  private readonly now: () => number;

  constructor(
    private readonly emit: (record: AssembledRecord) => void,
    options: AssemblerOptions = {},
  ) {
    this.flushMs = options.flushMs ?? 100;
    this.maxLines = options.maxLines ?? 500;
    this.maxChars = options.maxChars ?? 64 * 1024;
    this.now = options.now ?? Date.now;
  }

  push(line: string, at: number): void {
    this.lastLineAt = this.now();
    if (line.trim() === "") {
      if (this.open) this.pendingBlanks = Math.min(this.pendingBlanks + 1, 3);
      return;
    }
    const open = this.open;
    if (open && this.continues(open, line) && this.fits(open, line)) {
      for (; this.pendingBlanks > 0; this.pendingBlanks--) open.lines.push("");
      open.lines.push(line);
      open.chars += line.length + 1;
      if (open.mode === "node-crash" && NODE_VERSION_FOOTER.test(line)) this.flush();
      return;
    }
    this.flush();
    const go = GO_CRASH.test(line);
    this.open = {
      lines: [line],
      chars: line.length,
      at,
      mode: TRACEBACK.test(line)
        ? "python"
        : NODE_CRASH_HEADER.test(line)
          ? "node-crash"
          : go
            ? "go"
            : "plain",
      // `panic:` reads as critical by itself; a runtime fatal error kills the process as a panic does.
      levelHint: NODE_CRASH_HEADER.test(line)
        ? "error"
        : go && line.startsWith("fatal error: ")
          ? "critical"
          : go && line.startsWith("goroutine ")
            ? "error"
            : null,
    };
    this.arm();
  }

  /** A line cut while read (its start, and how many bytes after it were left out): a record of its own. */
  pushCut(line: string, at: number, omittedBytes: number): void {
    this.lastLineAt = this.now();
    this.flush();
    this.emit({ text: line, at, levelHint: null, omittedBytes });
  }

  /** Emits the open record, if any. Also what a gap in the copied stream calls. */
  flush(): void {
    const open = this.open;
    this.open = null;
    this.pendingBlanks = 0;
    if (open) this.emit({ text: open.lines.join("\n"), at: open.at, levelHint: open.levelHint });
  }

  /** End of the stream: emit what is open, stop the timer. */
  end(): void {
    this.flush();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private continues(open: OpenRecord, line: string): boolean {
    switch (open.mode) {
      case "node-crash":
        return true;
      case "go":
        return GO_CONTINUATION.test(line);
      case "python":
        if (!/^[ \t]/.test(line)) open.mode = "python-done";
        return true;
      case "python-chain":
        if (TRACEBACK.test(line)) {
          open.mode = "python";
          return true;
        }
        return /^[ \t]/.test(line);
      case "python-done":
        if (PYTHON_CHAIN.test(line)) {
          open.mode = "python-chain";
          return true;
        }
        return /^[ \t]/.test(line);
      case "plain":
        if (TRACEBACK.test(line)) {
          // `logging.exception()` writes "ERROR:root:…" then the traceback; an info line before an
          // unrelated crash must not swallow it.
          const first = parseStderrLine(open.lines[0] ?? "");
          if (this.pendingBlanks > 0 || levelRank(first.level) < levelRank("warning")) return false;
          open.mode = "python";
          return true;
        }
        return GENERIC_CONTINUATION.test(line);
    }
  }

  private fits(open: OpenRecord, line: string): boolean {
    return open.lines.length + this.pendingBlanks < this.maxLines && open.chars + line.length < this.maxChars;
  }

  /** One timer at a time, re-armed while records keep arriving: cheap at thousands of lines a second. */
  private arm(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => this.fire(), this.flushMs);
    this.timer.unref?.();
  }

  private fire(): void {
    this.timer = null;
    if (!this.open) return;
    const idle = this.now() - this.lastLineAt;
    if (idle >= this.flushMs) this.flush();
    else {
      this.timer = setTimeout(() => this.fire(), this.flushMs - idle);
      this.timer.unref?.();
    }
  }
}
