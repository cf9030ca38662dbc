/**
 * Whole rollup buckets as stats of every server read them, kept per connection and merged in runs: every
 * (operation, outcome) row's count and bytes, and every operation summary's sketch, of one bucket or of an
 * aligned run of 2, 4, … 64 buckets (never across an hour for minutes, a day for hours). The UI asks for
 * the same ranges again and again (the Overview refreshes while calls arrive) and all but the newest
 * buckets of a range stay as they were, so a read adds a few merged runs instead of every bucket: a day of
 * hours is two or three entries, an hour's edge of minutes five or six.
 *
 * An entry is used only while the fingerprint of its buckets is unchanged: the sum of their all-servers
 * summary counts and how many such rows they have, read through the index by series in the same snapshot
 * as the rest of the range. Folding a call adds to its bucket's all-servers summary, so the sum only grows
 * and any fold into a run changes its fingerprint. Deleting rollup rows can leave a bucket's summary in
 * place while other rows go (retention deletes in batches of rows, and day rows have no mark to move): it
 * renews the database's rollup generation, and a cache that sees a new one empties itself. A restore
 * replaces the file under the engine, which forgets its connection's cache and restarts its read workers.
 */
import type { Db, SqlValue } from "../store/db.js";
import { DDSketch } from "./ddsketch.js";
import { DAY, HOUR, MINUTE, readState, STATE } from "./rollups.js";

export interface CachedRun {
  sum: number;
  rows: number;
  /** (series id, count, bytes in, bytes out) of every (operation, outcome) series, flattened. */
  counts: Float64Array;
  /** Every operation summary's sketch over the run, by series id. */
  sketches: Array<[number, Uint8Array]>;
  bytes: number;
}

/** What one connection's cache holds at most: a day and a week of runs, with the buckets they merge. */
export const BUCKET_CACHE_BYTES = 16 * 2 ** 20;
/** The longest run, in buckets (a power of two). */
const MAX_RUN = 64;

export class BucketCache {
  private readonly entries = new Map<string, CachedRun>();
  private bytes = 0;
  private generation: number | null = null;

  constructor(private readonly maxBytes = BUCKET_CACHE_BYTES) {}

  /** Empties the cache when the database's rollup generation is not the one its entries were read at. */
  sync(generation: number): void {
    if (generation === this.generation) return;
    this.entries.clear();
    this.bytes = 0;
    this.generation = generation;
  }

  /** The entry of a run, if it still has this fingerprint. */
  get(key: string, sum: number, rows: number): CachedRun | undefined {
    const entry = this.entries.get(key);
    if (!entry || entry.sum !== sum || entry.rows !== rows) return undefined;
    // Most recently used last: eviction takes the first.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry;
  }

  set(key: string, entry: CachedRun): void {
    const old = this.entries.get(key);
    if (old) {
      this.bytes -= old.bytes;
      this.entries.delete(key);
    }
    if (entry.bytes > this.maxBytes) return;
    this.entries.set(key, entry);
    this.bytes += entry.bytes;
    for (const [k, e] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(k);
      this.bytes -= e.bytes;
    }
  }

  get size(): number {
    return this.entries.size;
  }
}

const caches = new WeakMap<Db, BucketCache>();

export function bucketCache(db: Db): BucketCache {
  let cache = caches.get(db);
  if (!cache) {
    cache = new BucketCache();
    caches.set(db, cache);
  }
  return cache;
}

/** Forgets a connection's cached buckets (after a restore replaced the database under it). */
export function forgetBuckets(db: Db): void {
  caches.delete(db);
}

/** Where a read of cached buckets puts what it finds (the reader's accumulators). */
export interface BucketSink {
  /** The all-servers summary series (the fingerprints). */
  totals: number[];
  /** The operation summaries whose sketches a read wants. */
  sketchedIds: number[];
  /** Whether the series is an (operation, outcome) whose counts a read wants. */
  counted(id: number): boolean;
  /** Whether the series is an operation summary whose sketch a read wants. */
  sketched(id: number): boolean;
  addCounts(id: number, count: number, bytesIn: number, bytesOut: number): void;
  addSketch(id: number, sketch: Uint8Array): void;
}

/** Runs never cross this boundary, so a range's edges split into few of them. */
function period(resolution: number): number {
  return resolution === MINUTE ? HOUR : resolution === HOUR ? DAY : resolution * MAX_RUN;
}

