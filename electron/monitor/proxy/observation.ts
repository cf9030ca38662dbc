/**
 * What the observer worker does with each message from the forwarding thread: frames the copies into
 * lines, follows the session, and records it. Copies the forwarding thread dropped, and a backlog still
 * unparsed when the exit drain runs out, are never guessed at: the calls in them are counted as
 * unobserved, and requests that may have lost their answer end unobserved, not `disconnected`.
 */
import { plural } from "../../../shared/plural.js";
import { EventTracker } from "../events/tracker.js";
import { LogSettingsSource } from "../logs/log-settings.js";
import { StderrAssembler } from "../logs/stderr-assembler.js";
import { keptBytes, SHORT_CAPTURE_LIMIT } from "../pipeline/capture.js";
import { maskString } from "../pipeline/mask.js";
import { LineSplitter } from "../protocol/line-splitter.js";
import { SessionObserver, type Stream } from "../protocol/session-observer.js";
import { SESSION_WATCHERS } from "../session-watchers.js";
import type { BatchWriter } from "../store/batch-writer.js";
import { SessionRecorder } from "../store/session-recorder.js";
import { preciseNow } from "./clock.js";
import { batchItems, type Copy } from "./copy-batch.js";
import { countLines } from "./copy-gaps.js";
import { batchBuffers } from "./copy-queue.js";
import { Courtesy } from "./courtesy.js";
import { GapStretches } from "./gap-stretches.js";
import { CONTROL_HEAD, CONTROL_SHORT_HEAD, WholeResultLedger } from "./line-elider.js";
import type { CopyStream, FromWorker, ToWorker, WorkerInit } from "./worker-protocol.js";

/**
 * When the observer counts as behind the traffic, so that long responses keep SHORT_CAPTURE_LIMIT instead
 * of the full capture limit: the batch it handles was read off the traffic over BEHIND_MS ago and a backlog
 * of over BEHIND_BYTES waits behind it. Both, so that a pause of the thread (its start, a busy machine)
 * with little traffic behind it never shortens a capture. It has caught up when what it handles is fresh
 * again: while it is behind, the forwarding thread copies long lines short, so a small backlog in bytes
 * can still be many calls.
 */
const BEHIND_MS = 100;
const BEHIND_BYTES = 4 * 1024 * 1024;
const CAUGHT_UP_MS = 20;
/** Read slabs go back to the forwarding thread this many at a time (1 MiB). */
const SLABS_PER_RETURN = 16;
/**
 * A stderr line up to this long (or up to what the capture limit keeps, if more) is read whole (a JSON
 * log line keeps its fields); a longer one keeps only its start, which is all the store keeps of either.
 */
const STDERR_LINE_BYTES = 256 * 1024;
/** At exit, how long a locked database is tried again for the session's last write (unless asked to stop). */
const CLOSE_LOCKED_MS = 2000;

export class Observation {
  readonly recorder: SessionRecorder;
  readonly observer: SessionObserver;
  private readonly stderrRecords: StderrAssembler;
  private readonly splitters: Record<CopyStream, LineSplitter>;
  private readonly deadline: BigInt64Array;
  /** Past the exit drain's deadline: copies are skipped, their client lines counted. */
  private skipping = false;
  private skippedLines = 0;
  /** Lines the client sent that reached this thread, handled or skipped (each a message accounted for). */
  clientLines = 0;
  /** Called at exit once every call is known, before the last write (which may wait on a lock). */
  beforeLastWrite: () => void = () => {};
  /** Behind the traffic: long responses are captured short (see BEHIND_MS). */
  private behind = false;
  private readonly decoder = new TextDecoder("utf-8");
  /** Shared with the forwarding thread: how much of a long server line it copies (line-elider.ts). */
  private readonly elision: Int32Array | null;
  /** The observer's side of the forwarding thread's count of requests for whole answers. */
  private readonly wholeResult: WholeResultLedger | null;
  private readonly captureLimit: number;
  /** Shared with the forwarding thread: bytes handled and when (see CopyQueue.reportProgressIn). */
  private readonly progress: BigInt64Array | null;
  /** Short pauses in a batch's work while the observer has time to spare (see courtesy.ts). */
  private readonly courtesy = new Courtesy();
  /** Read slabs not yet handed back (they go back a few at a time, with one message). */
  private slabsBack: ArrayBuffer[] = [];
  /** Each stretch of dropped copies, stored as one event with its totals. */
  private readonly gapStretches = new GapStretches<CopyStream>((stream, stretch) =>
    this.recorder.protocolEvent({
      time: stretch.from,
      type: "observation_gap",
      stream,
      message:
        stream === "err"
          ? `${plural(stretch.droppedLines, "stderr line")} (${stretch.droppedBytes} bytes) not stored: log lines are shed first while the observer is behind; stderr itself was forwarded`
          : `${stretch.droppedBytes} bytes of traffic not observed (copy queue full); traffic itself was forwarded`,
      bytes: stretch.droppedBytes,
    }),
  );

  private readonly server: string;
  private readonly sessionId: string;

