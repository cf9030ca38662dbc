/**
 * A bounded queue of rows and a writer that stores them in batches: one transaction per batch, flushed
 * at least every `flushIntervalMs`, every `commitEveryRows` rows, right after the first call and on close:
 * what a `kill -9` can lose stays small by time and by count, also when a busy session queues fast. A
 * session queueing faster still commits at most every `minCommitGapMs` (or every `maxBatch` rows): each
 * commit costs a WAL append of every page it touched, so at tens of thousands of rows a second fewer,
 * larger commits are what lets the writer keep up. Fail-open: if the database cannot be opened or written,
 * rows are dropped and counted, and `onProblem` is told once per kind of problem; callers' traffic never
 * waits on it. A database that is locked or full keeps what fits in the queue and is tried again, a full
 * one at most every `fullRetryMs`, so recording resumes by itself when the space comes back. A database
 * found damaged, removed or replaced stops recording for good (writing on would feed a broken or unlinked
 * file): the engine's next start recovers it.
 */
import { statSync } from "node:fs";
import { type AuditBatch, type AuditEntry, beginAuditBatch, endAuditBatch } from "../audit/audit-chain.js";
import { LOCKED } from "../lock-refusal.js";
import { noteDamageAt } from "./clean-close.js";
import { DAMAGED_MESSAGE, type Db, type SqlValue, type Statement } from "./db.js";

export type TableName = "calls" | "logs" | "events";

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
  /** Runs inside each batch's transaction, after the rows (e.g. to update a session row). */
  afterBatch?: (db: Db) => void;
}

const COLUMNS: Record<TableName, string[]> = {
  calls: [
    "session_id",
    "server",
    "direction",
    "request_id",
    "method",
    "target",
    "started_at",
    "duration_ms",
    "outcome",
    "error_code",
    "error_message",
    "bytes_in",
    "bytes_out",
    "progress_count",
    "rounds",
    "http_status",
    "request",
    "response",
  ],
  logs: ["time", "level", "server", "session_id", "source", "logger", "message", "fields", "request_id"],
  events: ["time", "category", "type", "severity", "server", "session_id", "message", "details"],
};

