/**
 * Reading logs back: search (full text, level and above, server, session, time, paging back by id) and
 * "everything after id N" for live tails. Newest first for search, oldest first for tails.
 */
import { LOG_LEVELS, type LogLevel, levelRank } from "../../../shared/levels.js";
import type { LogRecord, LogSource, LogsQuery } from "../../../shared/logs.js";
import type { Db, Row, SqlValue } from "../store/db.js";
import { iso, parseTimeSpec, parseUntilSpec } from "../time.js";
import { indexedUpTo } from "./fts-index.js";
import { ftsQuery, likePattern } from "./fts-query.js";

export interface LogFilter {
  server?: string;
  /** This level and above. */
  level?: LogLevel;
  /** Full text (see fts-query.ts). */
  text?: string;
  session?: string;
}

const COLUMNS =
  "l.id, l.time, l.level, l.server, l.session_id, l.source, l.logger, l.message, l.fields, l.request_id";

/**
 * Rows are mostly committed within seconds of their time (wrappers flush every 100 ms and hold rows at
 * most while a lock lasts), so a time range maps to an id range with this much slack. That guess only
 * sizes the range: a row stored late, or under a clock that stepped back, sits at an id far from its
 * time's neighbours, so the bounds themselves come from the rows in the range (see `idRange`).
 */
const COMMIT_LAG_MS = 10 * 60_000;
/**
 * Up to this many rows (by the guess), the exact id bounds of a time range are read from the time index
 * (a few ms per 100,000 rows). A wider range is read too unless it is most of the table, where bounds
 * save nothing: a week of a ten-million-row table still spares the index walk the other nine million.
 */
const EXACT_BOUNDS_ROWS = 300_000;
/** The share of the table's ids past which a wide range is walked without bounds. */
const MOST_OF_TABLE = 0.5;

const str = (v: SqlValue | undefined): string | null => (v === null || v === undefined ? null : String(v));

function parseFields(text: string | null): Record<string, unknown> | null {
  if (text === null) return null;
  try {
    const value = JSON.parse(text) as unknown;
    if (value && typeof value === "object" && !Array.isArray(value)) return value as Record<string, unknown>;
    return { value };
  } catch {
    return { _raw: text }; // truncated at the capture limit
  }
}

export function toLogRecord(row: Row): LogRecord {
  return {
    id: Number(row.id),
    time: iso(Number(row.time)),
    level: row.level as LogLevel,
    server: String(row.server),
    session: str(row.session_id),
    source: row.source as LogSource,
    logger: str(row.logger),
    message: String(row.message),
    fields: parseFields(str(row.fields)),
    requestId: str(row.request_id),
  };
}

export function levelsFrom(level: LogLevel): LogLevel[] {
  return LOG_LEVELS.filter((l) => levelRank(l) >= levelRank(level));
}

interface Clauses {
  where: string[];
  params: SqlValue[];
  /** The FTS5 expression when the text is indexable. */
  match: string | null;
}

function clauses(filter: LogFilter): Clauses {
  const where: string[] = [];
  const params: SqlValue[] = [];
  if (filter.server) {
    where.push("l.server = ?");
    params.push(filter.server);
  }
  if (filter.level && filter.level !== "debug") {
    const levels = levelsFrom(filter.level);
    where.push(`l.level IN (${levels.map(() => "?").join(", ")})`);
    params.push(...levels);
  }
  if (filter.session) {
    where.push("l.session_id = ?");
    params.push(filter.session);
  }
  let match: string | null = null;
  if (filter.text?.trim()) {
    match = ftsQuery(filter.text);
    if (!match) {
      where.push("l.message LIKE ? ESCAPE '\\'");
      params.push(likePattern(filter.text));
    }
  }
  return { where, params, match };
}

/**
 * Lowest and highest ids of the rows in [since, until], for the full-text index to walk between; nulls
 * when the range is wide (then only the time filter on the joined rows bounds it). An empty range gives
 * an empty id range.
 */
