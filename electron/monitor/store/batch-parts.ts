/**
 * The writes of a batch that may fail on their own without taking the batch's calls with them: a part's
 * write to its own tables (pins, events…) and each write after the rows (the session's row, the log
 * index) run in a savepoint, undone and skipped when they fail for their own reasons (a missing key, a
 * row they cannot make); a row the database refuses (a constraint it breaks) is dropped alone, SQLite
 * having undone that statement only; an audit record that cannot be appended is skipped, and so are the
 * batch's records when their link cannot be written. What fails the database as a whole (locked, full,
 * damaged), or an error that ended the transaction, is thrown on, so the batch is kept or dropped as a
 * whole (write-refusals.ts).
 */
import { type AuditBatch, type AuditEntry, endAuditBatch } from "../audit/audit-chain.js";
import type { Db, Statement } from "./db.js";
import { failsTheDatabase, isLockMessage } from "./write-refusals.js";

/** What was skipped: a part's own write, a write after the rows, an audit record, or a row. */
export type SkippedWrite = "part" | "after" | "audit" | "row";

export class PartWrites {
  /** The savepoint statements around a part's own write, prepared once per connection. */
  private savepoint: { begin: Statement; undo: Statement; end: Statement } | null = null;

  /**
   * `skipped` is told of each write skipped (each row or audit record), and what to say of it (once per
   * kind); `failed` of each write that failed, however many rows it took with it.
   */
  constructor(
    private readonly skipped: (kind: SkippedWrite, said: string) => void,
    private readonly failed: () => void = () => {},
  ) {}

  /**
   * A write in a savepoint: one that fails for its own reasons is undone and skipped. Returns whether it
   * was kept.
   */
  run(db: Db, write: (db: Db) => void, kind: "part" | "after" = "part"): boolean {
    const failed = this.attempt(db, write);
    if (failed !== null) {
      this.failed();
      this.skipped(kind, SKIPPED[kind](failed));
    }
    return failed === null;
  }

  /**
   * Seals the batch's audit records with their link, in a savepoint: a link that cannot be written takes
   * the batch's records with it (none is left outside the chain), never the batch's calls.
   */
  seal(db: Db, batch: AuditBatch): void {
    // Nothing to seal (a batch of logs or events): no savepoint to pay for.
    if (batch.size === 0) {
      endAuditBatch(db, true);
      return;
    }
    const failed = this.attempt(db, () => endAuditBatch(db, true));
    if (failed === null) return;
    this.failed();
    const records = batch.discard();
    for (let i = 0; i < records; i++) this.skipped("audit", SKIPPED.audit(failed));
  }

  /** Runs `write` in a savepoint; undone when it fails for its own reasons, whose message it returns. */
  private attempt(db: Db, write: (db: Db) => void): string | null {
    // Prepared once per connection: parsed on every write, the savepoint cost several times as much.
    this.savepoint ??= {
      begin: db.prepare("SAVEPOINT part_write"),
      undo: db.prepare("ROLLBACK TO part_write"),
      end: db.prepare("RELEASE part_write"),
    };
    const { begin, undo, end } = this.savepoint;
    begin.run();
    let failed: string | null = null;
    try {
      write(db);
    } catch (error) {
      const message = (error as Error).message;
      if (failsTheDatabase(message)) throw error;
      undo.run();
      failed = message;
    }
    end.run();
    return failed;
  }

  /**
   * A row's insert failed: when SQLite undid that statement alone (a constraint the row breaks, a value
   * too big) the row is skipped and the batch goes on; otherwise the error is thrown on.
   */
  refusedRow(db: Db, error: unknown): void {
    const message = (error as Error).message;
    if (failsTheDatabase(message) || !db.inTransaction()) throw error;
    this.failed();
    this.skipped("row", SKIPPED.row(message));
  }

  /**
   * A failing audit record must not roll back the batch's calls; lock problems surface at BEGIN
   * IMMEDIATE, before this runs, and are thrown on to keep the whole batch for the retry.
   */
  audit(batch: AuditBatch, entry: AuditEntry): void {
    try {
      batch.add(entry);
    } catch (error) {
      const message = (error as Error).message;
      if (isLockMessage(message)) throw error;
      this.skipped("audit", SKIPPED.audit(message));
    }
  }

  /** The connection is closed: its statements go with it. */
  reset(): void {
    this.savepoint = null;
  }
}

/** What is said, once per kind, of a write skipped alone. */
const SKIPPED: Record<SkippedWrite, (message: string) => string> = {
  part: (message) => `a write beside the calls failed and was skipped (${message}); the calls are kept`,
  after: (message) =>
    `a write after the batch's rows (the session's row, the log index) failed and was skipped (${message}); the calls are kept`,
  audit: (message) => `cannot append to the audit log: ${message}`,
  row: (message) =>
    `a row the database refused was dropped and counted (${message}); the other rows of its batch are kept`,
};
