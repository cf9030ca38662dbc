/**
 * `metrics.series`: calls, errors and latency percentiles per time bucket, for charts. Each bucket is
 * read from the coarsest rollup resolution that divides the step and is still complete there (days,
 * hours or minutes: retention deletes the fine ones first), with the latency sketches of its rows
 * merged; calls not folded yet (id above the collector's high-water mark) are added from `calls`, so the
 * newest bucket is live. Counts are exact; percentiles are within 1% where a rollup contributed, exact
 * (nearest rank) where only raw calls did.
 */
import { errorCount, isErrorOutcome } from "../../../shared/domain.js";
import type { MetricsSeries, MetricsSeriesQuery, SeriesPoint, SeriesTotal } from "../../../shared/metrics.js";
import { MonitoringError } from "../errors.js";
import { type Db, inSnapshot, type SqlValue } from "../store/db.js";
import { SERVED_WHERE } from "../store/served.js";
import { ENDED_WHERE } from "../store/task-columns.js";
import { iso, parseDuration, parseTimeSpec } from "../time.js";
import { DDSketch } from "./ddsketch.js";
import { type CountedRange, countedJson, finestKept, readMarks } from "./range-plan.js";
import { type RangeData, readCountedRange } from "./range-reader.js";
import {
  ALL_SERVERS,
  ANY_OUTCOME,
  bucketStart,
  DAY,
  failedSeries,
  HOUR,
  MINUTE,
  readState,
  STATE,
  SUMMARY_METHOD,
} from "./rollups.js";
import { percentile } from "./stats-document.js";

/** Up to this many series, their rows are read series by series (see addRows). */
const FEW_SERIES = 100;
/** The default step gives at most about this many points. */
export const TARGET_POINTS = 300;
/** A step that would give more points than this is refused. */
export const MAX_POINTS = 2000;

const WEEK = 7 * DAY;
const NICE_STEPS = [
  MINUTE,
  2 * MINUTE,
  5 * MINUTE,
  10 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  HOUR,
  2 * HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  DAY,
  2 * DAY,
  WEEK,
];

/** The smallest round step that covers `spanMs` in at most TARGET_POINTS buckets. */
export function defaultStep(spanMs: number): number {
  for (const step of NICE_STEPS) if (spanMs / step <= TARGET_POINTS) return step;
  return Math.ceil(spanMs / TARGET_POINTS / WEEK) * WEEK;
}

interface Bucket {
  start: number;
  /** The rollup resolution read for this bucket; null when retention has deleted every usable one. */
  resolution: number | null;
  calls: number;
  errors: number;
  /** Rollup sketches merged, raw durations added; null until a rollup row contributes. */
  sketch: DDSketch | null;
  /** Durations of the unfolded calls in the bucket. */
  durations: number[];
}

export function metricsSeries(db: Db, query: MetricsSeriesQuery, now = Date.now()): MetricsSeries {
  const since = parseTimeSpec(query.since ?? "1h", now);
  const until = query.until ? parseTimeSpec(query.until, now) : now;
  if (until < since) throw MonitoringError.input("the range ends before it starts; swap since and until");
  const marks = readMarks(db);
  // By default, never finer than the detail retention has kept at `since` (a finer one gives only gaps).
  const step = query.step
    ? parseDuration(query.step)
    : Math.max(defaultStep(until - since), finestKept(since, marks));
  const first = bucketStart(since, step);
  // A range that ends on a bucket boundary ends with the bucket before it (which holds `until` itself):
  // a bucket of that one millisecond would read as a cliff.
  const end = until > since && bucketStart(until, step) === until ? until - step : until;
  const count = (bucketStart(end, step) - first) / step + 1;
  if (count > MAX_POINTS) {
    throw MonitoringError.input(
      `a step of ${query.step} gives ${count} points over this range; use a larger step (at most ${MAX_POINTS} points)`,
    );
  }
  const buckets: Bucket[] = Array.from({ length: count }, (_, i) => ({
    start: first + i * step,
    resolution: null,
    calls: 0,
    errors: 0,
    sketch: null,
    durations: [],
  }));

  // The mark, the rollups and the tail from one snapshot, as in range-reader.ts.
  const counted = inSnapshot(db, () => {
    readBuckets(db, buckets, step, query);
    return clipEdges(db, buckets, step, since, until, query);
  });

  const kept = buckets.filter((b) => b.resolution !== null);
  const points: SeriesPoint[] = kept.map((b) => ({ time: iso(b.start), ...summarise(b) }));
  return {
    since: iso(since),
    until: iso(until),
    ...(counted ? { counted: countedJson(counted) } : {}),
    step_ms: step,
    points,
    total: summarise(combine(kept)),
  };
}

/**
 * The first and last buckets hold only the calls in [since, until], read as `stats` reads them (the
 * first one's end left to the bucket after it), so that the points and the total describe the range and
 * agree with its stats; returns the range counted when retention made an edge widen.
 */