/** [from, to) of one resolution (both aligned to it) as aligned runs: [start, buckets][]. */
export function runsOf(resolution: number, from: number, to: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const span = period(resolution);
  for (let at = from; at < to; ) {
    const base = Math.floor(at / span) * span;
    const limit = Math.min(to, base + span);
    const offset = Math.round((at - base) / resolution);
    let size = 1;
    while (size * 2 <= MAX_RUN && offset % (size * 2) === 0 && at + size * 2 * resolution <= limit) size *= 2;
    out.push([at, size]);
    at += size * resolution;
  }
  return out;
}

/**
 * Buckets [from, to) of one resolution (aligned to it, every bucket holding summaries) into `sink`: each
 * aligned run from the cache while its fingerprint is unchanged, else merged from its halves if one of
 * them is cached, else read whole. Call inside a read transaction: the fingerprints and the rows come
 * from one snapshot.
 */
export function readCachedBuckets(
  db: Db,
  cache: BucketCache,
  resolution: number,
  from: number,
  to: number,
  sink: BucketSink,
): void {
  if (from >= to || sink.totals.length === 0) return;
  cache.sync(readState(db, STATE.generation));
  // Ids are integers read from the database, written into the statement as they are.
  const prints = db.prepare(
    `SELECT bucket_start, sum(count), count(*) FROM call_rollups INDEXED BY call_rollups_series
     WHERE series IN (${sink.totals.map((id) => Math.trunc(id)).join(", ")})
     AND resolution = ? AND bucket_start >= ? AND bucket_start < ? GROUP BY bucket_start`,
  );
  prints.setReturnArrays(true);
  const buckets = new Map<number, [number, number]>();
  for (const [start, sum, rows] of prints.all(resolution, from, to) as unknown as SqlValue[][])
    buckets.set(Number(start), [Number(sum), Number(rows)]);
  if (buckets.size === 0) return;
  const runs = new Runs(db, cache, resolution, buckets, sink);
  for (const [start, size] of runsOf(resolution, from, to)) {
    const run = runs.get(start, size);
    if (!run) continue;
    const counts = run.counts;
    for (let i = 0; i < counts.length; i += 4)
      sink.addCounts(
        counts[i] as number,
        counts[i + 1] as number,
        counts[i + 2] as number,
        counts[i + 3] as number,
      );
    for (const [id, sketch] of run.sketches) sink.addSketch(id, sketch);
  }
}

class Runs {
  constructor(
    private readonly db: Db,
    private readonly cache: BucketCache,
    private readonly resolution: number,
    private readonly buckets: Map<number, [number, number]>,
    private readonly sink: BucketSink,
  ) {}

  /** The run's merged entry; null when none of its buckets has rows. */
  get(start: number, size: number): CachedRun | null {
    const found = this.lookup(start, size);
    return found === undefined ? this.build(start, size) : found;
  }

  /** The cached entry (null: an empty run), or undefined when it must be built. */
  private lookup(start: number, size: number): CachedRun | null | undefined {
    const [sum, rows] = this.fingerprint(start, size);
    if (rows === 0) return null;
    return this.cache.get(this.key(start, size), sum, rows);
  }

  private build(start: number, size: number): CachedRun {
    let run: CachedRun | undefined;
    if (size > 1) {
      const half = size / 2;
      const second = start + half * this.resolution;
      const [a, b] = [this.lookup(start, half), this.lookup(second, half)];
      // Merged from its halves when one of them is at hand; otherwise one read of the whole run.
      if (a !== undefined || b !== undefined) {
        const left = a === undefined ? this.build(start, half) : a;
        const right = b === undefined ? this.build(second, half) : b;
        run = left && right ? mergeRuns(left, right) : (left ?? right ?? undefined);
      }
    }
    run ??= readRun(this.db, this.resolution, start, size, this.sink);
    const [sum, rows] = this.fingerprint(start, size);
    run = { ...run, sum, rows };
    this.cache.set(this.key(start, size), run);
    return run;
  }

  private fingerprint(start: number, size: number): [number, number] {
    let sum = 0;
    let rows = 0;
    for (let i = 0; i < size; i++) {
      const print = this.buckets.get(start + i * this.resolution);
      if (!print) continue;
      sum += print[0];
      rows += print[1];
    }
    return [sum, rows];
  }

