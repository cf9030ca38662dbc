/**
 * The size cap: when the database uses more than `maxBytes`, the oldest raw material goes first —
 * payload text, then raw calls already folded into rollups, then logs, then minute rollups, then events
 * (security and audit ones last) — until the estimate of what was freed covers the excess. What a window ending now reads (see
 * keptForReads), the storage events the Storage view reads, hour and day rollups and audit records are
 * never pruned for size. Freed pages are then returned to the file system (incremental auto-vacuum).
 * Each batch is one short transaction, like retention.
 */
import {
  bucketStart,
  HOUR,
  MINUTE,
  readState,
  renewRollupGeneration,
  STATE,
  writeState,
} from "../metrics/rollups.js";
import type { Db } from "./db.js";
import { dropPayloadText, OLDEST } from "./payload-text.js";
import { STORAGE_BATCH_ROWS } from "./retention.js";

export const SIZE_PRUNE_ORDER = ["payloads", "calls", "logs", "minuteRollups", "events"] as const;
export type SizePruneKind = (typeof SIZE_PRUNE_ORDER)[number];

export interface SizePrune {
  maxBytes: number;
  beforeBytes: number;
  afterBytes: number;
  /** Rows pruned (payloads: calls whose text was dropped). */
  pruned: Partial<Record<SizePruneKind, number>>;
}

/** Bytes of pages in use (the file's size less its free pages). */
export function usedBytes(db: Db): number {
  const pages = Number(db.prepare("PRAGMA page_count").get()?.page_count ?? 0);
  const free = Number(db.prepare("PRAGMA freelist_count").get()?.freelist_count ?? 0);
  const size = Number(db.prepare("PRAGMA page_size").get()?.page_size ?? 4096);
  return (pages - free) * size;
}

/** Average bytes per row of `table` with its indexes (and, for logs, its full-text index). */
function bytesPerRow(db: Db, table: string, names: string[]): number {
  const rows = Number(db.prepare(`SELECT count(*) AS n FROM ${table}`).get()?.n ?? 0);
  if (rows === 0) return 0;
  const placeholders = names.map(() => "?").join(", ");
  const bytes = Number(
    db
      .prepare(
        `SELECT coalesce(sum(pgsize), 0) AS b FROM dbstat WHERE aggregate = TRUE AND name IN (
           SELECT name FROM sqlite_master WHERE tbl_name IN (${placeholders}))`,
      )
      .get(...names)?.b ?? 0,
  );
  return bytes / rows;
}

type Step = (db: Db, limit: number) => { rows: number; bytes: number };

/** Average bytes per row of what each kind deletes, measured when the kind starts (earlier kinds change it). */
const ROW_BYTES: Record<SizePruneKind, (db: Db) => number> = {
  payloads: () => 0,
  calls: (db) => bytesPerRow(db, "calls", ["calls"]),
  logs: (db) => bytesPerRow(db, "logs", ["logs", "logs_fts_data", "logs_fts_idx", "logs_fts_docsize"]),
  minuteRollups: (db) => bytesPerRow(db, "call_rollups", ["call_rollups"]),
  events: (db) => bytesPerRow(db, "events", ["events"]),
};

/**
 * What a window ending now reads is never pruned for size: its partial hours come from minute rollups
 * (an hour row would count calls outside the window) and its partial minute from raw calls. Without
 * them the last hour — the Overview's, `stats`' default — would read as empty although the hour rows
 * hold every call in it. Minutes of the current and the previous hour and raw calls of the current
 * minute stay.
 */
export function keptForReads(now: number): { minutesFrom: number; rawFrom: number } {
  return { minutesFrom: bucketStart(now, HOUR) - HOUR, rawFrom: bucketStart(now, MINUTE) };
}

/** A fresh step per kind and round (the payload step keeps its cursor). */
function stepFor(kind: SizePruneKind, db: Db, now: number): Step {
  const perRow = ROW_BYTES[kind](db);
  switch (kind) {
    case "payloads": {
      let from = OLDEST;
      return (db, limit) => {
        const dropped = dropPayloadText(db, from, Number.MAX_VALUE, limit);
        from = dropped.next;
        return dropped;
      };
    }
    case "calls":
      return (db, limit) => {
        const n = deleteFoldedCalls(db, limit, keptForReads(now).rawFrom);
        return { rows: n, bytes: n * perRow };
      };
    case "logs":
      return (db, limit) => {
        const n = Number(
          db
            .prepare(
              "DELETE FROM logs WHERE id IN (SELECT id FROM logs WHERE id < (SELECT max(id) FROM logs) ORDER BY id LIMIT ?)",
            )
            .run(limit).changes,
        );
        return { rows: n, bytes: n * perRow };
      };
    case "minuteRollups":
      return (db, limit) => {
        const n = deleteOldestMinuteRollups(db, limit, keptForReads(now).minutesFrom);
        return { rows: n, bytes: n * perRow };
      };
    case "events": {
      // Security and audit events go last: they are few, reports of past periods read them, and a
      // rule counting them over its window would undercount. `tool.poisoning_suspected` stays: it is
      // raised once per finding by looking for the earlier event, so deleting it would raise it again.
      const phases = [
        "category NOT IN ('security', 'audit')",
        "category IN ('security', 'audit') AND type <> 'tool.poisoning_suspected'",
      ];
      let phase = 0;
      return (db, limit) => {
        let n = 0;
        // storage.* events stay: the Storage view's recovery banner and last pruning read them (a few rows).
        while (n === 0 && phase < phases.length) {
          n = Number(
            db
              .prepare(
                `DELETE FROM events WHERE id IN (SELECT id FROM events WHERE time < ? AND type NOT LIKE 'storage.%'
                 AND ${phases[phase]} ORDER BY time LIMIT ?)`,
              )
              .run(keptForReads(now).minutesFrom, limit).changes,
          );
          if (n === 0) phase++;
        }
        return { rows: n, bytes: n * perRow };
      };
    }
  }
}

