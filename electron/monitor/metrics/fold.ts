/**
 * Folding: the calls stored after a high-water mark kept in the database are added to the minute, hour and
 * day rollup rows of their series and summaries, and the mark advances past them. A batch is read, grouped
 * (`fold-batch.ts`) and merged with the rows it adds to from one read snapshot, with no lock held; the
 * IMMEDIATE transaction that advances the mark only writes the merged rows, so writers wait for the writes
 * alone, one per series and bucket, however many calls the batch holds. That transaction first checks that
 * the mark and the series table are as the snapshot saw them: when another engine's collector folded in
 * between, the batch is dropped and read again, so no call is counted twice or missed.
 */
import { type Db, inSnapshot, type Statement } from "../store/db.js";
import { DDSketch } from "./ddsketch.js";
import { type FoldBatch, type RowDelta, readFoldBatch } from "./fold-batch.js";
import { MINUTE, RESOLUTIONS, readState, STATE, writeState } from "./rollups.js";

export interface FoldResult {
  /** Calls folded by this transaction. */
  folded: number;
  /** The high-water mark after it. */
  highWater: number;
  /** Wall time of the write transaction, ms (what writers waited for the lock at most). */
  lockMs: number;
}

type Statements = Record<"series" | "newSeries" | "seen" | "seriesPrint" | "stored" | "upsert", Statement>;
const statements = new WeakMap<Db, Statements>();

function prepared(db: Db): Statements {
  let s = statements.get(db);
  if (!s) {
    s = {
      series: db.prepare(
        "SELECT id FROM rollup_series WHERE server = ? AND direction = ? AND method = ? AND target = ? AND outcome = ?",
      ),
      newSeries: db.prepare(
        "INSERT INTO rollup_series (server, direction, method, target, outcome, last_seen) VALUES (?, ?, ?, ?, ?, ?)",
      ),
      seen: db.prepare("UPDATE rollup_series SET last_seen = max(last_seen, ?) WHERE id = ?"),
      seriesPrint: db.prepare(
        `SELECT count(*) AS n, max(id) AS top,
         (SELECT value FROM metrics_state WHERE key = '${STATE.generation}') AS generation FROM rollup_series`,
      ),
      stored: db.prepare(
        "SELECT count, bytes_in, bytes_out, sketch FROM call_rollups WHERE resolution = ? AND bucket_start = ? AND series = ?",
      ),
      // A new row takes the batch's values; a stored one the merged values planned from it.
      upsert: db.prepare(
        `INSERT INTO call_rollups (resolution, bucket_start, series, count, bytes_in, bytes_out, sketch)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (resolution, bucket_start, series) DO UPDATE SET count = ?, bytes_in = ?, bytes_out = ?,
         sketch = ?`,
      ),
    };
    statements.set(db, s);
  }
  return s;
}

/**
 * Series ids a connection has looked up, kept across its fold transactions while the series table has the
 * same number of rows, the same highest id and the same rollup generation: another engine adding series
 * changes the first two, retention deleting some the generation (a deleted highest id can be given again
 * with the count back where it was), and the ids are looked up again.
 */
interface SeriesIds {
  ids: Map<string, number>;
  print: string;
  /** The `last_seen` this connection last wrote per series: it is written again a minute later at most. */
  seen: Map<number, number>;
}
const seriesIds = new WeakMap<Db, SeriesIds>();

function seriesPrint(s: Statements): string {
  const row = s.seriesPrint.get();
  return `${row?.n}:${row?.top}:${row?.generation ?? 0}`;
}

/** A row to write: the batch's addition, and the stored row with it added (as read before the lock). */
interface Planned {
  delta: RowDelta;
  name: string;
  /** The series id, or undefined for a series the write adds. */
  id: number | undefined;
  count: number;
  bytesIn: number;
  bytesOut: number;
  sketch: Uint8Array;
}

export interface Plan {
  batch: FoldBatch;
  /** The series table's fingerprint the ids were looked up under. */
  print: string;
  rows: Planned[];
}

/**
 * Plans read again when another folder committed first, before this step gives way to it: each is a
 * read of up to a whole batch, on the engine's thread when it folds there.
 */
const PLAN_ATTEMPTS = 3;

/**
 * Folds up to `maxCalls` calls stored after the high-water mark. Reading, grouping and merging with the
 * stored rows happen before the write transaction, which then only writes each row once.
 */
export function foldOnce(db: Db, maxCalls = 1000): FoldResult {
  for (let attempt = 0; attempt < PLAN_ATTEMPTS; attempt++) {
    const plan = planFold(db, maxCalls);
    if (!plan) break;
    const result = commitPlan(db, plan);
    if (result) return result;
  }
  // Nothing folded now (another folder keeps moving the mark: it is folding these calls); the next
  // run goes on from where that one got to.
  return { folded: 0, highWater: readState(db, STATE.folded), lockMs: 0 };
}

/**
 * Writes a plan in one IMMEDIATE transaction; null (nothing written) when another folder moved the mark
 * or the series table changed since it was read: plan again.
 */
export function commitPlan(db: Db, plan: Plan): FoldResult | null {
  const started = performance.now();
  let written: boolean;
  try {
    written = db.transaction(() => writePlan(db, plan));
  } catch (error) {
    // Ids of series the rolled-back transaction added are not in the table.
    seriesIds.delete(db);
    throw error;
  }
  const lockMs = performance.now() - started;
  return written ? { folded: plan.batch.calls, highWater: plan.batch.through, lockMs } : null;
}

