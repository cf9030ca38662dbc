/**
 * A bounded queue of rows and a writer that stores them in batches: one transaction per batch, flushed
 * at least every `flushIntervalMs`, every `commitEveryRows` rows, right after the first call and on close:
 * what a `kill -9` can lose stays small by time and by count, also when a busy session queues fast. A
 * session queueing faster still commits at most every `minCommitGapMs` (or every `maxBatch` rows): each
 * commit costs a WAL append of every page it touched, so at tens of thousands of rows a second fewer,
 * larger commits are what lets the writer keep up. Fail-open: if the database cannot be opened or written,
 * rows are dropped and counted, and `onProblem` is told once per kind of problem; callers' traffic never
 * waits on it. A database that is locked or full keeps what fits in the queue and is tried again, a full
 * one at most every `fullRetryMs`, so recording resumes by itself when the space comes back; so does one
 * of an older schema (opened again every `reopenAfterMs`), once another mcpscope has upgraded it. A database
 * found damaged, removed or replaced stops recording for good (write-refusals.ts). Within a batch, a
 * part's own write that fails alone is skipped alone (batch-parts.ts). Once closed it never opens the
 * database again: what is queued after `close()` is dropped and counted.
 */
import { type AuditEntry, beginAuditBatch, endAuditBatch } from "../audit/audit-chain.js";
import { AWAITING_UPGRADE, LOCKED } from "../lock-refusal.js";
import { PartWrites } from "./batch-parts.js";
import { RowInserts, type TableName } from "./batch-rows.js";
import { OlderSchemaRefused } from "./before-upgrade.js";
import type { Db, SqlValue } from "./db.js";
import { WriteRefusals } from "./write-refusals.js";

export type { TableName };

export type QueuedRow =
  | { table: TableName; row: Record<string, SqlValue> }
  /** A write of a part's own tables, run in order inside the batch's transaction. */
  | { table: "custom"; write: (db: Db) => void }
  /** An audit record: the batch's records share one link of the chain (audit/audit-chain.ts). */
  | { table: "audit"; entry: AuditEntry };

export interface BatchWriterOptions {
  /** Opens the database; called lazily and again after a failure (at most every `reopenAfterMs`). */
  open: () => Db;
  maxQueue?: number;
  maxBatch?: number;
  /** Queued rows that trigger a commit without waiting for the timer. */
  commitEveryRows?: number;
  /** The least time between two commits triggered by count (under `maxBatch` rows). */
  minCommitGapMs?: number;
  flushIntervalMs?: number;
  reopenAfterMs?: number;
  /** After the database refused a write for want of space: the least time before the next try. */
  fullRetryMs?: number;
  onProblem?: (message: string) => void;
  /** Called after each committed batch (the wrapper reports progress while it drains at exit). */
  onBatch?: () => void;
  /** Runs before each write is tried (e.g. to shorten the connection's busy timeout). */
  beforeWrite?: (db: Db) => void;
  /**
   * Runs inside each batch's transaction, after the rows (e.g. to update a session row, to index logs):
   * each part in a savepoint of its own, so that one failing alone is undone and skipped, not the calls.
   */
  afterBatch?: ((db: Db) => void) | AfterBatchPart[];
}

/** A write after a batch's rows (see `afterBatch`). */
export interface AfterBatchPart {
  write(db: Db): void;
  /** The batch committed with this part's write in it (not called when the write was skipped). */
  committed?(): void;
}

export class BatchWriter {
  private queue: QueuedRow[] = [];
  /** Audit records in the queue (see `queuedAudit`). */
  private auditInQueue = 0;
  private db: Db | null = null;
  private readonly rows = new RowInserts();
  private readonly parts: PartWrites;
  private readonly afterParts: AfterBatchPart[];
  /** Of `dropped` and `droppedCalls`, what the transaction being tried skipped: undone if it fails. */
  private attemptDropped = 0;
  private attemptDroppedCalls = 0;
  /** Locked, full, damaged, removed: what the database refused, and what was said of it. */
  private readonly refusals: WriteRefusals;
  private timer: NodeJS.Timeout | null = null;
  private timerDue = 0;
  private lastCommitAt = 0;
  private lastOpenFailure = 0;
  private closing = false;
  /** Closed: its owner said it stopped, so nothing may reach the data dir through it any more. */
  private closed = false;
  private callQueued = false;
  /** Rows and writes dropped: the queue was full, the database failed, or one failed alone (batch-parts.ts). */
  dropped = 0;
  /** Of those, rows of `calls`: each a call not recorded. */
  droppedCalls = 0;
  written = 0;
  /** Whether the database was ever opened. */
  opened = false;
  /** Rows of `calls` offered, and of those committed: the rest are queued, or dropped and counted. */
  private offeredCalls = 0;
  private writtenCalls = 0;
  writeFailures = 0;

