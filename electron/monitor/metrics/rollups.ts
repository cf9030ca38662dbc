/**
 * Call rollups: one row per (resolution, bucket, series) with the count, bytes and a DDSketch of latency,
 * where a series is one (server, method, target, outcome) (tables `rollup_series` and `call_rollups`,
 * migrations 3 and 5). Rows hold no strings and the table is WITHOUT ROWID, so a time range of one
 * resolution is read from contiguous pages. Folding reads the calls stored after a high-water mark kept
 * in the database, adds each to its minute, hour and day row, and advances the mark, all in one IMMEDIATE
 * transaction: two engines folding at once serialise on the write lock, and the second sees the mark the
 * first advanced, so no call is counted twice or missed.
 */
import type { Db, Row, SqlValue, Statement } from "../store/db.js";
import { DDSketch } from "./ddsketch.js";

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;
/** Bucket widths in ms, finest first. Buckets are aligned to UTC. */
export const RESOLUTIONS = [MINUTE, HOUR, DAY] as const;

/** Keys of `metrics_state`. */
export const STATE = {
  /** The highest calls.id folded into rollups. */
  folded: "rollup_hwm",
  /** Raw calls (folded ones) are complete from this time on; older ones were deleted. */
  rawFrom: "raw_complete_from",
  minutesFrom: "minutes_complete_from",
  hoursFrom: "hours_complete_from",
  /** Buckets from this time on hold every call in their server summaries (see `SUMMARY_METHOD`). */
  summariesFrom: "summaries_complete_from",
  /** Buckets from this time on hold every call in the all-servers and operation summaries too. */
  totalsFrom: "totals_complete_from",
  /**
   * A new random value whenever rollup rows are deleted (retention, the size cap): a cache of merged
   * buckets read at the old value is dropped (metrics/bucket-cache.ts).
   */
  generation: "rollups_generation",
} as const;

/**
 * The method of a server's summary series: every call of the server, whatever its operation, in two
 * series by outcome (`ok`, and `error` for all others). Charts of a server or of everything read these,
 * a few rows per bucket, instead of a row per operation and outcome. Readers of operations skip them.
 */
export const SUMMARY_METHOD = "*";
export const SUMMARY_FAILED = "error";
/**
 * The server of the all-servers summary series: the server summaries of every server merged, two rows per
 * bucket (`ok`, `error`) for the Overview's chart however many servers there are.
 */
export const ALL_SERVERS = "*";
/**
 * The outcome of an operation's summary series: every call of one (server, method, target) whatever its
 * outcome, so that its latency over a range merges one sketch per bucket instead of one per outcome.
 */
export const ANY_OUTCOME = "*";

/** Whether a series is one of the summaries (server, all-servers or operation), not an (operation, outcome). */
export function isSummary(method: string, outcome: string): boolean {
  return method === SUMMARY_METHOD || outcome === ANY_OUTCOME;
}

const TARGETED = new Set(["tools/call", "prompts/get", "resources/read"]);

/** An operation's target: the tool, prompt or resource for the three methods that have one, else null. */
export function operationTarget(method: string, target: string | null): string | null {
  return TARGETED.has(method) ? target : null;
}

export function bucketStart(time: number, resolution: number): number {
  return Math.floor(time / resolution) * resolution;
}

export function readState(db: Db, key: string, fallback = 0): number {
  const row = db.prepare("SELECT value FROM metrics_state WHERE key = ?").get(key);
  return row ? Number(row.value) : fallback;
}

/** Marks every cached bucket of every connection stale; call in the transaction that deletes rollups. */
export function renewRollupGeneration(db: Db): void {
  writeState(db, STATE.generation, Math.floor(Math.random() * 2 ** 48) + 1);
}

export function writeState(db: Db, key: string, value: number): void {
  db.prepare(
    "INSERT INTO metrics_state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
  ).run(key, value);
}

interface Group {
  resolution: number;
  start: number;
  server: string;
  method: string;
  /** '' when the operation has no target (the unique index needs a non-null value). */
  target: string;
  outcome: string;
  count: number;
  bytesIn: number;
  bytesOut: number;
  sketch: DDSketch;
  /** The latest call's start (kept per series, so retention can forget series with no rows left). */
  lastSeen: number;
}

export interface FoldResult {
  /** Calls folded by this transaction. */
  folded: number;
  /** The high-water mark after it. */
  highWater: number;
}