function idRange(db: Db, since?: number, until?: number): { lo: number | null; hi: number | null } {
  if (since === undefined && until === undefined) return { lo: null, hi: null };
  const guessLo =
    since === undefined
      ? 0
      : Number(
          db
            .prepare("SELECT id FROM logs WHERE time < ? ORDER BY time DESC LIMIT 1")
            .get(since - COMMIT_LAG_MS)?.id ?? 0,
        );
  const after =
    until === undefined
      ? undefined
      : db.prepare("SELECT id FROM logs WHERE time > ? ORDER BY time LIMIT 1").get(until + COMMIT_LAG_MS)?.id;
  const guessHi =
    after === undefined || after === null
      ? Number(db.prepare("SELECT max(id) AS id FROM logs").get()?.id ?? 0)
      : Number(after);
  if (guessHi - guessLo > EXACT_BOUNDS_ROWS) {
    const table = db.prepare("SELECT min(id) AS first, max(id) AS last FROM logs").get();
    const tableSpan = Number(table?.last ?? 0) - Number(table?.first ?? 0);
    if (guessHi - guessLo > tableSpan * MOST_OF_TABLE) return { lo: null, hi: null };
  }
  const exact = db
    .prepare("SELECT min(id) AS lo, max(id) AS hi FROM logs WHERE time >= ? AND time <= ?")
    .get(since ?? Number.MIN_SAFE_INTEGER, until ?? Number.MAX_SAFE_INTEGER);
  if (exact?.lo === null || exact?.lo === undefined) return { lo: 1, hi: 0 };
  return { lo: Number(exact.lo), hi: Number(exact.hi) };
}

/**
 * Records matching the query, newest first. With text, the full-text index drives the query backwards by
 * id (its natural order), bounded by the id range the time range maps to. Without text, the time and
 * server+time indexes drive it backwards by time, so no sort is needed however many rows match; paging
 * continues from the `beforeId` record's (time, id).
 */
export function searchLogs(db: Db, query: LogsQuery, now = Date.now()): LogRecord[] {
  const since = query.since ? parseTimeSpec(query.since, now) : undefined;
  const until = query.until ? parseUntilSpec(query.until, now) : undefined;
  const { where, params, match } = clauses(query);
  if (since !== undefined) {
    where.push("l.time >= ?");
    params.push(since);
  }
  if (until !== undefined) {
    where.push("l.time <= ?");
    params.push(until);
  }
  const limit = query.limit ?? 100;
  if (match) {
    const { lo, hi } = idRange(db, since, until);
    if (lo !== null) {
      where.push("f.rowid >= ?");
      params.push(lo);
    }
    if (hi !== null) {
      where.push("f.rowid <= ?");
      params.push(hi);
    }
    if (query.beforeId) {
      where.push("f.rowid < ?");
      params.push(query.beforeId);
    }
    const sql = `SELECT ${COLUMNS} FROM logs_fts f JOIN logs l ON l.id = f.rowid
       WHERE logs_fts MATCH ? AND ${where.length ? where.join(" AND ") : "1"} ORDER BY f.rowid DESC LIMIT ?`;
    return db
      .prepare(sql)
      .all(match, ...params, limit)
      .map(toLogRecord);
  }
  if (query.beforeId) {
    const before = db.prepare("SELECT time FROM logs WHERE id = ?").get(query.beforeId);
    if (before) {
      where.push("l.time <= ? AND (l.time < ? OR l.id < ?)");
      params.push(Number(before.time), Number(before.time), query.beforeId);
    } else {
      where.push("l.id < ?");
      params.push(query.beforeId);
    }
  }
  const sql = `SELECT ${COLUMNS} FROM logs l ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
     ORDER BY l.time DESC, l.id DESC LIMIT ?`;
  return db
    .prepare(sql)
    .all(...params, limit)
    .map(toLogRecord);
}

/**
 * Records stored after `afterId` (and up to `upTo`) that match `filter`, oldest first: the live tail's
 * source. A tail with a filter should pass `upTo` = lastLogId() read before, and continue from it when
 * fewer than `limit` came back, so it does not scan the same non-matching records again.
 */
export function logsAfter(
  db: Db,
  afterId: number,
  filter: LogFilter = {},
  limit = 500,
  upTo?: number,
): LogRecord[] {
  const { where, params, match } = clauses(filter);
  const idColumn = match ? "f.rowid" : "l.id";
  where.push(`${idColumn} > ?`);
  params.push(afterId);
  // Records not in the full-text index yet cannot match text: stop before them, not past them.
  const last = match ? Math.min(upTo ?? Number.MAX_SAFE_INTEGER, indexedUpTo(db)) : upTo;
  if (last !== undefined) {
    where.push(`${idColumn} <= ?`);
    params.push(last);
  }
  const sql = match
    ? `SELECT ${COLUMNS} FROM logs_fts f JOIN logs l ON l.id = f.rowid
       WHERE logs_fts MATCH ? AND ${where.join(" AND ")} ORDER BY f.rowid ASC LIMIT ?`
    : `SELECT ${COLUMNS} FROM logs l WHERE ${where.join(" AND ")} ORDER BY l.id ASC LIMIT ?`;
  return db
    .prepare(sql)
    .all(...(match ? [match, ...params, limit] : [...params, limit]))
    .map(toLogRecord);
}

export function lastLogId(db: Db): number {
  return Number(db.prepare("SELECT max(id) AS id FROM logs").get()?.id ?? 0);
}
