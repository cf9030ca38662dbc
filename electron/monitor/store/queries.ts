/** Read queries over the store, shaped as the shared API's types. */
import type { CallsQuery } from "../../../shared/api.js";
import {
  ANSWERED_OUTCOMES,
  type CallDetail,
  type CallSummary,
  type Outcome,
  REFUSED_HTTP_STATUSES,
  RUNNING_FILTER,
  type ServerSummary,
} from "../../../shared/domain.js";
import { ACTIVE_WINDOW_MS, RECENT_ANSWERED_CAP } from "../../../shared/servers.js";
import { isRunningTask } from "../../../shared/tasks.js";
import { ANY_OUTCOME, DAY, readState, STATE, SUMMARY_METHOD } from "../metrics/rollups.js";
import { iso, parseTimeSpec, parseUntilSpec } from "../time.js";
import { type Db, inSnapshot, type Row, type SqlValue } from "./db.js";
import { ENTRY_SESSION, type EntrySessions, entryParams } from "./entry-sessions.js";
import { keysetBefore } from "./keyset.js";
import { decodePayload } from "./payload-codec.js";
import { SERVED_WHERE } from "./served.js";
import { CALL_CLIENT_COLUMNS, CALL_CLIENT_JOIN } from "./session-clients.js";
import { ENDED_WHERE, RUNNING_WHERE, readTask, readTaskUpdates } from "./task-columns.js";

const CALLS_KEYSET = { table: "calls", timeColumn: "started_at", alias: "c", noun: "call" };

export interface TimeRange {
  since: number;
  until: number;
}

export function resolveRange(
  since: string | undefined,
  until: string | undefined,
  defaultSince: string,
  now = Date.now(),
): TimeRange {
  return {
    since: parseTimeSpec(since ?? defaultSince, now),
    until: until ? parseUntilSpec(until, now) : now,
  };
}

const str = (v: SqlValue | undefined): string | null => (v === null || v === undefined ? null : String(v));
const num = (v: SqlValue | undefined): number => (v === null || v === undefined ? 0 : Number(v));

function toSummary(row: Row): CallSummary {
  const task = readTask(row);
  return {
    id: num(row.id),
    server: String(row.server),
    sessionId: String(row.session_id),
    direction: row.direction === "s2c" ? "s2c" : "c2s",
    requestId: String(row.request_id),
    method: String(row.method),
    target: str(row.target),
    outcome: task !== null && isRunningTask(task.state) ? null : (row.outcome as Outcome),
    startedAt: iso(num(row.started_at)),
    durationMs: Math.round(num(row.duration_ms) * 1000) / 1000,
    errorCode: row.error_code === null ? null : num(row.error_code),
    errorMessage: str(row.error_message),
    bytesIn: num(row.bytes_in),
    bytesOut: num(row.bytes_out),
    rounds: num(row.rounds),
    progressCount: num(row.progress_count),
    task,
  };
}

const SUMMARY_COLUMNS =
  "id, server, session_id, direction, request_id, method, target, outcome, started_at, duration_ms, error_code, error_message, bytes_in, bytes_out, rounds, progress_count, task_id, task_state";

/** The WHERE clause of a calls query, for columns of the `calls` table aliased as `c`. */
function callFilters(db: Db, query: CallsQuery, now: number): { where: string; params: SqlValue[] } {
  const where: string[] = [];
  const params: SqlValue[] = [];
  const running = query.outcome === RUNNING_FILTER;
  if (query.since) {
    where.push("c.started_at >= ?");
    params.push(parseTimeSpec(query.since, now));
  }
  if (query.until) {
    where.push("c.started_at <= ?");
    params.push(parseUntilSpec(query.until, now));
  }
  if (query.server) {
    // The calls still running are a handful, found by their own index (calls_running): the server's index
    // would read every call of the server for them.
    where.push(running ? "+c.server = ?" : "c.server = ?");
    params.push(query.server);
  }
  if (query.tool) {
    where.push("c.method = 'tools/call' AND c.target = ?");
    params.push(query.tool);
  }
  if (query.method) {
    where.push("c.method = ?");
    params.push(query.method);
  }
  if (running) {
    where.push(`c.${RUNNING_WHERE}`);
  } else if (query.outcome) {
    where.push(`c.outcome = ? AND ${ENDED_WHERE}`);
    params.push(query.outcome);
  }
  if (query.beforeId) {
    const before = keysetBefore(db, CALLS_KEYSET, query.beforeId, query.beforeTime);
    where.push(before.where);
    params.push(...before.params);
  }
  params.push(query.limit ?? 50);
  return { where: where.length ? `WHERE ${where.join(" AND ")}` : "", params };
}

