/**
 * The part of a fold that needs no write lock: the calls stored after the high-water mark, read once in id
 * order, grouped in memory into the minute, hour and day rows of their series and of the summaries, with
 * every row's sketch already encoded. `fold.ts` merges them with the stored rows and writes them, after
 * checking that no other folder moved the mark since this batch read it.
 */
import { isServed, SERVED_DIRECTION } from "../../../shared/outcomes.js";
import type { Db, SqlValue, Statement } from "../store/db.js";
import { ENDED_WHERE } from "../store/task-columns.js";
import { DDSketch } from "./ddsketch.js";
import {
  ALL_SERVERS,
  ANY_OUTCOME,
  bucketStart,
  DAY,
  HOUR,
  MINUTE,
  operationTarget,
  SUMMARY_METHOD,
  summaryOutcome,
} from "./rollups.js";

/** One rollup row's addition: its bucket, series name, count, bytes and encoded sketch. */
export interface RowDelta {
  resolution: number;
  start: number;
  server: string;
  /** Who sent the requests: only `SERVED_DIRECTION` series are folded into the server summaries. */
  direction: string;
  method: string;
  /** '' when the operation has no target (the unique index needs a non-null value). */
  target: string;
  outcome: string;
  count: number;
  bytesIn: number;
  bytesOut: number;
  sketch: Uint8Array;
  /** The latest call's start (kept per series, so retention can forget series with no rows left). */
  lastSeen: number;
}

export interface FoldBatch {
  /** The high-water mark the calls were read after. */
  from: number;
  /** The highest id read (the mark once written). */
  through: number;
  calls: number;
  rows: RowDelta[];
}

/** A row being summed: a sketch while calls are added, encoded when the batch is complete. */
type Group = Omit<RowDelta, "sketch"> & { sketch: DDSketch };

/** An operation series' minutes, in the order the batch met them. */
interface Series {
  last: Group | null;
  minutes: Map<number, Group>;
}

const reads = new WeakMap<Db, Statement>();

function callsAfter(db: Db): Statement {
  let s = reads.get(db);
  if (!s) {
    s = db.prepare(
      `SELECT id, server, method, target, outcome, started_at, duration_ms, bytes_in, bytes_out, direction
       FROM calls WHERE id > ? AND ${ENDED_WHERE} ORDER BY id LIMIT ?`,
    );
    // Arrays, not an object per row: the read is most of a batch's cost that is per call.
    s.setReturnArrays(true);
    reads.set(db, s);
  }
  return s;
}

/** Reads up to `maxCalls` calls after `from` and groups them; null when there are none. */
export function readFoldBatch(db: Db, from: number, maxCalls: number): FoldBatch | null {
  const rows = callsAfter(db).all(from, maxCalls) as unknown as SqlValue[][];
  if (rows.length === 0) return null;
  const minutes = groupMinutes(rows);
  return {
    from,
    through: Number(rows[rows.length - 1]?.[0]),
    calls: rows.length,
    rows: withSummaries(minutes).map(encoded),
  };
}

/**
 * The rollup rows one call is counted in (its series' minute, hour and day, and their summaries), as a
 * fold adds it: what a correction of that call takes back from them. `row` has the columns the fold reads.
 */
export function rowsOfCall(row: SqlValue[]): RowDelta[] {
  return withSummaries(groupMinutes([row])).map(encoded);
}

/**
 * Each call is added to its series' minute only (one sketch add per call); hours and days are merged from
 * those minutes below, a merge per minute group instead of two more adds per call.
 */
function groupMinutes(rows: SqlValue[][]): Group[] {
  const series = new Map<string, Series>();
  const groups: Group[] = [];
  for (const row of rows) {
    const server = row[1] as string;
    const method = row[2] as string;
    const target = operationTarget(method, row[3] === null ? null : String(row[3])) ?? "";
    const outcome = row[4] as string;
    const direction = row[9] as string;
    const name = `${server}\u0000${direction}\u0000${method}\u0000${target}\u0000${outcome}`;
    let entry = series.get(name);
    if (!entry) {
      entry = { last: null, minutes: new Map() };
      series.set(name, entry);
    }
    const time = Number(row[5]);
    const start = bucketStart(time, MINUTE);
    let g = entry.last;
    if (!g || g.start !== start) {
      g = entry.minutes.get(start) ?? null;
      if (!g) {
        g = newGroup(MINUTE, start, server, direction, method, target, outcome, time);
        entry.minutes.set(start, g);
        groups.push(g);
      }
      entry.last = g;
    }
    g.count++;
    g.bytesIn += Number(row[7]);
    g.bytesOut += Number(row[8]);
    g.sketch.add(Number(row[6]));
    if (time > g.lastSeen) g.lastSeen = time;
  }
  return groups;
}

/**
 * The operation series' minutes, hours and days, then the summaries merged from those (one sketch merge
 * per group, not one more sketch add per call): per operation (any outcome), per server (ok or error),
 * and for all servers (ok or error, merged from the servers').
 */
function withSummaries(minutes: Group[]): Group[] {
  const groups = [...minutes];
  for (const resolution of [HOUR, DAY]) {
    const wider = new Map<string, Group>();
    for (const g of minutes) {
      const start = bucketStart(g.start, resolution);
      const key = `${start}\u0000${g.server}\u0000${g.direction}\u0000${g.method}\u0000${g.target}\u0000${g.outcome}`;
      addTo(wider, key, g, resolution, start, g.server, g.direction, g.method, g.target, g.outcome);
    }
    groups.push(...wider.values());
  }
  const operations = new Map<string, Group>();
  const servers = new Map<string, Group>();
  for (const g of groups) {
    const outcome = summaryOutcome(g.outcome);
    const at = `${g.resolution}\u0000${g.start}\u0000${g.server}`;
    addTo(
      operations,
      `${at}\u0000${g.direction}\u0000${g.method}\u0000${g.target}`,
      g,
      g.resolution,
      g.start,
      g.server,
      g.direction,
      g.method,
      g.target,
      ANY_OUTCOME,
    );
    // A server's figures are the requests it served: the ones it sent its client stay out of them.
    if (!isServed(g.direction)) continue;
    addTo(
      servers,
      `${at}\u0000${outcome}`,
      g,
      g.resolution,
      g.start,
      g.server,
      SERVED_DIRECTION,
      SUMMARY_METHOD,
      "",
      outcome,
    );
  }
  const everything = new Map<string, Group>();
  for (const g of servers.values())
    addTo(
      everything,
      `${g.resolution}\u0000${g.start}\u0000${g.outcome}`,
      g,
      g.resolution,
      g.start,
      ALL_SERVERS,
      SERVED_DIRECTION,
      SUMMARY_METHOD,
      "",
      g.outcome,
    );
  groups.push(...operations.values(), ...servers.values(), ...everything.values());
  return groups;
}

/** Adds group `g` to the group `key` of `into` (created with the bucket and series given). */
function addTo(
  into: Map<string, Group>,
  key: string,
  g: Group,
  resolution: number,
  start: number,
  server: string,
  direction: string,
  method: string,
  target: string,
  outcome: string,
): void {
  let sum = into.get(key);
  if (!sum) {
    sum = newGroup(resolution, start, server, direction, method, target, outcome, g.lastSeen);
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
  direction: string,
  method: string,
  target: string,
  outcome: string,
  time: number,
): Group {
  return {
    resolution,
    start,
    server,
    direction,
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

function encoded(g: Group): RowDelta {
  return { ...g, sketch: g.sketch.encode() };
}
