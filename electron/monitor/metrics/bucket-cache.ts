/**
 * Whole rollup buckets as stats read them, kept per connection: every (operation, outcome) row's count
 * and bytes, and every operation summary's sketch. The UI asks for the same ranges again and again (the
 * Overview refreshes while calls arrive), and all but the newest buckets of a range stay as they were.
 *
 * An entry is used only while its bucket's fingerprint is unchanged: the sum of its rows' counts and how
 * many rows it has, read in the same snapshot as the rest of the range. Folding a call adds to the counts
 * of four of its rows (the operation's, its summary, its server's and all servers'), and retention and
 * the size cap only delete rows, so any change to a bucket changes its fingerprint.
 */
import type { Db, SqlValue } from "../store/db.js";

export interface CachedBucket {
  sum: number;
  rows: number;
  /** (series id, count, bytes in, bytes out) of every (operation, outcome) row, flattened. */
  counts: Float64Array;
  /** Every operation summary's sketch, by series id. */
  sketches: Array<[number, Uint8Array]>;
  bytes: number;
}

/** What one connection's cache holds at most: a day of hours and minutes, a week of days and more. */
export const BUCKET_CACHE_BYTES = 8 * 2 ** 20;

export class BucketCache {
  private readonly entries = new Map<string, CachedBucket>();
  private bytes = 0;

  constructor(private readonly maxBytes = BUCKET_CACHE_BYTES) {}

  /** The entry of a bucket, if it still has this fingerprint. */
  get(resolution: number, start: number, sum: number, rows: number): CachedBucket | undefined {
    const key = `${resolution}:${start}`;
    const entry = this.entries.get(key);
    if (!entry || entry.sum !== sum || entry.rows !== rows) return undefined;
    // Most recently used last: eviction takes the first.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry;
  }

  set(resolution: number, start: number, entry: CachedBucket): void {
    const key = `${resolution}:${start}`;
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
  /** Whether the series is an (operation, outcome) whose counts a read wants. */
  counted(id: number): boolean;
  /** Whether the series is an operation summary whose sketch a read wants. */
  sketched(id: number): boolean;
  addCounts(id: number, count: number, bytesIn: number, bytesOut: number): void;
  addSketch(id: number, sketch: Uint8Array): void;
}

/**
 * Buckets [from, to) of one resolution into `sink`: each from the cache while its fingerprint is
 * unchanged, else read whole (every series `counted` or `sketched` for a read of every server) and cached.
 * Call inside a read transaction: the fingerprints and the rows come from one snapshot.
 */
export function readCachedBuckets(
  db: Db,
  cache: BucketCache,
  resolution: number,
  from: number,
  to: number,
  sink: BucketSink,
): void {
  if (from >= to) return;
  const prints = db.prepare(
    `SELECT bucket_start, sum(count), count(*) FROM call_rollups
     WHERE resolution = ? AND bucket_start >= ? AND bucket_start < ? GROUP BY bucket_start`,
  );
  prints.setReturnArrays(true);
  for (const [start, sum, rows] of prints.all(resolution, from, to) as unknown as SqlValue[][]) {
    const at = Number(start);
    let bucket = cache.get(resolution, at, Number(sum), Number(rows));
    if (!bucket) {
      bucket = readBucket(db, resolution, at, sink);
      cache.set(resolution, at, bucket);
    }
    const counts = bucket.counts;
    for (let i = 0; i < counts.length; i += 4)
      sink.addCounts(
        counts[i] as number,
        counts[i + 1] as number,
        counts[i + 2] as number,
        counts[i + 3] as number,
      );
    for (const [id, sketch] of bucket.sketches) sink.addSketch(id, sketch);
  }
}

/** One whole bucket as the cache keeps it, and its fingerprint from the same rows. */
function readBucket(db: Db, resolution: number, start: number, sink: BucketSink): CachedBucket {
  const statement = db.prepare(
    "SELECT series, count, bytes_in, bytes_out, sketch FROM call_rollups WHERE resolution = ? AND bucket_start = ?",
  );
  statement.setReturnArrays(true);
  const rows = statement.all(resolution, start) as unknown as SqlValue[][];
  const counts: number[] = [];
  const sketches: Array<[number, Uint8Array]> = [];
  let sum = 0;
  let bytes = 64;
  for (const row of rows) {
    const id = Number(row[0]);
    const count = Number(row[1]);
    sum += count;
    if (sink.counted(id)) counts.push(id, count, Number(row[2]), Number(row[3]));
    else if (sink.sketched(id)) {
      const sketch = row[4] as Uint8Array;
      sketches.push([id, sketch]);
      bytes += sketch.byteLength + 48;
    }
  }
  bytes += counts.length * 8;
  return { sum, rows: rows.length, counts: Float64Array.from(counts), sketches, bytes };
}