  private readonly maxQueue: number;
  private readonly maxBatch: number;
  private readonly commitEveryRows: number;
  private readonly minCommitGapMs: number;
  private readonly flushIntervalMs: number;
  private readonly reopenAfterMs: number;
  private readonly fullRetryMs: number;

  constructor(private readonly options: BatchWriterOptions) {
    this.maxQueue = options.maxQueue ?? 10_000;
    this.maxBatch = options.maxBatch ?? 2000;
    this.commitEveryRows = Math.min(options.commitEveryRows ?? 200, this.maxBatch);
    this.minCommitGapMs = options.minCommitGapMs ?? 20;
    this.flushIntervalMs = options.flushIntervalMs ?? 100;
    this.reopenAfterMs = options.reopenAfterMs ?? 5000;
    this.fullRetryMs = options.fullRetryMs ?? 1000;
    this.refusals = new WriteRefusals({
      maxQueue: this.maxQueue,
      fullRetryMs: this.fullRetryMs,
      onProblem: options.onProblem,
    });
    this.parts = new PartWrites(
      (kind, said) => {
        this.dropped++;
        this.attemptDropped++;
        this.problem(kind, said);
      },
      // A write that failed alone is still a failed write, though the batch's calls are kept.
      () => this.writeFailures++,
    );
    const after = options.afterBatch;
    this.afterParts = after === undefined ? [] : typeof after === "function" ? [{ write: after }] : after;
  }

  enqueue(table: TableName, row: Record<string, SqlValue>): void {
    if (table === "calls") this.offeredCalls++;
    if (this.refusals.stoppedBecause) {
      this.dropped++;
      if (table === "calls") this.droppedCalls++;
      return;
    }
    if (this.queue.length >= this.maxQueue) {
      this.dropped++;
      if (table === "calls") this.droppedCalls++;
      this.refusals.queueFull();
      return;
    }
    this.queue.push({ table, row });
    // While another process holds the lock, only the scheduled retry flushes (each try can wait out the
    // busy timeout; trying on every row would stall the caller); so too while it waits for an upgrade.
    if (this.queue.length >= this.commitEveryRows && Date.now() >= this.heldUntil()) {
      const wait = this.lastCommitAt + this.minCommitGapMs - Date.now();
      if (wait <= 0 || this.queue.length >= this.maxBatch) this.flush();
      else this.schedule(wait);
    } else if (table === "calls" && !this.callQueued) {
      // The session's first call is committed as soon as the current work is done, not a timer later.
      this.callQueued = true;
      setImmediate(() => {
        if (this.queue.length > 0) this.flush();
      }).unref?.();
    } else this.schedule();
  }

  /**
   * Queues a write to a table of its own (pins, audit records…), run inside the next batch's transaction
   * in queue order; it may read what earlier rows of the batch wrote (e.g. the previous audit hash).
   */
  enqueueWrite(write: (db: Db) => void): void {
    if (this.refusals.stoppedBecause) {
      this.dropped++;
      return;
    }
    if (this.queue.length >= this.maxQueue) {
      this.dropped++;
      this.refusals.queueFull();
      return;
    }
    this.queue.push({ table: "custom", write });
    this.schedule();
  }

  /** Queues an audit record; the batch that stores it seals it into the chain. */
  enqueueAudit(entry: AuditEntry): void {
    if (this.refusals.stoppedBecause || this.queue.length >= this.maxQueue) {
      this.dropped++;
      if (!this.refusals.stoppedBecause) this.refusals.queueFull();
      return;
    }
    this.queue.push({ table: "audit", entry });
    this.auditInQueue++;
    this.schedule();
  }