type Statements = Record<"calls" | "series" | "newSeries" | "seen" | "seriesPrint" | "upsert", Statement>;
const statements = new WeakMap<Db, Statements>();

/** The SQL function that merges two encoded sketches (registered on each folding connection). */
const MERGE_FUNCTION = "mcpscope_sketch_merge";

function mergeSketches(stored: SqlValue, added: SqlValue): SqlValue {
  return DDSketch.mergeBoth(stored as Uint8Array, added as Uint8Array);
}

function prepared(db: Db): Statements {
  let s = statements.get(db);
  if (!s) {
    db.defineFunction(MERGE_FUNCTION, mergeSketches);
    s = {
      calls: db.prepare(
        `SELECT id, server, method, target, outcome, started_at, duration_ms, bytes_in, bytes_out
         FROM calls WHERE id > ? ORDER BY id LIMIT ?`,
      ),
      series: db.prepare(
        "SELECT id FROM rollup_series WHERE server = ? AND method = ? AND target = ? AND outcome = ?",
      ),
      newSeries: db.prepare(
        "INSERT INTO rollup_series (server, method, target, outcome, last_seen) VALUES (?, ?, ?, ?, ?)",
      ),
      seen: db.prepare("UPDATE rollup_series SET last_seen = max(last_seen, ?) WHERE id = ?"),
      seriesPrint: db.prepare("SELECT count(*) AS n, max(id) AS top FROM rollup_series"),
      // One statement per row: a new row, or the stored one with the group added (its sketch merged by
      // the registered function, inside SQLite's own read of the row).
      upsert: db.prepare(
        `INSERT INTO call_rollups (resolution, bucket_start, series, count, bytes_in, bytes_out, sketch)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (resolution, bucket_start, series) DO UPDATE SET count = count + excluded.count,
         bytes_in = bytes_in + excluded.bytes_in, bytes_out = bytes_out + excluded.bytes_out,
         sketch = ${MERGE_FUNCTION}(sketch, excluded.sketch)`,
      ),
    };
    statements.set(db, s);
  }
  return s;
}

/**
 * Series ids a connection has looked up, kept across its fold transactions while the series table has the
 * same number of rows and the same highest id: retention deleting series, or another engine adding some,
 * changes that, and the ids are looked up again.
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
  return `${row?.n}:${row?.top}`;
}

/**
 * Folds up to `maxCalls` calls stored after the high-water mark, in one transaction. Keep `maxCalls`
 * modest: wrappers wait for the write lock while it runs.
 */
export function foldOnce(db: Db, maxCalls = 1000): FoldResult {
  try {
    return db.transaction(() => foldRows(db, maxCalls));
  } catch (error) {
    // Ids of series the rolled-back transaction added are not in the table.
    seriesIds.delete(db);
    throw error;
  }
}

