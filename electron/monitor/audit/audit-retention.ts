/**
 * Retention of the audit log that keeps the chain provable. Records older than the retention are deleted
 * from the head of the chain only (oldest first, never the newest), in small batches; each batch leaves a
 * checkpoint row with the hash of the last pruned record (the `prev_hash` the first kept record must
 * carry) and a digest of every pruned record's hash, chained over earlier checkpoints. The pass ends with
 * an `audit_prune` record in the chain itself naming the checkpoint, so a checkpoint cannot be forged
 * without breaking the chain after it. `verifyChain` then verifies from the oldest kept record.
 */
import type { Db, Row } from "../store/db.js";
import { appendAuditRecord, PRUNE_ACTION, pruneTarget, sha256 } from "./audit-log.js";

export interface AuditCheckpoint {
  throughId: number;
  fromId: number;
  count: number;
  lastHash: string;
  digest: string;
  time: number;
}

function toCheckpoint(row: Row): AuditCheckpoint {
  return {
    throughId: Number(row.through_id),
    fromId: Number(row.from_id),
    count: Number(row.count),
    lastHash: String(row.last_hash),
    digest: String(row.digest),
    time: Number(row.time),
  };
}

/** Deletes at most `batch` expired records from the head of the chain, with their checkpoint. */
export function pruneAuditStep(db: Db, cutoff: number, batch: number, now: number): number {
  return db.transaction(() => {
    const rows = db
      .prepare(
        `SELECT id, time, hash FROM audit_log WHERE id < (SELECT max(id) FROM audit_log)
         ORDER BY id LIMIT ?`,
      )
      .all(batch);
    // Only a contiguous expired prefix: a record kept in the middle would leave a gap no checkpoint covers.
    const pruned: Row[] = [];
    for (const row of rows) {
      if (Number(row.time) >= cutoff) break;
      pruned.push(row);
    }
    const first = pruned[0];
    const last = pruned[pruned.length - 1];
    if (!first || !last) return 0;
    const fromId = Number(first.id);
    const throughId = Number(last.id);
    const previous = db
      .prepare("SELECT digest FROM audit_checkpoints ORDER BY through_id DESC LIMIT 1")
      .get();
    const digest = sha256(String(previous?.digest ?? "") + pruned.map((r) => String(r.hash)).join(""));
    db.prepare(
      "INSERT INTO audit_checkpoints (time, from_id, through_id, count, last_hash, digest) VALUES (?, ?, ?, ?, ?, ?)",
    ).run(now, fromId, throughId, pruned.length, String(last.hash), digest);
    db.prepare("DELETE FROM audit_checkpoints WHERE through_id < ?").run(throughId);
    db.prepare("DELETE FROM audit_log WHERE id BETWEEN ? AND ?").run(fromId, throughId);
    return pruned.length;
  });
}

/**
 * Records the pass in the chain: the checkpoint it ended at. Call after every pass; it writes only when
 * the newest checkpoint is not yet vouched for (also after a pass cut short by a crash).
 */
export function recordPrune(db: Db, deleted: number, now: number): void {
  db.transaction(() => {
    const row = db.prepare("SELECT * FROM audit_checkpoints ORDER BY through_id DESC LIMIT 1").get();
    if (!row) return;
    const checkpoint = toCheckpoint(row);
    if (confirmedInChain(db, checkpoint)) return;
    appendAuditRecord(db, {
      time: now,
      kind: "admin",
      actor: "retention",
      server: null,
      session_id: null,
      action: PRUNE_ACTION,
      target: pruneTarget(checkpoint.throughId),
      args_digest: null,
      outcome: "ok",
      details: JSON.stringify({ deleted, throughId: checkpoint.throughId, digest: checkpoint.digest }),
    });
  });
}

/** Whether the chain holds the `audit_prune` record that vouches for `checkpoint`. */
export function confirmedInChain(db: Db, checkpoint: { throughId: number }): boolean {
  return (
    db
      .prepare("SELECT 1 FROM audit_log WHERE kind = 'admin' AND action = ? AND target = ? LIMIT 1")
      .get(PRUNE_ACTION, pruneTarget(checkpoint.throughId)) !== undefined
  );
}
