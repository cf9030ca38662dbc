/**
 * Retention of the audit log that keeps the chain provable. Records older than the retention are deleted
 * from the head of the chain only (oldest first, never the newest), in small batches: records of the
 * per-record form one by one, batched records a whole link at a time. Each step leaves a checkpoint row
 * with the hash the first kept record (or link) must chain from and a digest of every pruned hash,
 * chained over earlier checkpoints. The pass ends with an `audit_prune` record in the chain itself naming
 * the checkpoint, so a checkpoint cannot be forged without breaking the chain after it. `verifyChain`
 * then verifies from the oldest kept record.
 */
import type { Db, Row } from "../store/db.js";
import { appendAuditRecord } from "./audit-log.js";
import { PRUNE_ACTION, pruneTarget, sha256 } from "./audit-record.js";
import { pruneRecorded } from "./audit-verify.js";

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

/** Deletes at most about `batch` expired records from the head of the chain, with their checkpoint. */
export function pruneAuditStep(db: Db, cutoff: number, batch: number, now: number): number {
  return db.transaction(() => {
    const pruned = expiredLegacy(db, cutoff, batch) ?? expiredLinks(db, cutoff, batch);
    if (!pruned) return 0;
    const previous = db
      .prepare("SELECT digest FROM audit_checkpoints ORDER BY through_id DESC LIMIT 1")
      .get();
    const digest = sha256(String(previous?.digest ?? "") + pruned.hashes.join(""));
    db.prepare(
      "INSERT INTO audit_checkpoints (time, from_id, through_id, count, last_hash, digest) VALUES (?, ?, ?, ?, ?, ?)",
    ).run(now, pruned.fromId, pruned.throughId, pruned.count, pruned.hashes.at(-1) ?? "", digest);
    db.prepare("DELETE FROM audit_checkpoints WHERE through_id < ?").run(pruned.throughId);
    pruned.remove();
    return pruned.count;
  });
}

interface Pruned {
  fromId: number;
  throughId: number;
  count: number;
  /** The hashes the checkpoint's digest covers; the last is what the first kept record chains from. */
  hashes: string[];
  remove: () => void;
}

/** A contiguous expired prefix of the per-record form (a record kept in the middle would leave a gap). */
function expiredLegacy(db: Db, cutoff: number, batch: number): Pruned | null {
  const newestElsewhere = db.prepare("SELECT 1 FROM audit_records LIMIT 1").get() !== undefined;
  const rows = db
    .prepare(
      `SELECT id, time, hash FROM audit_log WHERE ? OR id < (SELECT max(id) FROM audit_log)
       ORDER BY id LIMIT ?`,
    )
    .all(newestElsewhere ? 1 : 0, batch);
  const expired: Row[] = [];
  for (const row of rows) {
    if (Number(row.time) >= cutoff) break;
    expired.push(row);
  }
  const first = expired[0];
  const last = expired[expired.length - 1];
  if (!first || !last) return null;
  const fromId = Number(first.id);
  const throughId = Number(last.id);
  return {
    fromId,
    throughId,
    count: expired.length,
    hashes: expired.map((r) => String(r.hash)),
    remove: () => db.prepare("DELETE FROM audit_log WHERE id BETWEEN ? AND ?").run(fromId, throughId),
  };
}

/** Whole expired links from the head of the batches, never the newest link. */
function expiredLinks(db: Db, cutoff: number, batch: number): Pruned | null {
  if (db.prepare("SELECT 1 FROM audit_log LIMIT 1").get()) return null;
  const links = db
    .prepare(
      `SELECT id, first_id, last_id, max_time, hash FROM audit_links
       WHERE id < (SELECT max(id) FROM audit_links) ORDER BY id LIMIT ?`,
    )
    .all(batch);
  const expired: Row[] = [];
  let count = 0;
  for (const link of links) {
    if (Number(link.max_time) >= cutoff) break;
    expired.push(link);
    count += Number(link.last_id) - Number(link.first_id) + 1;
    if (count >= batch) break;
  }
  const first = expired[0];
  const last = expired[expired.length - 1];
  if (!first || !last) return null;
  const fromId = Number(first.first_id);
  const throughId = Number(last.last_id);
  return {
    fromId,
    throughId,
    count,
    hashes: expired.map((l) => String(l.hash)),
    remove: () => {
      db.prepare("DELETE FROM audit_records WHERE id BETWEEN ? AND ?").run(fromId, throughId);
      db.prepare("DELETE FROM audit_links WHERE id BETWEEN ? AND ?").run(Number(first.id), Number(last.id));
      // Facts no kept record shares any more.
      db.prepare("DELETE FROM audit_subjects WHERE last_id <= ?").run(throughId);
    },
  };
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
  return pruneRecorded(db, checkpoint.throughId);
}
