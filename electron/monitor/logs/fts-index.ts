/**
 * Keeps the full-text index (logs_fts) up with the logs table: every record after the `fts` cursor is
 * indexed (its message, and its logger with its fields) in one statement, at the end of a writer's transaction. Not a per-row trigger: FTS5 flushes its
 * pending terms at every statement savepoint, and a row trigger opens one per insert, which made indexing
 * cost about three times as much (bench/metrics-logs/logs.mjs). Whoever writes next indexes everyone's
 * records (the cursor is read inside the write transaction, and ids only grow), so writers that do not
 * call it (or crash first) are indexed by the next wrapper batch or the engine a few seconds later.
 */
import type { Db } from "../store/db.js";

/** Indexes up to `maxRows` records past the cursor; call inside a write transaction. Returns how many. */
export function indexPendingLogs(db: Db, maxRows = 10_000): number {
  const from = indexedUpTo(db);
  const last = db
    .prepare("SELECT max(id) AS id FROM (SELECT id FROM logs WHERE id > ? ORDER BY id LIMIT ?)")
    .get(from, maxRows)?.id;
  if (last === null || last === undefined) return 0;
  // The logger (`db.pool`, pino's `name`) is indexed with the fields: what wrote a record is searched
  // for as much as what it says.
  const result = db
    .prepare(
      `INSERT INTO logs_fts (rowid, message, fields)
       SELECT id, message, CASE WHEN logger IS NULL THEN fields ELSE logger || ' ' || coalesce(fields, '') END
       FROM logs WHERE id > ? AND id <= ?`,
    )
    .run(from, Number(last));
  db.prepare(
    "INSERT INTO log_analysis (key, value) VALUES ('fts', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
  ).run(Number(last));
  return Number(result.changes);
}

/** The highest record id the full-text index covers. */
export function indexedUpTo(db: Db): number {
  return Number(db.prepare("SELECT value FROM log_analysis WHERE key = 'fts'").get()?.value ?? 0);
}

/** Indexes everything pending, in transactions of `batchRows`; returns how many (for readers like the CLI). */
export function catchUpIndex(db: Db, batchRows = 10_000, maxRows = 200_000): number {
  let total = 0;
  while (total < maxRows) {
    // Nothing pending (the usual case: writers index their own): no write transaction at all.
    const last = Number(db.prepare("SELECT max(id) AS id FROM logs").get()?.id ?? 0);
    if (indexedUpTo(db) >= last) break;
    const n = db.transaction(() => indexPendingLogs(db, batchRows));
    total += n;
    if (n < batchRows) break;
  }
  return total;
}
