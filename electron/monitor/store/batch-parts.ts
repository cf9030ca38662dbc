/**
 * The writes of a batch that may fail on their own without taking the batch's calls with them: a part's
 * write to its own tables (pins, events…) runs in a savepoint, undone and skipped when it fails for its
 * own reasons (a missing key, a row it cannot make), and an audit record that cannot be appended is
 * skipped. What fails the database as a whole (locked, full, damaged) is thrown on, so the batch is kept
 * or dropped as a whole (write-refusals.ts).
 */
import type { AuditBatch, AuditEntry } from "../audit/audit-chain.js";
import type { Db, Statement } from "./db.js";
import { failsTheDatabase, isLockMessage } from "./write-refusals.js";

export class PartWrites {
  /** The savepoint statements around a part's own write, prepared once per connection. */
  private savepoint: { begin: Statement; undo: Statement; end: Statement } | null = null;

  /** `skipped` is told of each write skipped: "part" or "audit", and the error's message. */
  constructor(private readonly skipped: (kind: "part" | "audit", message: string) => void) {}

  /** A part's own write in a savepoint: one that fails for its own reasons is undone and skipped. */
  run(db: Db, write: (db: Db) => void): void {
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
      if (failsTheDatabase(message)) throw error;
      undo.run();
      this.skipped("part", message);
    }
    end.run();
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
      this.skipped("audit", message);
    }
  }

  /** The connection is closed: its statements go with it. */
  reset(): void {
    this.savepoint = null;
  }
}