export class BatchWriter {
  private queue: QueuedRow[] = [];
  /** Audit records in the queue (see `queuedAudit`). */
  private auditInQueue = 0;
  private db: Db | null = null;
  private statements = new Map<TableName, Statement>();
  /** The savepoint statements around a part's own write (see `custom`), prepared once per connection. */
  private savepoint: { begin: Statement; undo: Statement; end: Statement } | null = null;
  private timer: NodeJS.Timeout | null = null;
  private timerDue = 0;
  private lastCommitAt = 0;
  private lastOpenFailure = 0;
  private lockedUntil = 0;
  /** The database (or its disk) was full: no write is tried before this time, except the closing one. */
  private fullUntil = 0;
  private closing = false;
  private callQueued = false;
  private readonly reported = new Set<string>();
  /** The database file's inode when opened: a different one (or none) means it was removed or replaced. */
  private inode: number | null = null;
  /** Set when recording stopped for good (damaged, removed or replaced database). */
  private stoppedBecause: string | null = null;
  /** Rows dropped because the queue was full or the database failed. */
  dropped = 0;
  /** Of those, rows of `calls`: each a call not recorded. */
  droppedCalls = 0;
  written = 0;
  /** Whether the database was ever opened. */
  opened = false;
  /** Rows of `calls` offered, and of those committed: the rest are queued, or dropped and counted. */
  private offeredCalls = 0;
  private writtenCalls = 0;
  /** Why the last write was refused (a short phrase), or null since a write was stored. */
  private refusedBecause: string | null = null;
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
  }

  enqueue(table: TableName, row: Record<string, SqlValue>): void {
    if (table === "calls") this.offeredCalls++;
    if (this.stoppedBecause) {
      this.dropped++;
      if (table === "calls") this.droppedCalls++;
      return;
    }
    if (this.queue.length >= this.maxQueue) {
      this.dropped++;
      if (table === "calls") this.droppedCalls++;
      this.problem("queue_full", `telemetry queue full (${this.maxQueue} rows); dropping until it drains`);
      return;
    }
    this.queue.push({ table, row });
    // While another process holds the lock, only the scheduled retry flushes (each try can wait out the
    // busy timeout; trying on every row would stall the caller).
    if (
      this.queue.length >= this.commitEveryRows &&
      Date.now() >= Math.max(this.lockedUntil, this.fullUntil)
    ) {
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
    if (this.stoppedBecause) {
      this.dropped++;
      return;
    }
    if (this.queue.length >= this.maxQueue) {
      this.dropped++;
      this.problem("queue_full", `telemetry queue full (${this.maxQueue} rows); dropping until it drains`);
      return;
    }
    this.queue.push({ table: "custom", write });
    this.schedule();
  }

  /** Queues an audit record; the batch that stores it seals it into the chain. */
  enqueueAudit(entry: AuditEntry): void {
    if (this.stoppedBecause || this.queue.length >= this.maxQueue) {
      this.dropped++;
      if (!this.stoppedBecause)
        this.problem("queue_full", `telemetry queue full (${this.maxQueue} rows); dropping until it drains`);
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
    const wait = this.fullUntil - Date.now();
    if (wait > 0 && !this.closing) {
      this.schedule(wait);
      return false;
    }
    this.lastCommitAt = Date.now();
    const db = this.database();
    if (!db && this.refusedBecause === LOCKED) {
      // Opening met another process's lock (one creating or migrating the file): the rows wait, as for a
      // locked write, once the lock had a while to go (each try waits out the busy timeout).
      if (!this.closing) this.schedule(Math.max(0, this.lockedUntil - Date.now()));
      return false;
    }
    if (!db || this.gone(db)) {
      this.drop(this.queue);
      this.queue = [];
      return false;
    }
    for (;;) {
      this.options.beforeWrite?.(db);
      const batch = this.queue.splice(0, this.maxBatch);
      try {
        db.transaction(() => {
          const audit = beginAuditBatch(db);
          let sealed = false;
          try {
            for (const item of batch) {
              if (item.table === "audit") this.audit(audit, item.entry);
              else if (item.table === "custom") this.custom(db, item.write);
              else this.insert(db, item.table, item.row);
            }
            endAuditBatch(db, true);
            sealed = true;
          } finally {
            if (!sealed) endAuditBatch(db, false);
          }
          this.options.afterBatch?.(db);
        });
        this.written += batch.length;
        for (const item of batch) {
          if (item.table === "calls") this.writtenCalls++;
          else if (item.table === "audit") this.auditInQueue--;
        }
        this.refusedBecause = null;
        this.options.onBatch?.();
      } catch (error) {
        this.writeFailures++;
        const message = (error as Error).message;
        if (LOCK_MESSAGE.test(message)) {
          // Another process holds the lock: keep the rows (bounded by maxQueue) and retry on the next flush.
          const room = Math.max(0, this.maxQueue - this.queue.length);
          this.drop(batch.slice(room));
          this.queue.unshift(...batch.slice(0, room));
          this.heldByLock(`the database ${db.path} is locked by another process`);
          this.schedule();
          return false;
        }
        if (FULL_MESSAGE.test(message)) {
          // No room: hold what fits (counted when it is dropped, never twice) and try again later, when a
          // retention pass or the user may have made room. Each try costs a rolled-back transaction.
          const room = Math.max(0, this.maxQueue - this.queue.length);
          this.drop(batch.slice(room));
          this.queue.unshift(...batch.slice(0, room));
          this.fullUntil = Date.now() + this.fullRetryMs;
          this.refusedBecause = "the database or its disk was full";
          // The line below says that what does not fit is dropped: no second line when the queue fills.
          this.reported.add("queue_full");
          this.problem(
            "full",
            `cannot write to ${db.path}: ${message}; holding up to ${this.maxQueue} rows of telemetry and retrying every ${Math.round(this.fullRetryMs / 1000)} s, counting the calls not stored; traffic unaffected`,
          );
          if (!this.closing) this.schedule(this.fullRetryMs);
          return false;
        }
        this.drop(batch);
        this.drop(this.queue);
        this.queue = [];
        this.refusedBecause = "the database refused writes";
        if (DAMAGED_MESSAGE.test(message)) {
          noteDamageAt(db.path, message);
          this.stop(
            "damaged",
            `the database ${db.path} is damaged (${message}); recording stopped, traffic unaffected; the app moves it aside at its next start`,
          );
          return false;
        }
        this.problem(
          "write",
          `cannot write to ${db.path}: ${message}; telemetry dropped, traffic unaffected`,
        );
        this.reset();
        return false;
      }
      if (this.queue.length === 0) break;
    }
    return true;
  }

  /** Why recording stopped for good, or null while it records. */
  get stopped(): string | null {
    return this.stoppedBecause;
  }

  /** Calls offered and neither committed nor dropped yet: lost too if the writer stopped now. */
  get pendingCalls(): number {
    return this.offeredCalls - this.writtenCalls - this.droppedCalls;
  }

  /** Why the last write was refused (a short phrase, e.g. "the database was removed"), or null. */
  get refusal(): string | null {
    return this.refusedBecause;
  }

  /**
   * The last write (tried even while a full database waits for its retry); whatever a locked or full
   * database still holds back is lost now, and counted. A locked database is tried again for as long as
   * `keepTrying` says (each try waits out the connection's busy timeout). Returns whether it was stored.
   */
  close(keepTrying: () => boolean = () => false): boolean {
    this.closing = true;
    let stored = this.flush();
    while (!stored && this.refusedBecause === LOCKED && keepTrying()) stored = this.flush();
    this.drop(this.queue);
    this.queue = [];
    this.reset();
    return stored;
  }

  private drop(rows: QueuedRow[]): void {
    this.dropped += rows.length;
    for (const row of rows) {
      if (row.table === "calls") this.droppedCalls++;
      else if (row.table === "audit") this.auditInQueue--;
    }
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
    if (this.lastOpenFailure && Date.now() - this.lastOpenFailure < this.reopenAfterMs) return null;
    if (this.stoppedBecause) return null;
    try {
      this.db = this.options.open();
      this.opened = true;
      this.lastOpenFailure = 0;
      if (this.inode === null) this.inode = inodeOf(this.db.path);
      return this.db;
    } catch (error) {
      this.writeFailures++;
      const message = (error as Error).message;
      if (LOCK_MESSAGE.test(message)) {
        // Not a broken database: another process holds it (six wrappers started together on a new file
        // wait for the one creating it, longer on a loaded machine). Tried again like a locked write.
        this.heldByLock(message);
        return null;
      }
      this.lastOpenFailure = Date.now();
      this.refusedBecause = "the database could not be opened";
      if (DAMAGED_MESSAGE.test(message))
        this.stop("damaged", `${message}; recording stopped, traffic unaffected`);
      else this.problem("open", `${message}; recording is off, traffic unaffected`);
      return null;
    }
  }

  /** True (and recording stopped) when the file this writer opened was removed or replaced since. */
  private gone(db: Db): boolean {
    if (this.inode === null) return false;
    const now = inodeOf(db.path);
    if (now === this.inode) return false;
    this.refusedBecause = `the database was ${now === null ? "removed" : "replaced"}`;
    this.stop(
      "vanished",
      `the database ${db.path} was ${now === null ? "removed" : "replaced"} while recording; recording stopped, traffic unaffected`,
    );
    return true;
  }

  private stop(kind: string, message: string): void {
    this.stoppedBecause = message;
    if (kind === "damaged") this.refusedBecause = "the database is damaged";
    this.writeFailures++;
    this.reset();
    this.problem(kind, message);
  }

  /**
   * A failing audit record must not roll back the batch's calls; lock problems surface at BEGIN
   * IMMEDIATE, before this runs, and are thrown on to keep the whole batch for the retry.
   */
  private audit(batch: AuditBatch, entry: AuditEntry): void {
    try {
      batch.add(entry);
    } catch (error) {
      if (LOCK_MESSAGE.test((error as Error).message)) throw error;
      this.dropped++;
      this.problem("audit", `cannot append to the audit log: ${(error as Error).message}`);
    }
  }

  /**
   * A part's own write (pins, events…) in a savepoint: one that fails for its own reasons (a missing key,
   * a row it cannot make) is undone and skipped, never the batch's calls with it. What fails the database
   * as a whole (locked, full, damaged) is thrown on, so the batch is kept or dropped as a whole.
   */
  private custom(db: Db, write: (db: Db) => void): void {
    // Prepared once per connection: parsed on every write, the savepoint cost several times as much.
    this.savepoint ??= {
      begin: db.prepare("SAVEPOINT part_write"),
      undo: db.prepare("ROLLBACK TO part_write"),
      end: db.prepare("RELEASE part_write"),
    };
    const { begin, undo, end } = this.savepoint;
    begin.run();
    try {
      write(db);
    } catch (error) {
      const message = (error as Error).message;
      if (LOCK_MESSAGE.test(message) || FULL_MESSAGE.test(message) || DAMAGED_MESSAGE.test(message))
        throw error;
      undo.run();
      this.dropped++;
      this.problem(
        "part",
        `a write beside the calls failed and was skipped (${message}); the calls are kept`,
      );
    }
    end.run();
  }

  /** One row through the table's insert, prepared once per connection. */
  private insert(db: Db, table: TableName, row: Record<string, SqlValue>): void {
    let statement = this.statements.get(table);
    if (!statement) {
      const columns = COLUMNS[table];
      statement = db.prepare(
        `INSERT INTO ${table} (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`,
      );
      this.statements.set(table, statement);
    }
    const columns = COLUMNS[table];
    const values = new Array<SqlValue>(columns.length);
    for (let i = 0; i < columns.length; i++) values[i] = row[columns[i] as string] ?? null;
    statement.run(...values);
  }

  /**
   * Another process holds the lock (`what` says so, naming the file): the queue keeps what fits, and only
   * the scheduled retry flushes.
   */
  private heldByLock(what: string): void {
    this.lockedUntil = Date.now() + 1000;
    this.refusedBecause = LOCKED;
    this.problem(
      "locked",
      `${what}; holding up to ${this.maxQueue} rows of telemetry and retrying while the session lasts, counting the calls not stored; traffic unaffected`,
    );
  }

  private reset(): void {
    this.statements.clear();
    this.savepoint = null;
    try {
      this.db?.close();
    } catch {}
    this.db = null;
  }

  private problem(kind: string, message: string): void {
    if (this.reported.has(kind)) return;
    this.reported.add(kind);
    this.options.onProblem?.(message);
  }
}

/**
 * SQLite's answer when another connection holds the lock past the busy timeout: a write or an open that
 * meets it waits for the retry with its rows, and a part's own write that meets it decides for the batch.
 */
const LOCK_MESSAGE = /busy|locked/i;

/** SQLite's message when the database (its max_page_count) or the disk under it has no room left. */
const FULL_MESSAGE = /database or disk is full|SQLITE_FULL/i;

/** The file's inode (0 where the platform has none), or null if it does not exist. */
function inodeOf(path: string): number | null {
  try {
    return statSync(path).ino;
  } catch {
    return null;
  }
}