function foldRows(db: Db, maxCalls: number): FoldResult {
  const s = prepared(db);
  const from = readState(db, STATE.folded);
  const rows = s.calls.all(from, maxCalls);
  if (rows.length === 0) return { folded: 0, highWater: from };
  // Summaries added by a later version start after what is folded already (see summariesStart).
  for (const key of [STATE.summariesFrom, STATE.totalsFrom])
    if (readState(db, key, -1) === -1) writeState(db, key, summariesStart(db));
  const groups = groupCalls(rows);
  let known = seriesIds.get(db);
  const print = seriesPrint(s);
  if (!known || known.print !== print) {
    known = { ids: new Map(), print, seen: new Map() };
    seriesIds.set(db, known);
  }
  const ids = known.ids;
  let added = false;
  const lastSeen = new Map<number, number>();
  for (const g of groups) {
    const name = `${g.server}\u0000${g.method}\u0000${g.target}\u0000${g.outcome}`;
    let id = ids.get(name);
    if (id === undefined) {
      const found = s.series.get(g.server, g.method, g.target, g.outcome);
      added ||= !found;
      id = found
        ? Number(found.id)
        : Number(s.newSeries.run(g.server, g.method, g.target, g.outcome, g.lastSeen).lastInsertRowid);
      ids.set(name, id);
    }
    lastSeen.set(id, Math.max(lastSeen.get(id) ?? 0, g.lastSeen));
    s.upsert.run(g.resolution, g.start, id, g.count, g.bytesIn, g.bytesOut, g.sketch.encode());
  }
  if (added) known.print = seriesPrint(s);
  // A minute's precision is plenty for what reads it (retention, tools seen in the last days).
  for (const [id, time] of lastSeen) {
    if (time - (known.seen.get(id) ?? Number.NEGATIVE_INFINITY) < MINUTE) continue;
    s.seen.run(time, id);
    known.seen.set(id, time);
  }
  const highWater = Number(rows[rows.length - 1]?.id ?? from);
  writeState(db, STATE.folded, highWater);
  return { folded: rows.length, highWater };
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

/**
 * The batch's calls grouped by operation series and bucket, then the summary groups merged from those (one
 * sketch merge per group, not one more sketch add per call): per operation (any outcome), per server (ok
 * or error), and for all servers (ok or error, merged from the servers').
 */
function groupCalls(rows: Row[]): Group[] {
  // Per operation series, its groups per resolution by bucket start: a batch in time order mostly adds to
  // the group it added to last, found without building a key per call and resolution.
  const series = new Map<string, { last: Group[]; all: Map<number, Group>[] }>();
  const groups: Group[] = [];
  for (const row of rows) {
    const server = String(row.server);
    const method = String(row.method);
    const target = operationTarget(method, row.target === null ? null : String(row.target)) ?? "";
    const outcome = String(row.outcome);
    const name = `${server}\u0000${method}\u0000${target}\u0000${outcome}`;
    let entry = series.get(name);
    if (!entry) {
      entry = { last: [], all: RESOLUTIONS.map(() => new Map()) };
      series.set(name, entry);
    }
    const time = Number(row.started_at);
    const duration = Number(row.duration_ms);
    const bytesIn = Number(row.bytes_in);
    const bytesOut = Number(row.bytes_out);
    for (let r = 0; r < RESOLUTIONS.length; r++) {
      const resolution = RESOLUTIONS[r] as number;
      const start = bucketStart(time, resolution);
      let g = entry.last[r];
      if (!g || g.start !== start) {
        const all = entry.all[r] as Map<number, Group>;
        let found = all.get(start);
        if (!found) {
          found = newGroup(resolution, start, server, method, target, outcome, time);
          all.set(start, found);
          groups.push(found);
        }
        entry.last[r] = found;
        g = found;
      }
      g.count++;
      g.bytesIn += bytesIn;
      g.bytesOut += bytesOut;
      g.sketch.add(duration);
      if (time > g.lastSeen) g.lastSeen = time;
    }
  }
  const operations = new Map<string, Group>();
  const servers = new Map<string, Group>();
  for (const g of groups) {
    const outcome = g.outcome === "ok" ? "ok" : SUMMARY_FAILED;
    const at = `${g.resolution}\u0000${g.start}\u0000${g.server}`;
    addTo(operations, `${at}\u0000${g.method}\u0000${g.target}`, g, g.method, g.target, ANY_OUTCOME);
    addTo(servers, `${at}\u0000${outcome}`, g, SUMMARY_METHOD, "", outcome);
  }
  const everything = new Map<string, Group>();
  for (const g of servers.values())
    addTo(
      everything,
      `${g.resolution}\u0000${g.start}\u0000${g.outcome}`,
      { ...g, server: ALL_SERVERS },
      SUMMARY_METHOD,
      "",
      g.outcome,
    );
  return [...groups, ...operations.values(), ...servers.values(), ...everything.values()];
}

/** Adds group `g` to the summary group `key` of `into` (method, target and outcome as given). */
function addTo(
  into: Map<string, Group>,
  key: string,
  g: Group,
  method: string,
  target: string,
  outcome: string,
): void {
  let sum = into.get(key);
  if (!sum) {
    sum = newGroup(g.resolution, g.start, g.server, method, target, outcome, g.lastSeen);
    into.set(key, sum);
  }
  sum.count += g.count;
  sum.bytesIn += g.bytesIn;
  sum.bytesOut += g.bytesOut;
  sum.sketch.merge(g.sketch);
  if (g.lastSeen > sum.lastSeen) sum.lastSeen = g.lastSeen;
}

function newGroup(
  resolution: number,
  start: number,
  server: string,
  method: string,
  target: string,
  outcome: string,
  time: number,
): Group {
  return {
    resolution,
    start,
    server,
    method,
    target,
    outcome,
    count: 0,
    bytesIn: 0,
    bytesOut: 0,
    sketch: new DDSketch(),
    lastSeen: time,
  };
}