export function listCalls(db: Db, query: CallsQuery, now = Date.now()): CallSummary[] {
  const { where, params } = callFilters(db, query, now);
  return db
    .prepare(`SELECT ${SUMMARY_COLUMNS} FROM calls c ${where} ORDER BY c.started_at DESC, c.id DESC LIMIT ?`)
    .all(...params)
    .map(toSummary);
}

/** A server's newest calls from the sessions one entry counts. */
export function listClientCalls(db: Db, entry: EntrySessions, limit: number): CallSummary[] {
  const columns = SUMMARY_COLUMNS.split(", ")
    .map((column) => `c.${column}`)
    .join(", ");
  return db
    .prepare(
      `SELECT ${columns} FROM calls c JOIN sessions s ON s.id = c.session_id
       WHERE c.server = ? AND ${ENTRY_SESSION} ORDER BY c.started_at DESC, c.id DESC LIMIT ?`,
    )
    .all(entry.name, ...entryParams(entry), limit)
    .map(toSummary);
}

const DETAIL_SELECT = `SELECT c.*, ${CALL_CLIENT_COLUMNS}, s.server_name,
  s.server_version, s.client
  FROM calls c LEFT JOIN sessions s ON s.id = c.session_id ${CALL_CLIENT_JOIN}`;

/** Calls with their payloads and session facts, newest first, in one query. */
export function listCallDetails(db: Db, query: CallsQuery, now = Date.now()): CallDetail[] {
  const { where, params } = callFilters(db, query, now);
  return db
    .prepare(`${DETAIL_SELECT} ${where} ORDER BY c.started_at DESC, c.id DESC LIMIT ?`)
    .all(...params)
    .map(toDetail);
}

/** Calls stored after `afterId`, oldest first: the live stream's source. */
export function callsAfter(db: Db, afterId: number, limit = 500): CallSummary[] {
  return db
    .prepare(`SELECT ${SUMMARY_COLUMNS} FROM calls WHERE id > ? ORDER BY id ASC LIMIT ?`)
    .all(afterId, limit)
    .map(toSummary);
}

/**
 * The newest `limit` calls still running (their task works), in id order: a handful, read by their own
 * partial index (calls_running).
 */
export function runningCalls(db: Db, limit: number): CallSummary[] {
  return db
    .prepare(
      `SELECT ${SUMMARY_COLUMNS} FROM calls WHERE ${RUNNING_WHERE} ORDER BY started_at DESC, id DESC LIMIT ?`,
    )
    .all(limit)
    .map(toSummary)
    .sort((a, b) => a.id - b.id);
}

/** The calls with these ids (those still stored), in id order. */
export function callsByIds(db: Db, ids: readonly number[]): CallSummary[] {
  if (ids.length === 0) return [];
  return db
    .prepare(
      `SELECT ${SUMMARY_COLUMNS} FROM calls WHERE id IN (${ids.map(() => "?").join(", ")}) ORDER BY id`,
    )
    .all(...ids)
    .map(toSummary);
}

export function lastCallId(db: Db): number {
  return num(db.prepare("SELECT max(id) AS id FROM calls").get()?.id);
}

export function getCall(db: Db, id: number): CallDetail | null {
  const row = db.prepare(`${DETAIL_SELECT} WHERE c.id = ?`).get(id);
  return row ? toDetail(row) : null;
}