/**
 * The next batch and its rows merged with the stored ones, all read from one snapshot (a read transaction
 * holds no lock writers wait for); null when every call is folded.
 */
export function planFold(db: Db, maxCalls: number): Plan | null {
  return inSnapshot(db, () => {
    const batch = readFoldBatch(db, readState(db, STATE.folded), maxCalls);
    if (!batch) return null;
    const s = prepared(db);
    const known = knownSeries(db, s);
    const rows = planRows(s, known, batch.rows);
    return { batch, print: known.print, rows };
  });
}

/** Each row's addition merged with the stored row it adds to (looked up by series, then by bucket). */
function planRows(s: Statements, known: SeriesIds, deltas: RowDelta[]): Planned[] {
  const rows: Planned[] = [];
  for (const delta of deltas) {
    const name = `${delta.server}\u0000${delta.direction}\u0000${delta.method}\u0000${delta.target}\u0000${delta.outcome}`;
    let id = known.ids.get(name);
    if (id === undefined) {
      const found = s.series.get(delta.server, delta.direction, delta.method, delta.target, delta.outcome);
      if (found) {
        id = Number(found.id);
        known.ids.set(name, id);
      }
    }
    const stored = id === undefined ? undefined : s.stored.get(delta.resolution, delta.start, id);
    rows.push(
      stored
        ? {
            delta,
            name,
            id,
            count: Number(stored.count) + delta.count,
            bytesIn: Number(stored.bytes_in) + delta.bytesIn,
            bytesOut: Number(stored.bytes_out) + delta.bytesOut,
            sketch: DDSketch.mergeBoth(stored.sketch as Uint8Array, delta.sketch),
          }
        : { delta, name, id, ...delta },
    );
  }
  return rows;
}

/**
 * Adds rollup rows' additions in the caller's transaction, past the mark (a call whose outcome was
 * corrected after it was folded: `call-correction.ts`).
 */
export function addToRollups(db: Db, deltas: RowDelta[]): void {
  const s = prepared(db);
  writeRows(db, s, planRows(s, knownSeries(db, s), deltas));
}

/** The connection's series ids, dropped when the series table changed since they were looked up. */
function knownSeries(db: Db, s: Statements): SeriesIds {
  let known = seriesIds.get(db);
  const print = seriesPrint(s);
  if (!known || known.print !== print) {
    known = { ids: new Map(), print, seen: new Map() };
    seriesIds.set(db, known);
  }
  return known;
}

/**
 * Writes the planned rows and advances the mark; false (nothing written) when the mark or the series
 * table changed since the plan was read. Otherwise a row stored then is the same now, or was deleted by
 * retention meanwhile (only folds add to rows): a stored row takes the merged values, a missing one the
 * batch's own.
 */
function writePlan(db: Db, plan: Plan): boolean {
  const s = prepared(db);
  if (readState(db, STATE.folded) !== plan.batch.from || seriesPrint(s) !== plan.print) return false;
  // Summaries added by a later version start after what is folded already (see summariesStart).
  for (const key of [STATE.summariesFrom, STATE.totalsFrom])
    if (readState(db, key, -1) === -1) writeState(db, key, summariesStart(db));
  writeRows(db, s, plan.rows);
  writeState(db, STATE.folded, plan.batch.through);
  return true;
}

/** Writes planned rows (adding the series that are new) inside the caller's transaction. */
function writeRows(db: Db, s: Statements, rows: Planned[]): void {
  const known = knownSeries(db, s);
  let added = false;
  const lastSeen = new Map<number, number>();
  for (const row of rows) {
    const g = row.delta;
    let id = row.id ?? known.ids.get(row.name);
    if (id === undefined) {
      id = Number(
        s.newSeries.run(g.server, g.direction, g.method, g.target, g.outcome, g.lastSeen).lastInsertRowid,
      );
      known.ids.set(row.name, id);
      added = true;
    }
    if (g.lastSeen > (lastSeen.get(id) ?? 0)) lastSeen.set(id, g.lastSeen);
    s.upsert.run(
      g.resolution,
      g.start,
      id,
      g.count,
      g.bytesIn,
      g.bytesOut,
      g.sketch,
      row.count,
      row.bytesIn,
      row.bytesOut,
      row.sketch,
    );
  }
  if (added) known.print = seriesPrint(s);
  // A minute's precision is plenty for what reads it (retention, tools seen in the last days).
  for (const [id, time] of lastSeen) {
    if (time - (known.seen.get(id) ?? Number.NEGATIVE_INFINITY) < MINUTE) continue;
    s.seen.run(time, id);
    known.seen.set(id, time);
  }
}

/**
 * Where summaries start on a database folded before they existed: after the newest bucket already folded
 * (every call folded so far lies in it or before), so a bucket from there on is whole in its summaries.
 */
function summariesStart(db: Db): number {
  for (const resolution of RESOLUTIONS) {
    const row = db
      .prepare("SELECT max(bucket_start) AS t FROM call_rollups WHERE resolution = ?")
      .get(resolution);
    if (row?.t !== null && row?.t !== undefined) return Number(row.t) + resolution;
  }
  return 0;
}