  private key(start: number, size: number): string {
    return `${this.resolution}:${start}:${size}`;
  }
}

/**
 * Where the rows of the run being read go: SQLite hands each row to a registered function instead of
 * returning it, which skips building a row array per row (half the cost of a cold read of tens of
 * thousands of rows). Reads are synchronous, so one per thread runs at a time.
 */
let collecting:
  | ((id: number, count: number, bytesIn: number, bytesOut: number, sketch: SqlValue) => void)
  | null = null;
const COLLECT_FUNCTION = "mcpscope_collect_rollup";
const collectors = new WeakSet<Db>();

function collectFunction(db: Db): void {
  if (collectors.has(db)) return;
  db.defineFunction(COLLECT_FUNCTION, (id, count, bytesIn, bytesOut, sketch) => {
    collecting?.(Number(id), Number(count), Number(bytesIn), Number(bytesOut), sketch);
    return null;
  });
  collectors.add(db);
}

/** One run read from the table: counts of the (operation, outcome) rows, operation sketches merged. */
function readRun(db: Db, resolution: number, start: number, size: number, sink: BucketSink): CachedRun {
  collectFunction(db);
  // Only the operation summaries' sketches leave SQLite (the unary `+` keeps it on the time range).
  const wanted = sink.sketchedIds.map((id) => Math.trunc(id)).join(", ");
  const statement = db.prepare(
    `SELECT count(${COLLECT_FUNCTION}(series, count, bytes_in, bytes_out,
       ${wanted ? `CASE WHEN +series IN (${wanted}) THEN sketch END` : "NULL"}))
     FROM call_rollups WHERE resolution = ? AND bucket_start >= ? AND bucket_start < ?`,
  );
  const counts = new Counts();
  const sketches = new Sketches();
  collecting = (id, count, bytesIn, bytesOut, sketch) => {
    if (sink.counted(id)) counts.add(id, count, bytesIn, bytesOut);
    else if (sketch && sink.sketched(id)) sketches.add(id, sketch as Uint8Array);
  };
  try {
    statement.get(resolution, start, start + size * resolution);
  } finally {
    collecting = null;
  }
  return entry(counts, sketches);
}

function mergeRuns(a: CachedRun, b: CachedRun): CachedRun {
  const counts = new Counts();
  const sketches = new Sketches();
  for (const run of [a, b]) {
    const c = run.counts;
    for (let i = 0; i < c.length; i += 4)
      counts.add(c[i] as number, c[i + 1] as number, c[i + 2] as number, c[i + 3] as number);
    for (const [id, sketch] of run.sketches) sketches.add(id, sketch);
  }
  return entry(counts, sketches);
}

function entry(counts: Counts, sketches: Sketches): CachedRun {
  const list = sketches.encoded();
  let bytes = 64 + counts.values.length * 8;
  for (const [, sketch] of list) bytes += sketch.byteLength + 48;
  return { sum: 0, rows: 0, counts: Float64Array.from(counts.values), sketches: list, bytes };
}

/** (id, count, bytes in, bytes out) per series, added up. */
class Counts {
  readonly values: number[] = [];
  private readonly at = new Map<number, number>();

  add(id: number, count: number, bytesIn: number, bytesOut: number): void {
    const i = this.at.get(id);
    if (i === undefined) {
      this.at.set(id, this.values.length);
      this.values.push(id, count, bytesIn, bytesOut);
      return;
    }
    this.values[i + 1] = (this.values[i + 1] as number) + count;
    this.values[i + 2] = (this.values[i + 2] as number) + bytesIn;
    this.values[i + 3] = (this.values[i + 3] as number) + bytesOut;
  }
}

/** Sketches per series: kept encoded while a series has one, merged once it has more. */
class Sketches {
  private readonly byId = new Map<number, Uint8Array | DDSketch>();

  add(id: number, bytes: Uint8Array): void {
    const had = this.byId.get(id);
    if (had === undefined) this.byId.set(id, bytes);
    else if (had instanceof DDSketch) had.mergeEncoded(bytes);
    else {
      const sketch = DDSketch.decode(had);
      sketch.mergeEncoded(bytes);
      this.byId.set(id, sketch);
    }
  }

  encoded(): Array<[number, Uint8Array]> {
    return [...this.byId].map(([id, s]) => [id, s instanceof DDSketch ? s.encode() : s]);
  }
}