function toDetail(row: Row): CallDetail {
  return {
    ...toSummary(row),
    request: decodePayload(row.request),
    response: decodePayload(row.response),
    protocolVersion: str(row.protocol_version),
    clientName: str(row.client_name),
    clientVersion: str(row.client_version),
    serverName: str(row.server_name),
    serverVersion: str(row.server_version),
    client: str(row.client),
    httpStatus: row.http_status === null || row.http_status === undefined ? null : num(row.http_status),
    taskUpdates: readTaskUpdates(row.task_updates).map((u) => ({ ...u, at: iso(u.at) })),
  };
}

const ANSWERED_SQL = ANSWERED_OUTCOMES.map((o) => `'${o}'`).join(", ");
const REFUSED_SQL = REFUSED_HTTP_STATUSES.join(", ");
/** A client→server call the server answered: not the proxy's own failures, not refused (401/403). */
const ANSWERED_WHERE = `${SERVED_WHERE} AND outcome IN (${ANSWERED_SQL}) AND coalesce(http_status, 0) NOT IN (${REFUSED_SQL})`;

/**
 * Client→server calls a server answered since a time, counted up to RECENT_ANSWERED_CAP + 1 (over the cap:
 * "more than"). Read from calls_server_time, so the cost is bounded by the cap, not by the traffic's rate.
 */
export function answeredSince(db: Db): (server: string, sinceMs: number) => number {
  const statement = db.prepare(
    `SELECT count(*) AS n FROM (SELECT 1 FROM calls INDEXED BY calls_server_time
       WHERE server = ? AND started_at >= ? AND ${ANSWERED_WHERE} LIMIT ?)`,
  );
  return (server, sinceMs) => Number(statement.get(server, sinceMs, RECENT_ANSWERED_CAP + 1)?.n ?? 0);
}

/**
 * The start of the newest call a server answered since a time (null: none), as answeredSince counts them.
 * Read newest first from calls_server_time: the cost is the unanswered calls after it, within the window.
 */
export function lastAnsweredSince(db: Db): (server: string, sinceMs: number) => number | null {
  const statement = db.prepare(
    `SELECT started_at AS t FROM calls INDEXED BY calls_server_time
       WHERE server = ? AND started_at >= ? AND ${ANSWERED_WHERE} ORDER BY started_at DESC LIMIT 1`,
  );
  return (server, sinceMs) => {
    const t = statement.get(server, sinceMs)?.t;
    return t === null || t === undefined ? null : Number(t);
  };
}

/**
 * The same three reads of a server's calls, restricted to the sessions one entry counts. The newest call
 * starts from the entry's sessions (sessions_server, then calls_session), so an entry idle for long costs
 * its sessions, not a walk over the name's other calls. The answered calls since a time are walked newest
 * first from calls_server_time, each call's session looked up by key: the cost is the other entries'
 * recent calls, so the inventory uses these only for a name more than one entry records under.
 */
export function clientCallReads(db: Db): {
  lastCall(entry: EntrySessions): number | null;
  answeredSince(entry: EntrySessions, sinceMs: number): number;
  lastAnsweredSince(entry: EntrySessions, sinceMs: number): number | null;
} {
  const from = "FROM calls c INDEXED BY calls_server_time JOIN sessions s ON s.id = c.session_id";
  const last = db.prepare(
    `SELECT max(c.started_at) AS t FROM sessions s INDEXED BY sessions_server
       JOIN calls c INDEXED BY calls_session ON c.session_id = s.id WHERE s.server = ? AND ${ENTRY_SESSION}`,
  );
  const count = db.prepare(
    `SELECT count(*) AS n FROM (SELECT 1 ${from}
       WHERE c.server = ? AND ${ENTRY_SESSION} AND c.started_at >= ? AND ${ANSWERED_WHERE} LIMIT ?)`,
  );
  const lastAnswered = db.prepare(
    `SELECT c.started_at AS t ${from} WHERE c.server = ? AND ${ENTRY_SESSION} AND c.started_at >= ?
       AND ${ANSWERED_WHERE} ORDER BY c.started_at DESC LIMIT 1`,
  );
  const time = (v: SqlValue | undefined) => (v === null || v === undefined ? null : Number(v));
  return {
    lastCall: (entry) => time(last.get(entry.name, ...entryParams(entry))?.t),
    answeredSince: (entry, sinceMs) =>
      num(count.get(entry.name, ...entryParams(entry), sinceMs, RECENT_ANSWERED_CAP + 1)?.n),
    lastAnsweredSince: (entry, sinceMs) =>
      time(lastAnswered.get(entry.name, ...entryParams(entry), sinceMs)?.t),
  };
}