  constructor(
    init: WorkerInit,
    private readonly writer: BatchWriter,
    private readonly send: (message: FromWorker, transfer?: ArrayBuffer[]) => void,
  ) {
    this.server = init.server;
    this.sessionId = init.sessionId;
    const identity = {
      sessionId: init.sessionId,
      server: init.server,
      command: init.command,
      startedAt: init.startedAt,
      pid: null,
      wrapperPid: init.wrapperPid,
      client: init.client,
      entry: init.entry ?? null,
    };
    this.recorder = new SessionRecorder(
      writer,
      identity,
      init.captureLimit,
      // An unreadable data dir is said once already, by the database's own problem line.
      new LogSettingsSource(init.dataDir, (message, unreadable) => {
        if (!unreadable) send({ type: "problem", message: `mcpscope: ${message}` });
      }),
      SESSION_WATCHERS.map((factory) =>
        factory({ identity, writer, dataDir: init.dataDir, client: init.client }),
      ),
    );
    const elision = init.elision ? new Int32Array(init.elision) : null;
    this.elision = elision;
    this.wholeResult = elision ? new WholeResultLedger(elision) : null;
    this.captureLimit = init.captureLimit;
    this.observer = new SessionObserver(this.recorder, {
      timeoutMs: init.timeoutMs,
      captureLimit: init.captureLimit,
      wholeResult: this.wholeResult ?? undefined,
      maxLineBytes: init.maxLineBytes,
    });
    this.copyHead(init.captureLimit);
    this.progress = init.progress ? new BigInt64Array(init.progress) : null;
    this.deadline = new BigInt64Array(init.drainDeadline);
    // A stack trace after an error line becomes one record (flushed 100 ms after its last line).
    this.stderrRecords = new StderrAssembler((record) =>
      this.recorder.stderrLine(record.text, record.at, record.levelHint, record.omittedBytes),
    );
    // A stderr line past the limit keeps the start a shorter line keeps (the capture limit, and the margin
    // masking reads past it); its cut then reads like any other: `…[truncated N bytes]`.
    const cutLine = (head: Buffer, total: number, at: number) =>
      this.stderrRecords.pushCut(this.decoder.decode(head), at, total - head.length);
    this.splitters = {
      in: this.protocolSplitter("in", init.maxLineBytes, init.captureLimit),
      out: this.protocolSplitter("out", init.maxLineBytes, init.captureLimit),
      err: new LineSplitter(
        {
          line: (bytes, at) => this.stderrRecords.push(this.decoder.decode(bytes).replace(/\r$/, ""), at),
          oversized: (head, _tail, total, at) => cutLine(head, total, at),
          elided: (head, _tail, total, _hidden, at) => cutLine(head, total, at),
        },
        Math.max(STDERR_LINE_BYTES, keptBytes(init.captureLimit)),
        keptBytes(init.captureLimit),
      ),
    };
  }

  private protocolSplitter(stream: Stream, maxLineBytes: number, captureLimit: number): LineSplitter {
    return new LineSplitter(
      {
        line: (bytes, at) => this.observer.line(stream, bytes, at),
        oversized: (head, tail, total, at) => this.observer.oversized(stream, head, tail, total, at),
        elided: (head, tail, total, hidden, at) =>
          this.observer.elided(stream, head, tail, total, hidden, at),
        lost: () => this.observer.gap(stream, 1),
      },
      maxLineBytes,
      // A line past the limit keeps what the copy keeps of a long server line.
      keptBytes(captureLimit),
    );
  }

  /**
   * The calls of this session that would be lost if this thread stopped now: not recorded, or parsed and
   * not yet stored (queued, or a request still waiting for its answer), or skipped past the drain's
   * deadline (counted as unobserved only once the exit is handled).
   */
  get unstoredCalls(): number {
    return (
      this.recorder.unrecordedCalls +
      this.writer.pendingCalls +
      this.observer.pendingCount +
      this.skippedLines
    );
  }

  tick(now: number): void {
    this.observer.tick(now);
  }

