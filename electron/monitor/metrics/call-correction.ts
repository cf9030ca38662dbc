/**
 * A stored call whose outcome changes after it was stored: a request the observer ended as `timeout`, or
 * with a null-id error it took for its answer, whose own answer came after all, or a request that created a task (protocol/task-calls.ts), whose task's status and
 * end come later. Its row takes the new state. When a fold already passed it (its id is at or below the
 * high-water mark), the rollup rows it was counted in give it back and count the new state instead, in
 * the same transaction, so it stays counted once; a call whose task still runs counts nowhere, so it has
 * nothing to give back, and is counted once its task ends. Either way the rollup generation is renewed: a fold
 * plans from a snapshot without the lock, and one that read the old row must plan again (its commit checks
 * the generation), as must cached buckets.
 */
import type { Db, SqlValue } from "../store/db.js";
import { rowEnded } from "../store/task-columns.js";
import { DDSketch } from "./ddsketch.js";
import { addToRollups } from "./fold.js";
import { rowsOfCall } from "./fold-batch.js";
import { readState, renewRollupGeneration, STATE } from "./rollups.js";

/** The call's row as the recorder would insert it (masked and capped). */
type CallRow = Record<string, SqlValue>;

/** The columns a fold reads, in its order (`fold-batch.ts`). */
const FOLDED = "id, server, method, target, outcome, started_at, duration_ms, bytes_in, bytes_out, direction";
const COLUMNS = FOLDED.split(", ");

/**
 * Stores `next` over the row of the same request: its row stored without this answer, with outcome
 * `replaces` (`timeout`: the answer came after all; or a null-id error's, taken for its answer), or the row
 * of the task `next` names. False when none is stored.
 */
export function correctStoredCall(db: Db, next: CallRow, replaces = "timeout"): boolean {
  const task = next.task_id ?? null;
  const old = db
    .prepare(
      `SELECT ${FOLDED}, task_state FROM calls INDEXED BY calls_session WHERE session_id = ? AND direction = ?
       AND request_id = ? AND started_at = ? AND ${task === null ? "outcome = ?" : "task_id = ?"}
       ORDER BY id DESC LIMIT 1`,
    )
    .get(
      next.session_id ?? null,
      next.direction ?? null,
      next.request_id ?? null,
      next.started_at ?? null,
      task === null ? replaces : task,
    );
  // Dropped on the way (counted then) or already pruned: nothing to correct.
  if (!old) return false;
  db.prepare(
    `UPDATE calls SET duration_ms = ?, outcome = ?, error_code = ?, error_message = ?, bytes_out = ?,
     progress_count = ?, rounds = ?, response = ?, task_state = ?, task_updates = ? WHERE id = ?`,
  ).run(
    next.duration_ms ?? 0,
    next.outcome ?? null,
    next.error_code ?? null,
    next.error_message ?? null,
    next.bytes_out ?? 0,
    next.progress_count ?? 0,
    next.rounds ?? 0,
    next.response ?? null,
    next.task_state ?? null,
    next.task_updates ?? null,
    old.id ?? null,
  );
  if (Number(old.id) <= readState(db, STATE.folded)) {
    if (rowEnded(old))
      takeFromRollups(
        db,
        COLUMNS.map((column) => old[column] ?? null),
      );
    const answered: CallRow = { ...old, outcome: next.outcome ?? null };
    for (const column of ["duration_ms", "bytes_out"]) answered[column] = next[column] ?? 0;
    if (rowEnded(next)) addToRollups(db, rowsOfCall(COLUMNS.map((column) => answered[column] ?? null)));
  }
  renewRollupGeneration(db);
  return true;
}

/** Takes one folded call (its row as the fold read it) back out of every rollup row it was counted in. */
function takeFromRollups(db: Db, call: SqlValue[]): void {
  const duration = Number(call[6]);
  const series = db.prepare(
    "SELECT id FROM rollup_series WHERE server = ? AND direction = ? AND method = ? AND target = ? AND outcome = ?",
  );
  const stored = db.prepare(
    "SELECT count, bytes_in, bytes_out, sketch FROM call_rollups WHERE resolution = ? AND bucket_start = ? AND series = ?",
  );
  const remove = db.prepare(
    "DELETE FROM call_rollups WHERE resolution = ? AND bucket_start = ? AND series = ?",
  );
  const update = db.prepare(
    `UPDATE call_rollups SET count = ?, bytes_in = ?, bytes_out = ?, sketch = ?
     WHERE resolution = ? AND bucket_start = ? AND series = ?`,
  );
  for (const row of rowsOfCall(call)) {
    const id = series.get(row.server, row.direction, row.method, row.target, row.outcome)?.id;
    if (id === undefined || id === null) continue;
    // A bucket retention deleted already holds nothing to take back.
    const was = stored.get(row.resolution, row.start, id);
    if (!was) continue;
    if (Number(was.count) <= row.count) {
      remove.run(row.resolution, row.start, id);
      continue;
    }
    const sketch = DDSketch.decode(was.sketch as Uint8Array);
    sketch.remove(duration);
    update.run(
      Number(was.count) - row.count,
      Math.max(0, Number(was.bytes_in) - row.bytesIn),
      Math.max(0, Number(was.bytes_out) - row.bytesOut),
      sketch.encode(),
      row.resolution,
      row.start,
      id,
    );
  }
}
