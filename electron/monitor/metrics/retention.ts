/**
 * Retention of raw calls and rollups, deleted in small batches (one short transaction each) so that
 * wrappers never wait long for the write lock. Before deleting, each step records from when on the data
 * it deletes is still complete (aligned to the next coarser resolution), so the stats reader switches to
 * coarser rollups instead of reading a half-deleted region.
 */
import type { Db } from "../store/db.js";
import {
  bucketStart,
  DAY,
  HOUR,
  MINUTE,
  readState,
  renewRollupGeneration,
  STATE,
  writeState,
} from "./rollups.js";

export interface RetentionSettings {
  /** Raw calls (with payloads), ms. Only calls already folded into rollups are deleted. */
  rawCallsMs: number;
  minutesMs: number;
  hoursMs: number;
  daysMs: number;
}

export const DEFAULT_RETENTION: RetentionSettings = {
  rawCallsMs: 7 * DAY,
  minutesMs: 7 * DAY,
  hoursMs: 90 * DAY,
  daysMs: 730 * DAY,
};

export const DELETE_BATCH = 1000;

/**
 * Deletes at most `batch` expired rows of one kind; returns how many. Call until it returns 0.
 * The newest call is never deleted: calls.id has no AUTOINCREMENT, so an empty table would hand out
 * ids below the high-water mark again, and those calls would never be folded.
 */
export function retentionStep(
  db: Db,
  settings: RetentionSettings,
  now: number,
  batch = DELETE_BATCH,
): number {
  return db.transaction(() => {
    const rawCutoff = bucketStart(now - settings.rawCallsMs, MINUTE);
    raiseMark(db, STATE.rawFrom, rawCutoff);
    const folded = readState(db, STATE.folded);
    let n = changes(
      db
        .prepare(
          `DELETE FROM calls WHERE id IN (SELECT id FROM calls WHERE started_at < ? AND id <= ?
           AND id < (SELECT max(id) FROM calls) LIMIT ?)`,
        )
        .run(rawCutoff, folded, batch),
    );
    if (n > 0) return n;
    const tiers: [resolution: number, cutoff: number, mark: string | null][] = [
      [MINUTE, bucketStart(now - settings.minutesMs, HOUR), STATE.minutesFrom],
      [HOUR, bucketStart(now - settings.hoursMs, DAY), STATE.hoursFrom],
      [DAY, bucketStart(now - settings.daysMs, DAY), null],
    ];
    for (const [resolution, cutoff, mark] of tiers) {
      if (mark) raiseMark(db, mark, cutoff);
      n = changes(
        db
          .prepare(
            `DELETE FROM call_rollups WHERE (resolution, bucket_start, series) IN
             (SELECT resolution, bucket_start, series FROM call_rollups WHERE resolution = ? AND bucket_start < ? LIMIT ?)`,
          )
          .run(resolution, cutoff, batch),
      );
      if (n > 0) {
        renewRollupGeneration(db);
        return n;
      }
    }
    // Series whose last call is older than every day row kept have no rows left. Their ids can be
    // given again (the highest one, to the next new series): the new generation makes every
    // connection look its series ids up afresh.
    n = changes(
      db
        .prepare(
          "DELETE FROM rollup_series WHERE id IN (SELECT id FROM rollup_series WHERE last_seen < ? LIMIT ?)",
        )
        .run(bucketStart(now - settings.daysMs, DAY), batch),
    );
    if (n > 0) renewRollupGeneration(db);
    return n;
  });
}

function raiseMark(db: Db, key: string, value: number): void {
  if (readState(db, key) < value) writeState(db, key, value);
}

function changes(result: { changes: number | bigint }): number {
  return Number(result.changes);
}