  handle(message: ToWorker): void {
    switch (message.type) {
      case "chunks": {
        const items = batchItems(message.batch) as Copy<CopyStream>[];
        this.courtesy.begin(items[0]?.at ?? Date.now());
        for (const item of items) {
          this.courtesy.between();
          const bytes = Buffer.from(item.bytes.buffer, item.bytes.byteOffset, item.bytes.byteLength);
          if (item.stream === "in") this.clientLines += countLines(bytes);
          if (this.skipping || this.drainExpired()) {
            if (item.stream === "in") this.skippedLines += countLines(bytes);
            continue;
          }
          try {
            if (item.elided) this.splitters[item.stream].elide(item.elided.bytes, item.elided.hidden);
            else this.splitters[item.stream].push(bytes, item.at);
          } catch {
            // A bug in observation must not stop it for later chunks.
            this.splitters[item.stream].reset();
          }
          // Marks of client bytes up to here that no framed line holds are lowered (WholeResultLedger).
          if (item.marks !== undefined) this.wholeResult?.settle(item.marks, this.splitters.in.betweenLines);
        }
        this.courtesy.end();
        // Nothing keeps a chunk past its push (the splitters copy what they hold): its slab goes back.
        const { bytes, slabs } = batchBuffers(message.batch);
        this.acknowledge(bytes, slabs);
        const last = items[items.length - 1];
        // On the clock that stamped the copies: Date.now() would also count a step of the wall clock.
        if (last) this.pace(preciseNow() - last.at, message.inFlight);
        return;
      }
      case "gap": {
        if (message.stream === "in") this.clientLines += message.droppedLines;
        if (this.skipping) {
          if (message.stream === "in") this.skippedLines += message.droppedLines;
          return;
        }
        this.splitters[message.stream].reset(message.midLine);
        if (message.stream === "err") this.stderrRecords.flush();
        else this.observer.gap(message.stream, message.droppedLines, message.at);
        this.gapStretches.add(message.stream, message.droppedBytes, message.droppedLines, message.at);
        return;
      }
      case "child":
        this.recorder.setPid(message.pid);
        return;
      case "start_failed":
        // The only trace a client's failed launch leaves where the user looks: the app's events.
        new EventTracker(this.writer, { server: this.server, session: this.sessionId }).track({
          category: "system",
          type: "process.start_failed",
          severity: "medium",
          time: message.at,
          message: maskString(`${this.server}: ${message.message}`),
          details: { via: "mcpscope run" },
        });
        return;
      case "end":
        if (this.skipping) return;
        this.splitters[message.stream].end(message.at);
        if (message.stream === "err") this.stderrRecords.end();
        return;
      case "exit": {
        if (this.skipping) {
          // Every client line that ended in the skipped copies is a call not seen; pending requests may
          // have lost their answers there.
          this.observer.gap("in", this.skippedLines);
          this.observer.gap("out", 0);
          this.skippedLines = 0; // counted as unobserved from here on
        } else for (const splitter of Object.values(this.splitters)) splitter.end(message.at);
        this.stderrRecords.end();
        this.gapStretches.flush();
        this.observer.close(message.at);
        this.recorder.ended({
          endedAt: message.at,
          exitCode: message.exitCode,
          signal: message.signal,
          exitedOnItsOwn: message.exitedOnItsOwn,
        });
        this.beforeLastWrite();
        const until = Date.now() + CLOSE_LOCKED_MS;
        const stored = this.writer.close(() => !this.stopRequested() && Date.now() < until);
        this.send({
          type: "closed",
          written: this.writer.written,
          unrecorded: this.recorder.unrecordedCalls,
          stored,
          opened: this.writer.opened,
          refusal: this.writer.refusal,
        });
        return;
      }
    }
  }

  /** `lag`: how long ago the batch just handled was read off the traffic; `backlog`: bytes not yet handled. */
  private pace(lag: number, backlog: number): void {
    if (!this.behind && lag > BEHIND_MS && backlog > BEHIND_BYTES) {
      this.behind = true;
      this.observer.shortenCaptures(SHORT_CAPTURE_LIMIT);
      this.copyHead(SHORT_CAPTURE_LIMIT);
    } else if (this.behind && lag < CAUGHT_UP_MS) {
      this.behind = false;
      this.observer.shortenCaptures(null);
      this.copyHead(this.captureLimit);
    }
  }

  /** The copies of a batch are handled: their bytes no longer count against the queue's bound. */
  private acknowledge(bytes: number, slabs: ArrayBuffer[]): void {
    if (!this.progress) {
      this.send({ type: "ack", bytes, slabs }, slabs);
      return;
    }
    Atomics.add(this.progress, 0, BigInt(bytes));
    this.madeProgress();
    this.slabsBack.push(...slabs);
    if (this.slabsBack.length >= SLABS_PER_RETURN) {
      const back = this.slabsBack;
      this.slabsBack = [];
      this.send({ type: "ack", bytes: 0, slabs: back }, back);
    }
  }

  /** Tells the forwarding thread that observation moves on (a batch handled or written). */
  madeProgress(): void {
    if (this.progress) Atomics.store(this.progress, 1, BigInt(Date.now()));
    else this.send({ type: "ack", bytes: 0 });
  }

  /** Long server lines are copied up to what a capture of `limit` reads (its masking margin included). */
  private copyHead(limit: number): void {
    if (!this.elision) return;
    Atomics.store(this.elision, CONTROL_HEAD, keptBytes(Math.min(limit, this.captureLimit)));
    Atomics.store(
      this.elision,
      CONTROL_SHORT_HEAD,
      keptBytes(Math.min(SHORT_CAPTURE_LIMIT, this.captureLimit)),
    );
  }

  /** The wrapper was asked to stop while it drains: no more waiting on a locked database. */
  private stopRequested(): boolean {
    return this.deadline.length > 1 && Atomics.load(this.deadline, 1) !== 0n;
  }

  private drainExpired(): boolean {
    const deadline = Atomics.load(this.deadline, 0);
    if (deadline === 0n || Date.now() <= Number(deadline)) return false;
    this.skipping = true;
    return true;
  }
}
