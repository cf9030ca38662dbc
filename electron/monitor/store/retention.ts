/**
 * Retention of every table that has no retention of its own (calls and rollups: metrics/retention.ts;
 * logs: logs/retention.ts; events: events/queries.ts): resource samples, health checks, tool snapshots,
 * sessions, process runs, alert history (with the silences that ended), alert deliveries, payload text
 * and the audit log. Deletes run in small transactions (`batchRows` rows) with a pause between them, so
 * wrappers writing at the same time wait at most one small batch for the write lock.
 */
import { pruneAuditStep, recordPrune } from "../audit/audit-retention.js";
import type { Db } from "./db.js";
import { dropPayloadText, OLDEST } from "./payload-text.js";
import type { RetentionKind, StorageRetention } from "./storage-settings.js";

export interface PassOptions {
  now?: number;
  batchRows?: number;
  pauseMs?: number;
  /** Checked between batches. */
  stopped?: () => boolean;
}

/** Rows deleted (or, for payloads, emptied) per kind. */
export type RetentionCounts = Partial<Record<RetentionKind, number>>;

/** Rows per transaction: a few milliseconds of write lock on this machine (bench/storage). */
export const STORAGE_BATCH_ROWS = 1000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One batch of each kind: `(cutoff, limit) => rows changed`. */
const STEPS: Record<
  Exclude<RetentionKind, "audit" | "payloads">,
  (db: Db, cutoff: number, limit: number) => number
> = {
  resourceSamples: (db, cutoff, limit) => deleteOlder(db, "resource_samples", "time", cutoff, limit),
  healthChecks: (db, cutoff, limit) => deleteOlder(db, "health_checks", "time", cutoff, limit),
  toolSnapshots: (db, cutoff, limit) =>
    changes(
      db
        .prepare(
          `DELETE FROM tool_snapshots WHERE id IN (SELECT id FROM tool_snapshots t WHERE time < ?
           AND id < (SELECT max(id) FROM tool_snapshots n WHERE n.server = t.server) LIMIT ?)`,
        )
        .run(cutoff, limit),
    ),
  sessions: (db, cutoff, limit) =>
    changes(
      db
        .prepare(
          `DELETE FROM sessions WHERE id IN (SELECT id FROM sessions s WHERE ended_at IS NOT NULL
           AND ended_at < ? AND NOT EXISTS (SELECT 1 FROM calls c WHERE c.session_id = s.id) LIMIT ?)`,
        )
        .run(cutoff, limit),
    ),
  processRuns: (db, cutoff, limit) =>
    changes(
      db
        .prepare(
          `DELETE FROM process_runs WHERE id IN (SELECT id FROM process_runs
           WHERE ended_at IS NOT NULL AND ended_at < ? LIMIT ?)`,
        )
        .run(cutoff, limit),
    ),
  // Silences that ended before the cutoff go with the history they shaped.
  alertHistory: (db, cutoff, limit) => {
    const history = deleteOlder(db, "alert_history", "time", cutoff, limit);
    if (history === limit) return history;
    return history + deleteOlder(db, "alert_silences", "ends_at", cutoff, limit - history);
  },
  alertDeliveries: (db, cutoff, limit) => {
    const ids = db
      .prepare("SELECT id FROM alert_deliveries WHERE created_at < ? AND status <> 'pending' LIMIT ?")
      .all(cutoff, limit)
      .map((r) => Number(r.id));
    if (ids.length === 0) return 0;
    const list = ids.join(",");
    db.exec(`DELETE FROM alert_delivery_attempts WHERE delivery_id IN (${list})`);
    db.exec(`DELETE FROM alert_deliveries WHERE id IN (${list})`);
    return ids.length;
  },
};

function deleteOlder(db: Db, table: string, column: string, cutoff: number, limit: number): number {
  return changes(
    db
      .prepare(`DELETE FROM ${table} WHERE id IN (SELECT id FROM ${table} WHERE ${column} < ? LIMIT ?)`)
      .run(cutoff, limit),
  );
}

function changes(result: { changes: number | bigint }): number {
  return Number(result.changes);
}

/** Applies every kind's retention, batch by batch. */
export async function applyStorageRetention(
  db: Db,
  retention: StorageRetention,
  options: PassOptions = {},
): Promise<RetentionCounts> {
  const now = options.now ?? Date.now();
  const batchRows = options.batchRows ?? STORAGE_BATCH_ROWS;
  const pauseMs = options.pauseMs ?? 20;
  const counts: RetentionCounts = {};
  let batches = 0;
  const run = async (kind: RetentionKind, step: () => number) => {
    for (;;) {
      if (options.stopped?.()) return;
      if (batches++ > 0 && pauseMs > 0) await sleep(pauseMs);
      const n = db.transaction(step);
      if (n > 0) counts[kind] = (counts[kind] ?? 0) + n;
      if (n < batchRows) return;
    }
  };
  let textFrom = OLDEST;
  await run("payloads", () => {
    const dropped = dropPayloadText(db, textFrom, now - retention.payloads, batchRows);
    textFrom = dropped.next;
    return dropped.rows;
  });
  for (const [kind, step] of Object.entries(STEPS) as [
    Exclude<RetentionKind, "audit" | "payloads">,
    (typeof STEPS)["resourceSamples"],
  ][])
    await run(kind, () => step(db, now - retention[kind], batchRows));
  await run("audit", () => pruneAuditStep(db, now - retention.audit, batchRows, now));
  recordPrune(db, counts.audit ?? 0, now);
  return counts;
}