  /**
   * Audit records queued and neither committed nor dropped yet. While there are some, the next record
   * joins them in a batch; at none, it starts the next (its key is looked at then: audit-watcher.ts).
   */
  get queuedAudit(): number {
    return this.auditInQueue;
  }

  /**
   * Inside `afterBatch`: runs `write` in a savepoint of its own, as each part runs, for a part made of
   * writes that may each fail alone (the HTTP proxy's session rows). Returns whether it was kept.
   */
  alone(db: Db, write: (db: Db) => void): boolean {
    return this.parts.run(db, write, "after");
  }

  /** Something outside the queue changed (see `afterBatch`): make sure a flush comes. */
  touch(): void {
    this.schedule();
  }

  get queued(): number {
    return this.queue.length;
  }

  /** Writes everything queued now. Returns false if the database was unavailable. */
  flush(): boolean {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const wait = this.refusals.fullUntil - Date.now();
    if (wait > 0 && !this.closing) {
      this.schedule(wait);
      return false;
    }
    this.lastCommitAt = Date.now();
    const db = this.database();
    if (!db && this.refusals.refusedBecause === LOCKED) {
      // Opening met another process's lock (one creating or migrating the file): the rows wait, as for a
      // locked write, once the lock had a while to go (each try waits out the busy timeout).
      if (!this.closing) this.schedule(Math.max(0, this.refusals.lockedUntil - Date.now()));
      return false;
    }
    if (!db && this.refusals.refusedBecause === AWAITING_UPGRADE) {
      // An older schema the app or a command upgrades: the rows wait for the next open try.
      if (!this.closing) this.schedule(Math.max(0, this.heldUntil() - Date.now()));
      return false;
    }
    if (!db || this.gone(db.path)) {
      this.drop(this.queue);
      this.queue = [];
      return false;
    }
    for (;;) {
      this.options.beforeWrite?.(db);
      const batch = this.queue.splice(0, this.maxBatch);
      this.attemptDropped = 0;
      this.attemptDroppedCalls = 0;
      let refusedRows = 0;
      const kept: boolean[] = [];
      try {
        db.transaction(() => {
          const audit = beginAuditBatch(db);
          let sealed = false;
          try {
            for (const item of batch) {
              if (item.table === "audit") this.parts.audit(audit, item.entry);
              else if (item.table === "custom") this.parts.run(db, item.write);
              else {
                try {
                  this.rows.insert(db, item.table, item.row);
                } catch (error) {
                  // Dropped alone, and counted now: the session row written below says so.
                  this.parts.refusedRow(db, error);
                  refusedRows++;
                  if (item.table === "calls") {
                    this.droppedCalls++;
                    this.attemptDroppedCalls++;
                  }
                }
              }
            }
            this.parts.seal(db, audit);
            sealed = true;
          } finally {
            if (!sealed) endAuditBatch(db, false);
          }
          for (const part of this.afterParts) kept.push(this.parts.run(db, part.write, "after"));
        });
        this.written += batch.length - refusedRows;
        for (const item of batch) {
          if (item.table === "calls") this.writtenCalls++;
          else if (item.table === "audit") this.auditInQueue--;
        }
        this.writtenCalls -= this.attemptDroppedCalls;
        this.refusals.refusedBecause = null;
        this.afterParts.forEach((part, i) => {
          if (kept[i]) part.committed?.();
        });
        this.options.onBatch?.();
      } catch (error) {
        // What this try skipped is counted again with the batch: held for the retry, or dropped whole.
        this.dropped -= this.attemptDropped;
        this.droppedCalls -= this.attemptDroppedCalls;
        this.writeFailures++;
        const refusal = this.refusals.writeFailed(db.path, (error as Error).message);
        if (refusal === "locked" || refusal === "full") {
          // Held for a retry: what fits waits in the queue, the rest is dropped (and counted) now.
          const room = Math.max(0, this.maxQueue - this.queue.length);
          this.drop(batch.slice(room));
          this.queue.unshift(...batch.slice(0, room));
          if (refusal === "locked") this.schedule();
          else if (!this.closing) this.schedule(this.fullRetryMs);
          return false;
        }
        this.drop(batch);
        this.drop(this.queue);
        this.queue = [];
        if (refusal === "damaged") this.stopRecording();
        else this.reset();
        return false;
      }
      if (this.queue.length === 0) break;
    }
    return true;
  }