/**
 * The oldest raw calls already folded into rollups before `keptFrom`, never the newest (ids must not
 * restart); the stats reader is told first from when on raw calls are complete, aligned to the minute.
 */
function deleteFoldedCalls(db: Db, limit: number, keptFrom: number): number {
  const folded = readState(db, STATE.folded);
  const last = db
    .prepare(
      `SELECT started_at FROM calls WHERE id <= ? AND id < (SELECT max(id) FROM calls)
       ORDER BY started_at LIMIT 1 OFFSET ?`,
    )
    .get(folded, limit - 1);
  const oldest = db.prepare("SELECT min(started_at) AS t FROM calls WHERE id <= ?").get(folded);
  if (oldest?.t == null) return 0;
  const until = last ? bucketStart(Number(last.started_at), MINUTE) : Number.POSITIVE_INFINITY;
  const cutoff = Math.min(
    keptFrom,
    until > Number(oldest.t) ? until : bucketStart(Number(oldest.t), MINUTE) + MINUTE,
  );
  if (cutoff <= Number(oldest.t)) return 0;
  if (readState(db, STATE.rawFrom) < cutoff) writeState(db, STATE.rawFrom, cutoff);
  return Number(
    db
      .prepare(
        `DELETE FROM calls WHERE id IN (SELECT id FROM calls WHERE id <= ? AND started_at < ?
         AND id < (SELECT max(id) FROM calls) LIMIT ?)`,
      )
      .run(folded, cutoff, limit).changes,
  );
}

/**
 * Whole hours of the oldest minute rollups before `keptFrom`, so the reader switches to hour rows for
 * what is gone.
 */
function deleteOldestMinuteRollups(db: Db, limit: number, keptFrom: number): number {
  const oldest = db
    .prepare("SELECT min(bucket_start) AS t FROM call_rollups WHERE resolution = ?")
    .get(MINUTE);
  if (oldest?.t == null) return 0;
  const cutoff = bucketStart(Number(oldest.t), HOUR) + HOUR;
  if (cutoff > keptFrom) return 0;
  if (readState(db, STATE.minutesFrom) < cutoff) writeState(db, STATE.minutesFrom, cutoff);
  const deleted = Number(
    db
      .prepare(
        `DELETE FROM call_rollups WHERE (resolution, bucket_start, series) IN (SELECT resolution, bucket_start,
         series FROM call_rollups WHERE resolution = ? AND bucket_start < ? LIMIT ?)`,
      )
      .run(MINUTE, cutoff, limit).changes,
  );
  if (deleted > 0) renewRollupGeneration(db);
  return deleted;
}

/** Prunes for size if the database is over `maxBytes`; null when it was not. */
export async function enforceSizeCap(
  db: Db,
  maxBytes: number,
  options: { batchRows?: number; pauseMs?: number; stopped?: () => boolean; now?: number } = {},
): Promise<SizePrune | null> {
  const now = options.now ?? Date.now();
  const beforeBytes = usedBytes(db);
  if (beforeBytes <= maxBytes) return null;
  const batchRows = options.batchRows ?? STORAGE_BATCH_ROWS;
  const pauseMs = options.pauseMs ?? 20;
  const pruned: SizePrune["pruned"] = {};
  // Estimates run ahead of the pages really freed (text emptied inside a page frees no page): measure
  // again after each round, a few rounds at most; the next pass goes on from there.
  for (let round = 0; round < 3; round++) {
    let excess = usedBytes(db) - maxBytes;
    if (excess <= 0) break;
    let any = false;
    for (const kind of SIZE_PRUNE_ORDER) {
      if (excess <= 0) break;
      const step = stepFor(kind, db, now);
      while (excess > 0 && !options.stopped?.()) {
        const { rows, bytes } = db.transaction(() => step(db, batchRows));
        if (rows === 0) break;
        any = true;
        pruned[kind] = (pruned[kind] ?? 0) + rows;
        excess -= bytes;
        if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
      }
    }
    if (!any || options.stopped?.()) break;
  }
  await reclaim(db, pauseMs);
  return { maxBytes, beforeBytes, afterBytes: usedBytes(db), pruned };
}

/** Pages returned per step: 8 MiB of 4 KiB pages, a short hold of the write lock. */
const VACUUM_PAGES = 2048;

/**
 * Returns free pages to the file system (incremental auto-vacuum, a few MiB per transaction) and
 * checkpoints the WAL, so that neither the database nor its -wal keeps the space retention freed.
 */
export async function reclaim(db: Db, pauseMs = 20): Promise<void> {
  for (let i = 0; i < 10_000; i++) {
    const free = Number(db.prepare("PRAGMA freelist_count").get()?.freelist_count ?? 0);
    if (free === 0 || Number(db.prepare("PRAGMA auto_vacuum").get()?.auto_vacuum ?? 0) !== 2) break;
    db.exec(`PRAGMA incremental_vacuum(${VACUUM_PAGES})`);
    if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
  db.prepare("PRAGMA wal_checkpoint(PASSIVE)").get();
}
