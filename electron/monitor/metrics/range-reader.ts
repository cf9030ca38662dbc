/**
 * Reads calls over a time range from the cheapest exact source: whole days, hours and minutes from
 * rollups (the calls folded into them), raw calls for the partial minutes at the edges, and raw calls
 * not yet folded (id above the high-water mark) wherever they fall. Counts and bytes are exact; latency
 * comes from merged sketches (within 1%) for operations that touched a rollup, else from raw durations.
 *
 * A server's figures (`data`) are the requests it served; the requests it sent its client (sampling,
 * elicitation, roots) are read in the same pass into `toClient`, apart (shared/domain.ts, SERVED_DIRECTION).
 *
 * Where retention has deleted the detail an edge needs, that edge is widened to the bucket of the finest
 * resolution still kept (a minute, an hour, a day) and the read says so (`CountedRange`): the calls of
 * that whole bucket are counted rather than none of them.
 */
import { isServed } from "../../../shared/domain.js";
import { type Db, inSnapshot, type Row, type SqlValue } from "../store/db.js";
import { ENDED_WHERE } from "../store/task-columns.js";
import { type BucketCache, bucketCache, readCachedBuckets } from "./bucket-cache.js";
import { DDSketch } from "./ddsketch.js";
import { type CountedRange, type Piece, planRange, readMarks, widenRange } from "./range-plan.js";
import { ALL_SERVERS, ANY_OUTCOME, isSummary, MINUTE, operationTarget, readState, STATE } from "./rollups.js";

export interface OperationAccumulator {
  server: string;
  direction: string;
  method: string;
  target: string | null;
  calls: number;
  outcomes: Record<string, number>;
  bytesIn: number;
  bytesOut: number;
  /** Every call in range: rollup sketches merged, raw durations added. */
  sketch: DDSketch;
  /** Durations of the raw calls in range (exact percentiles when no rollup contributed). */
  durations: number[];
  fromRollups: boolean;
}

/** server → operation key → accumulator. */
export type RangeData = Map<string, Map<string, OperationAccumulator>>;

export interface ReadOptions {
  /** false: counts and bytes only, no sketches or durations (cheaper, for rates and counts). */
  latency?: boolean;
  /**
   * false: [since, until), a call at exactly `until` left to the range that starts there (a chart
   * bucket, a previous period). Default [since, until], as `stats` reads a range.
   */
  inclusive?: boolean;
}

/** The server's figures over a range: the requests each server served, per operation. */
export function readRange(
  db: Db,
  since: number,
  until: number,
  server?: string,
  options: ReadOptions = {},
): RangeData {
  return readCountedRange(db, since, until, server, options).data;
}

/** What one read of a range holds. */
export interface RangeRead {
  /** The server's figures: the requests it served. */
  data: RangeData;
  /** The requests the server sent its client, counted apart. */
  toClient: RangeData;
  /** The range counted when retention made it widen an edge (null: exactly as asked). */
  counted: CountedRange | null;
}

/** readRange, with the requests to the client and the range it counted. */
export function readCountedRange(
  db: Db,
  since: number,
  until: number,
  server?: string,
  options: ReadOptions = {},
): RangeRead {
  // The high-water mark, the rollups and the unfolded tail come from one snapshot, so a fold committing
  // in between cannot make a call count twice (or not at all).
  return inSnapshot(db, () =>
    readSnapshot(db, since, until, server, options.latency ?? true, options.inclusive ?? true),
  );
}