function clipEdges(
  db: Db,
  buckets: Bucket[],
  step: number,
  since: number,
  until: number,
  query: MetricsSeriesQuery,
): CountedRange | null {
  const first = buckets[0];
  const last = buckets.at(-1);
  if (!first || !last) return null;
  const edges = first === last ? [first] : [first, last];
  let counted = null as CountedRange | null;
  // A gap stays a gap: its step asks for a resolution retention has deleted.
  for (const b of edges.filter((e) => e.resolution !== null)) {
    const from = Math.max(b.start, since);
    const to = Math.min(b.start + step, until);
    // Only the last bucket holds a call at exactly its end (`until`); any other's belongs to the next.
    const inclusive = b === last;
    if (from === b.start && to === b.start + step && !(inclusive && to === until)) continue;
    const read = readCountedRange(db, from, to, query.server, { inclusive });
    if (read.counted) {
      counted = {
        since: Math.min(counted?.since ?? read.counted.since, read.counted.since),
        until: Math.max(counted?.until ?? read.counted.until, read.counted.until),
        resolution: Math.max(counted?.resolution ?? 0, read.counted.resolution),
      };
    }
    Object.assign(b, bucketOf(read.data, query));
  }
  if (!counted) return null;
  // An edge that did not need widening keeps its own end.
  return {
    since: Math.min(counted.since, since),
    until: Math.max(counted.until, until),
    resolution: counted.resolution,
  };
}

/** One bucket of the calls read (of `query.tool` only, when given). */
function bucketOf(data: RangeData, query: MetricsSeriesQuery): Omit<Bucket, "start"> {
  const accs = [...data.values()]
    .flatMap((ops) => [...ops.values()])
    .filter((a) => query.tool === undefined || (a.method === "tools/call" && a.target === query.tool));
  const sketched = accs.some((a) => a.fromRollups);
  const b: Omit<Bucket, "start"> = { resolution: 0, calls: 0, errors: 0, sketch: null, durations: [] };
  if (sketched) b.sketch = new DDSketch();
  for (const a of accs) {
    b.calls += a.calls;
    b.errors += errorCount(a.outcomes);
    b.durations.push(...a.durations);
    if (sketched) b.sketch?.merge(a.sketch);
  }
  return b;
}

function readBuckets(db: Db, buckets: Bucket[], step: number, query: MetricsSeriesQuery): void {
  const first = buckets[0]?.start ?? 0;
  const end = first + buckets.length * step;
  const marks = readMarks(db);
  const completeFrom = (resolution: number) =>
    resolution === MINUTE
      ? marks.minutesFrom
      : resolution === HOUR
        ? marks.hoursFrom
        : Number.NEGATIVE_INFINITY;
  // Coarsest first: every call is folded into its minute, hour and day at once, so any resolution that
  // divides the step counts the same calls, and a coarser one reads 60 or 24 times fewer rows.
  const usable = [DAY, HOUR, MINUTE].filter((r) => step % r === 0);
  for (const b of buckets) b.resolution = usable.find((r) => b.start >= completeFrom(r)) ?? null;

  // Without a tool, a bucket reads summary series (a few rows) rather than every operation's: the
  // all-servers summary without a server, from where it is complete; before that, each server's summary;
  // before those, and for a tool, the operations' series.
  const tiers: Array<{ from: number; series: Map<number, boolean> }> = [
    { from: Number.NEGATIVE_INFINITY, series: loadSeries(db, query, "operations") },
  ];
  if (query.tool === undefined) {
    tiers.push({
      from: readState(db, STATE.summariesFrom, Infinity),
      series: loadSeries(db, query, "servers"),
    });
    if (query.server === undefined)
      tiers.push({ from: readState(db, STATE.totalsFrom, Infinity), series: loadSeries(db, query, "all") });
  }
  for (const resolution of usable) {
    const mine = buckets.filter((b) => b.resolution === resolution);
    const last = mine.at(-1)?.start;
    if (last === undefined) continue;
    const end = last + step;
    // Each tier from the first of these buckets at or after its start, to the next tier's.
    const starts = tiers.map((t) => mine.find((b) => b.start >= t.from)?.start ?? end);
    for (let i = 0; i < tiers.length; i++) {
      const to = Math.min(end, ...starts.slice(i + 1));
      addRows(
        db,
        buckets,
        first,
        step,
        resolution,
        starts[i] as number,
        to,
        (tiers[i] as (typeof tiers)[number]).series,
      );
    }
  }

  // Calls stored after the last fold. The unary `+` keeps SQLite on the id range (a short tail) instead of
  // an index on time or server (every raw call).
  const where: string[] = ["id > ?", "+started_at >= ?", "+started_at < ?", SERVED_WHERE, ENDED_WHERE];
  const params: SqlValue[] = [readState(db, STATE.folded), first, end];
  if (query.server !== undefined) {
    where.push("+server = ?");
    params.push(query.server);
  }
  if (query.tool !== undefined) {
    where.push("+method = 'tools/call'", "+target = ?");
    params.push(query.tool);
  }
  const tail = db
    .prepare(`SELECT started_at, outcome, duration_ms FROM calls WHERE ${where.join(" AND ")}`)
    .iterate(...params);
  for (const row of tail) {
    const b = buckets[Math.floor((Number(row.started_at) - first) / step)];
    if (!b || b.resolution === null) continue;
    const duration = Number(row.duration_ms);
    b.calls++;
    if (isErrorOutcome(String(row.outcome))) b.errors++;
    b.durations.push(duration);
    b.sketch?.add(duration);
  }
}