/** Every server seen in traffic, with what makes it `active` (answered calls in ACTIVE_WINDOW_MS). */
export function listServers(db: Db, now = Date.now()): ServerSummary[] {
  const rows = db
    .prepare(
      `SELECT s.server AS name, min(s.started_at) AS first_seen,
              max(coalesce(s.ended_at, s.started_at)) AS last_ended, max(s.started_at) AS last_started,
              count(*) AS sessions, sum(s.ended_at IS NULL) AS active,
              (SELECT command FROM sessions x WHERE x.server = s.server ORDER BY started_at DESC LIMIT 1) AS last_command,
              (SELECT max(started_at) FROM calls c INDEXED BY calls_server_time WHERE c.server = s.server) AS last_call
       FROM sessions s GROUP BY s.server ORDER BY s.server`,
    )
    .all();
  const calls = callsByServer(db);
  const answered = answeredSince(db);
  return rows.map((row) => ({
    name: String(row.name),
    firstSeen: iso(num(row.first_seen)),
    lastSeen: iso(Math.max(num(row.last_ended), num(row.last_started), num(row.last_call))),
    sessions: num(row.sessions),
    activeSessions: num(row.active),
    calls: calls.get(String(row.name)) ?? 0,
    lastCommand: str(row.last_command),
    // Only a server called in the window can have answered in it (most have not: no read at all).
    recentAnswered:
      num(row.last_call) >= now - ACTIVE_WINDOW_MS ? answered(String(row.name), now - ACTIVE_WINDOW_MS) : 0,
  }));
}

/**
 * Calls recorded per server, without counting rows: the day rollups (a row per series and day) hold
 * every folded call, and the calls not folded yet are the short tail above the high-water mark.
 */
function callsByServer(db: Db): Map<string, number> {
  const counts = new Map<string, number>();
  const add = (server: SqlValue | undefined, n: SqlValue | undefined) =>
    counts.set(String(server), (counts.get(String(server)) ?? 0) + num(n));
  // One snapshot: a fold committing in between must not count a call twice.
  inSnapshot(db, () => readCounts(db, add));
  return counts;
}

function readCounts(db: Db, add: (server: SqlValue | undefined, n: SqlValue | undefined) => void): void {
  const folded = readState(db, STATE.folded);
  for (const row of db
    .prepare(
      `SELECT s.server AS server, sum(r.count) AS n FROM call_rollups r JOIN rollup_series s ON s.id = r.series
       WHERE r.resolution = ? AND s.method <> ? AND s.outcome <> ? GROUP BY s.server`,
    )
    .all(DAY, SUMMARY_METHOD, ANY_OUTCOME))
    add(row.server, row.n);
  for (const row of db
    // NOT INDEXED: the id range (a short tail), not a scan of an index on server for the grouping.
    .prepare("SELECT server, count(*) AS n FROM calls NOT INDEXED WHERE id > ? GROUP BY server")
    .all(folded))
    add(row.server, row.n);
}

/**
 * Every server name the database holds calls for, sorted: from the same counts servers.list shows, so a
 * server whose sessions made no call (one that failed to start) is not named.
 */
export function recordedServerNames(db: Db): string[] {
  return [...callsByServer(db)]
    .filter(([, n]) => n > 0)
    .map(([server]) => server)
    .sort();
}