function readSnapshot(
  db: Db,
  since: number,
  until: number,
  server: string | undefined,
  latency: boolean,
  inclusiveEnd: boolean,
): RangeRead {
  const data: RangeData = new Map();
  const toClient: RangeData = new Map();
  const mapOf = (direction: string) => (isServed(direction) ? data : toClient);
  let folded: number;
  let pieces: Piece[];
  let totalsFrom = Number.POSITIVE_INFINITY;
  let counted: CountedRange | null = null;
  try {
    folded = readState(db, STATE.folded);
    const marks = readMarks(db);
    counted = widenRange(since, until, marks);
    // A widened end is a bucket's end, which belongs to the next bucket.
    const inclusive = inclusiveEnd && (!counted || counted.until === until);
    if (counted) {
      since = counted.since;
      until = counted.until;
    }
    pieces = planRange(since, until, marks, inclusive);
    totalsFrom = readState(db, STATE.totalsFrom, Number.POSITIVE_INFINITY);
  } catch {
    // A database without the rollup tables (opened read-only before migration 5): raw calls only.
    folded = Number.POSITIVE_INFINITY;
    pieces = [{ kind: "raw", start: since, end: until, inclusive: inclusiveEnd }];
  }
  const byServer = server ? " AND server = ?" : "";
  const extra: SqlValue[] = server ? [server] : [];

  let series: SeriesDictionary | null = null;
  for (const piece of pieces) {
    if (piece.kind === "rollup") {
      series ??= loadSeries(db, mapOf, server);
      // Hours and days from `totalsFrom` on are read with their operation summaries: one latency sketch per
      // operation and bucket instead of one per outcome (hundreds of buckets each). A minute's sketches hold
      // a few values, so minutes merge them per outcome as before, which costs no more.
      // Without a server, whole buckets come from the connection's cache when unchanged, minutes too.
      const cache = server === undefined && latency ? bucketCache(db) : null;
      const summarised = piece.resolution === MINUTE && !cache ? piece.end : totalsFrom;
      const split = Math.min(
        piece.end,
        Math.max(piece.start, Math.ceil(summarised / piece.resolution) * piece.resolution),
      );
      readRollups(db, series.byId, piece.resolution, piece.start, split, latency);
      if (cache) readCached(db, cache, series, piece.resolution, split, piece.end);
      else readTotals(db, series, piece.resolution, split, piece.end, latency);
    } else if (piece.kind === "raw") {
      const rows = db
        .prepare(
          `SELECT server, direction, method, target, outcome, duration_ms, bytes_in, bytes_out FROM calls
           WHERE started_at >= ? AND started_at ${piece.inclusive ? "<=" : "<"} ? AND ${ENDED_WHERE}${byServer}`,
        )
        .iterate(piece.start, piece.end, ...extra);
      for (const row of rows) addRaw(mapOf(String(row.direction)), row, latency);
    }
  }

  // Calls not folded yet that fall where rollups were read (raw pieces already include them). The unary
  // `+` keeps SQLite on the id range (a short tail) instead of the started_at index (every raw call).
  if (Number.isFinite(folded) && pieces.some((p) => p.kind === "rollup")) {
    const rows = db
      .prepare(
        `SELECT server, direction, method, target, outcome, started_at, duration_ms, bytes_in, bytes_out FROM calls
         WHERE id > ? AND +started_at >= ? AND +started_at <= ? AND ${ENDED_WHERE}${byServer}`,
      )
      .iterate(folded, since, until, ...extra);
    for (const row of rows) {
      if (pieceAt(pieces, Number(row.started_at))?.kind === "rollup")
        addRaw(mapOf(String(row.direction)), row, latency);
    }
  }
  return { data, toClient, counted };
}

function pieceAt(pieces: Piece[], time: number): Piece | undefined {
  let lo = 0;
  let hi = pieces.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const p = pieces[mid] as Piece;
    if (time < p.start) hi = mid - 1;
    else if (time >= p.end && !(p.kind === "raw" && p.inclusive && time === p.end)) lo = mid + 1;
    else return p;
  }
  return undefined;
}

function accumulator(
  data: RangeData,
  server: string,
  direction: string,
  method: string,
  target: string | null,
) {
  let ops = data.get(server);
  if (!ops) {
    ops = new Map();
    data.set(server, ops);
  }
  const key = `${method}\u0000${target ?? ""}`;
  let acc = ops.get(key);
  if (!acc) {
    acc = {
      server,
      direction,
      method,
      target,
      calls: 0,
      outcomes: {},
      bytesIn: 0,
      bytesOut: 0,
      sketch: new DDSketch(),
      durations: [],
      fromRollups: false,
    };
    ops.set(key, acc);
  }
  return acc;
}

function addRaw(data: RangeData, row: Row, latency = true): void {
  const method = String(row.method);
  const target = operationTarget(method, row.target === null ? null : String(row.target));
  const acc = accumulator(data, String(row.server), String(row.direction), method, target);
  const outcome = String(row.outcome);
  const duration = Number(row.duration_ms);
  acc.calls++;
  acc.outcomes[outcome] = (acc.outcomes[outcome] ?? 0) + 1;
  acc.bytesIn += Number(row.bytes_in);
  acc.bytesOut += Number(row.bytes_out);
  if (!latency) return;
  acc.durations.push(duration);
  acc.sketch.add(duration);
}

/** Every row of the (operation, outcome) series in buckets [from, to) of one resolution, sketches included. */
function readRollups(
  db: Db,
  byId: SeriesTarget[],
  resolution: number,
  from: number,
  to: number,
  latency: boolean,
): void {
  if (from >= to) return;
  const statement = db.prepare(
    `SELECT series, count, bytes_in, bytes_out, sketch FROM call_rollups
     WHERE resolution = ? AND bucket_start >= ? AND bucket_start < ?`,
  );
  // Arrays, not objects: a 30-day range reads tens of thousands of rows, and building an object per
  // row is a large part of its cost.
  statement.setReturnArrays(true);
  const rows = statement.all(resolution, from, to) as unknown as RollupRow[];
  for (const row of rows) {
    const target = byId[Number(row[0])];
    if (!target) continue;
    target.acc ??= accumulator(target.data, target.server, target.direction, target.method, target.target);
    addRollup(target.acc, target.outcome, row, latency);
  }
}

/**
 * Buckets [from, to) of one resolution where operation summaries exist: counts and bytes from the
 * (operation, outcome) rows, and latency from one sketch per operation and bucket (the operation
 * summaries) instead of one per outcome: only those sketches leave SQLite.
 */