  /** Why recording stopped for good, or null while it records. */
  get stopped(): string | null {
    return this.refusals.stoppedBecause;
  }

  /** Calls offered and neither committed nor dropped yet: lost too if the writer stopped now. */
  get pendingCalls(): number {
    return this.offeredCalls - this.writtenCalls - this.droppedCalls;
  }

  /** Why the last write was refused (a short phrase, e.g. "the database was removed"), or null. */
  get refusal(): string | null {
    return this.refusals.refusedBecause;
  }

  /**
   * The last write (tried even while a full database waits for its retry); whatever a locked or full
   * database still holds back is lost now, and counted. A locked database is tried again for as long as
   * `keepTrying` says (each try waits out the connection's busy timeout). Returns whether it was stored.
   */
  close(keepTrying: () => boolean = () => false): boolean {
    this.closing = true;
    // The last chance for rows held for an upgrade: one that came since the last try is not waited out.
    if (this.refusals.refusedBecause === AWAITING_UPGRADE) this.lastOpenFailure = 0;
    let stored = this.flush();
    while (!stored && this.refusals.refusedBecause === LOCKED && keepTrying()) stored = this.flush();
    this.drop(this.queue);
    this.queue = [];
    this.reset();
    this.closed = true;
    return stored;
  }

  private drop(rows: QueuedRow[]): void {
    this.dropped += rows.length;
    for (const row of rows) {
      if (row.table === "calls") this.droppedCalls++;
      else if (row.table === "audit") this.auditInQueue--;
    }
  }

  /** Until when rows are held for a scheduled retry (a lock, a full database, an upgrade awaited). */
  private heldUntil(): number {
    const upgrade =
      this.refusals.refusedBecause === AWAITING_UPGRADE ? this.lastOpenFailure + this.reopenAfterMs : 0;
    return Math.max(this.refusals.lockedUntil, this.refusals.fullUntil, upgrade);
  }

  /** A flush within `delayMs` (the flush interval by default), or sooner if one is already due sooner. */
  private schedule(delayMs = this.flushIntervalMs): void {
    const due = Date.now() + delayMs;
    if (this.timer) {
      if (this.timerDue <= due) return;
      clearTimeout(this.timer);
    }
    this.timerDue = due;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flush();
    }, delayMs);
    this.timer.unref?.();
  }

  private database(): Db | null {
    if (this.db) return this.db;
    if (this.closed) return null;
    if (this.lastOpenFailure && Date.now() - this.lastOpenFailure < this.reopenAfterMs) return null;
    if (this.refusals.stoppedBecause) return null;
    try {
      this.db = this.options.open();
      this.opened = true;
      this.lastOpenFailure = 0;
      this.refusals.opened(this.db.path);
      return this.db;
    } catch (error) {
      this.writeFailures++;
      if (error instanceof OlderSchemaRefused) {
        this.refusals.awaitingUpgrade(error.message);
        this.lastOpenFailure = Date.now();
        return null;
      }
      const outcome = this.refusals.openFailed((error as Error).message);
      if (outcome === "locked") return null;
      this.lastOpenFailure = Date.now();
      if (outcome === "stopped") this.stopRecording();
      return null;
    }
  }

  /** True (and recording stopped) when the file this writer opened was removed or replaced since. */
  private gone(path: string): boolean {
    if (!this.refusals.gone(path)) return false;
    this.stopRecording();
    return true;
  }

  /** Recording stopped for good (`refusals` said why): the connection is closed. */
  private stopRecording(): void {
    this.writeFailures++;
    this.reset();
  }

  private reset(): void {
    this.rows.reset();
    this.parts.reset();
    try {
      this.db?.close();
    } catch {}
    this.db = null;
  }

  private problem(kind: string, message: string): void {
    this.refusals.problem(kind, message);
  }
}