/** Adds the rows of `series` in buckets [from, to) of one resolution. */
function addRows(
  db: Db,
  buckets: Bucket[],
  first: number,
  step: number,
  resolution: number,
  from: number,
  to: number,
  series: Map<number, boolean>,
): void {
  if (from >= to || series.size === 0) return;
  // Only the series asked for: the rows of every other operation are never read. A few series (summaries,
  // one tool) are read through the index by series, each a contiguous run; many, along the time range.
  // Ids are integers read from the database, so they are written into the statement as they are.
  const few = series.size <= FEW_SERIES;
  const statement = db.prepare(
    `SELECT bucket_start, series, count, sketch FROM call_rollups${few ? " INDEXED BY call_rollups_series" : ""}
     WHERE resolution = ? AND bucket_start >= ? AND bucket_start < ?
     AND ${few ? "" : "+"}series IN (${[...series.keys()].map((id) => Math.trunc(id)).join(", ")})`,
  );
  // Arrays, not objects: a week of hours is a row per series and hour.
  statement.setReturnArrays(true);
  const rows = statement.all(resolution, from, to) as unknown as [number, number, number, Uint8Array][];
  for (const row of rows) {
    const failed = series.get(Number(row[1]));
    if (failed === undefined) continue;
    const b = buckets[Math.floor((Number(row[0]) - first) / step)];
    if (!b || b.resolution !== resolution) continue;
    const n = Number(row[2]);
    b.calls += n;
    if (failed) b.errors += n;
    b.sketch ??= new DDSketch();
    b.sketch.mergeEncoded(row[3]);
  }
}

/**
 * Rollup series matching the query: of operations (by outcome), of whole servers, or of all servers
 * together: series id → whether its outcome is a failure.
 */
function loadSeries(
  db: Db,
  query: MetricsSeriesQuery,
  kind: "operations" | "servers" | "all",
): Map<number, boolean> {
  const where: string[] = [];
  const params: SqlValue[] = [];
  if (kind === "operations") {
    where.push("method <> ?", "outcome <> ?", SERVED_WHERE);
    params.push(SUMMARY_METHOD, ANY_OUTCOME);
  } else {
    where.push("method = ?", kind === "all" ? "server = ?" : "server <> ?");
    params.push(SUMMARY_METHOD, ALL_SERVERS);
  }
  if (query.server !== undefined && kind !== "all") {
    where.push("server = ?");
    params.push(query.server);
  }
  if (query.tool !== undefined) {
    where.push("method = 'tools/call'", "target = ?");
    params.push(query.tool);
  }
  const rows = db
    .prepare(`SELECT id, outcome FROM rollup_series WHERE ${where.join(" AND ")}`)
    .all(...params);
  return new Map(rows.map((row) => [Number(row.id), failedSeries(String(row.outcome))]));
}

const round = (v: number) => Math.round(v * 1000) / 1000;

/** One bucket holding every call of `buckets`: sketches merged where any bucket has one. */
function combine(buckets: Bucket[]): Bucket {
  const all: Bucket = { start: 0, resolution: null, calls: 0, errors: 0, sketch: null, durations: [] };
  const sketched = buckets.some((b) => b.sketch);
  if (sketched) all.sketch = new DDSketch();
  for (const b of buckets) {
    all.calls += b.calls;
    all.errors += b.errors;
    if (b.sketch) all.sketch?.merge(b.sketch);
    else if (sketched) for (const d of b.durations) all.sketch?.add(d);
    else for (const d of b.durations) all.durations.push(d);
  }
  return all;
}

function summarise(b: Bucket): SeriesTotal {
  const total: SeriesTotal = { calls: b.calls, errors: b.errors, p50: null, p95: null, p99: null };
  if (b.calls === 0) return total;
  if (b.sketch) {
    total.p50 = round(b.sketch.quantile(0.5));
    total.p95 = round(b.sketch.quantile(0.95));
    total.p99 = round(b.sketch.quantile(0.99));
  } else {
    const sorted = b.durations.sort((x, y) => x - y);
    total.p50 = round(percentile(sorted, 50));
    total.p95 = round(percentile(sorted, 95));
    total.p99 = round(percentile(sorted, 99));
  }
  return total;
}