function readTotals(
  db: Db,
  series: SeriesDictionary,
  resolution: number,
  from: number,
  to: number,
  latency: boolean,
): void {
  if (from >= to) return;
  // Ids are integers read from the database, written into the statement as they are. The unary `+` keeps
  // SQLite on the time range (dense: most rows in it are wanted), not the index by series.
  const wanted = [...series.operations.keys()].map((id) => Math.trunc(id)).join(", ");
  const statement = db.prepare(
    `SELECT series, count, bytes_in, bytes_out, ${latency && wanted ? `CASE WHEN +series IN (${wanted}) THEN sketch END` : "NULL"}
     FROM call_rollups WHERE resolution = ? AND bucket_start >= ? AND bucket_start < ?`,
  );
  statement.setReturnArrays(true);
  for (const row of statement.all(resolution, from, to) as unknown as RollupRow[]) {
    const id = Number(row[0]);
    const target = series.byId[id];
    if (target) {
      target.acc ??= accumulator(target.data, target.server, target.direction, target.method, target.target);
      addRollup(target.acc, target.outcome, row, false);
      continue;
    }
    const op = row[4] ? series.operations.get(id) : undefined;
    if (!op) continue;
    op.acc ??= accumulator(op.data, op.server, op.direction, op.method, op.target);
    op.acc.sketch.mergeEncoded(row[4] as Uint8Array);
    op.acc.fromRollups = true;
  }
}

/** Buckets [from, to) of one resolution, for a read of every server, through the connection's cache. */
function readCached(
  db: Db,
  cache: BucketCache,
  series: SeriesDictionary,
  resolution: number,
  from: number,
  to: number,
): void {
  readCachedBuckets(db, cache, resolution, from, to, {
    totals: series.totals,
    sketchedIds: [...series.operations.keys()],
    counted: (id) => series.byId[id] !== undefined,
    sketched: (id) => series.operations.has(id),
    addCounts(id, count, bytesIn, bytesOut) {
      const target = series.byId[id];
      if (!target) return;
      target.acc ??= accumulator(target.data, target.server, target.direction, target.method, target.target);
      const acc = target.acc;
      acc.calls += count;
      acc.outcomes[target.outcome] = (acc.outcomes[target.outcome] ?? 0) + count;
      acc.bytesIn += bytesIn;
      acc.bytesOut += bytesOut;
      acc.fromRollups = true;
    },
    addSketch(id, sketch) {
      const op = series.operations.get(id);
      if (!op) return;
      op.acc ??= accumulator(op.data, op.server, op.direction, op.method, op.target);
      const acc = op.acc;
      acc.sketch.mergeEncoded(sketch);
      acc.fromRollups = true;
    },
  });
}

/** One rollup series: its operation and outcome, and the accumulator once a row of it is in range. */
interface SeriesTarget {
  data: RangeData;
  server: string;
  direction: string;
  method: string;
  target: string | null;
  outcome: string;
  acc: OperationAccumulator | null;
}

interface SeriesDictionary {
  /** The (operation, outcome) series by id. */
  byId: SeriesTarget[];
  /** The operation summaries (any outcome) by id. */
  operations: Map<number, SeriesTarget>;
  /** The all-servers summaries' ids. */
  totals: number[];
}

/** The series dictionary (of one server, if given), each series read into the map of its direction. */
function loadSeries(db: Db, mapOf: (direction: string) => RangeData, server?: string): SeriesDictionary {
  const rows = db
    .prepare(
      `SELECT id, server, direction, method, target, outcome FROM rollup_series${server ? " WHERE server = ?" : ""}`,
    )
    .all(...(server ? [server] : []));
  const byId: SeriesTarget[] = [];
  const operations = new Map<number, SeriesTarget>();
  const totals: number[] = [];
  for (const row of rows) {
    const method = String(row.method);
    const outcome = String(row.outcome);
    const direction = String(row.direction);
    const target: SeriesTarget = {
      data: mapOf(direction),
      server: String(row.server),
      direction,
      method,
      target: row.target === "" ? null : String(row.target),
      outcome,
      acc: null,
    };
    if (!isSummary(method, outcome)) byId[Number(row.id)] = target;
    else if (outcome === ANY_OUTCOME) operations.set(Number(row.id), target);
    else if (target.server === ALL_SERVERS) totals.push(Number(row.id));
  }
  return { byId, operations, totals };
}

/** series, count, bytes_in, bytes_out, sketch */
type RollupRow = [SqlValue, SqlValue, SqlValue, SqlValue, SqlValue];

function addRollup(acc: OperationAccumulator, outcome: string, row: RollupRow, latency = true): void {
  const count = Number(row[1]);
  acc.calls += count;
  acc.outcomes[outcome] = (acc.outcomes[outcome] ?? 0) + count;
  acc.bytesIn += Number(row[2]);
  acc.bytesOut += Number(row[3]);
  if (latency) acc.sketch.mergeEncoded(row[4] as Uint8Array);
  acc.fromRollups = true;
}
