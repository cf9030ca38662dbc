/** Reads over the events table: filtered lists, error groups, session timelines, counts, retention. */

import { operationText } from "../../../shared/domain.js";
import type {
  ErrorGroup,
  EventRecord,
  EventsQuery,
  SessionTimeline,
  TimelineItem,
} from "../../../shared/events.js";
import {
  EVENT_CATEGORIES,
  EVENT_SEVERITIES,
  type EventCategory,
  toSessionEndReason,
} from "../../../shared/events.js";
import { callOutcomeText, isRunningTask } from "../../../shared/tasks.js";
import { recordAdminAction } from "../audit/audit-log.js";
import type { Db, Row, SqlValue } from "../store/db.js";
import { keysetBefore } from "../store/keyset.js";
import { resolveRange } from "../store/queries.js";
import { readTask } from "../store/task-columns.js";
import { iso, parseUntilSpec } from "../time.js";
import { eventTypeMatch } from "./type-pattern.js";

const EVENTS_KEYSET = { table: "events", timeColumn: "time", noun: "event" };

const str = (v: SqlValue | undefined): string | null => (v === null || v === undefined ? null : String(v));
const num = (v: SqlValue | undefined): number => (v === null || v === undefined ? 0 : Number(v));

function parseDetails(text: SqlValue | undefined): unknown {
  if (text === null || text === undefined) return null;
  try {
    return JSON.parse(String(text));
  } catch {
    return String(text);
  }
}

function toRecord(row: Row): EventRecord {
  const category = String(row.category);
  const severity = String(row.severity);
  return {
    id: num(row.id),
    time: iso(num(row.time)),
    category: (EVENT_CATEGORIES as readonly string[]).includes(category)
      ? (category as EventCategory)
      : "system",
    type: String(row.type),
    severity: (EVENT_SEVERITIES as readonly string[]).includes(severity)
      ? (severity as EventRecord["severity"])
      : "info",
    server: str(row.server),
    session: str(row.session_id),
    correlation: {
      requestId: str(row.request_id),
      traceId: str(row.trace_id),
      progressToken: str(row.progress_token),
      parentEvent: row.parent_event === null || row.parent_event === undefined ? null : num(row.parent_event),
    },
    message: String(row.message),
    details: parseDetails(row.details),
  };
}

const COLUMNS =
  "id, time, category, type, severity, server, session_id, request_id, trace_id, progress_token, parent_event, message, details";

/** Events newest first. Without `since`, the last 24 hours (with `session`: all of it, up to `until`). */
export function listEvents(db: Db, query: EventsQuery, now = Date.now()): EventRecord[] {
  const where: string[] = [];
  const params: SqlValue[] = [];
  if (query.since || !query.session) {
    const range = resolveRange(query.since, query.until, "24h", now);
    where.push("time >= ? AND time <= ?");
    params.push(range.since, range.until);
  } else if (query.until) {
    // A session's events from its start, up to --until when one is given.
    where.push("time <= ?");
    params.push(parseUntilSpec(query.until, now));
  }
  if (query.category) {
    where.push("category = ?");
    params.push(query.category);
  }
  if (query.type) {
    const type = eventTypeMatch(query.type);
    where.push(type.where);
    params.push(...type.params);
  }
  if (query.severity) {
    const from = EVENT_SEVERITIES.indexOf(query.severity);
    const levels = EVENT_SEVERITIES.slice(from);
    where.push(`severity IN (${levels.map(() => "?").join(", ")})`);
    params.push(...levels);
  }
  if (query.server) {
    where.push("server = ?");
    params.push(query.server);
  }
  if (query.session) {
    where.push("session_id = ?");
    params.push(query.session);
  }
  if (query.beforeId) {
    const before = keysetBefore(db, EVENTS_KEYSET, query.beforeId, query.beforeTime);
    where.push(before.where);
    params.push(...before.params);
  }
  params.push(query.limit ?? 100);
  const sql = `SELECT ${COLUMNS} FROM events ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
    ORDER BY time DESC, id DESC LIMIT ?`;
  return db
    .prepare(sql)
    .all(...params)
    .map(toRecord);
}

/** Events stored after `afterId`, oldest first (the engine's `events.new` push). */
export function eventsAfter(db: Db, afterId: number, limit = 500): EventRecord[] {
  return db
    .prepare(`SELECT ${COLUMNS} FROM events WHERE id > ? ORDER BY id LIMIT ?`)
    .all(afterId, limit)
    .map(toRecord);
}

export function lastEventId(db: Db): number {
  return num(db.prepare("SELECT coalesce(max(id), 0) AS id FROM events").get()?.id);
}

/** Error events grouped by fingerprint, most frequent first. Default range: the last 24 hours. */
export function errorGroups(
  db: Db,
  query: { since?: string; until?: string; server?: string; limit?: number },
  now = Date.now(),
): ErrorGroup[] {
  const range = resolveRange(query.since, query.until, "24h", now);
  const params: SqlValue[] = [range.since, range.until];
  let serverClause = "";
  if (query.server) {
    serverClause = "AND server = ?";
    params.push(query.server);
  }
  params.push(query.limit ?? 100);
  const rows = db
    .prepare(
      `SELECT fingerprint, server, count(*) AS count, min(time) AS first_seen, max(time) AS last_seen,
         max(id) AS last_id
       FROM events WHERE fingerprint IS NOT NULL AND time >= ? AND time <= ? ${serverClause}
       GROUP BY fingerprint, server ORDER BY count DESC, last_seen DESC LIMIT ?`,
    )
    .all(...params);
  const latest = db.prepare("SELECT type, message FROM events WHERE id = ?");
  return rows.map((row) => {
    const last = latest.get(num(row.last_id));
    return {
      fingerprint: String(row.fingerprint),
      type: String(last?.type ?? ""),
      server: str(row.server),
      message: String(last?.message ?? ""),
      count: num(row.count),
      firstSeen: iso(num(row.first_seen)),
      lastSeen: iso(num(row.last_seen)),
    };
  });
}

const TIMELINE_LIMIT = 5000;

/** A session's calls, logs and events interleaved in time order (at most 5,000 of each). */
export function sessionTimeline(db: Db, id: string): SessionTimeline | null {
  const session = db
    .prepare(
      `SELECT id, server, started_at, ended_at, end_reason, exit_code, exit_signal, dropped, client_name,
         client_version, server_name, server_version, protocol_version, client FROM sessions WHERE id = ?`,
    )
    .get(id);
  if (!session) return null;
  const items: (TimelineItem & { order: number })[] = [];
  for (const c of db
    .prepare(
      `SELECT id, started_at, direction, request_id, method, target, outcome, duration_ms, error_code, error_message,
         task_id, task_state FROM calls WHERE session_id = ? ORDER BY started_at, id LIMIT ?`,
    )
    .all(id, TIMELINE_LIMIT)) {
    const op = operationText({
      method: String(c.method),
      target: str(c.target),
      direction: c.direction === "s2c" ? "s2c" : "c2s",
    });
    // A call whose task still runs has no outcome yet: the task's state shows instead.
    const task = readTask(c);
    const outcome = task && isRunningTask(task.state) ? null : String(c.outcome);
    items.push({
      order: 0,
      time: iso(num(c.started_at)),
      kind: "call",
      id: num(c.id),
      summary: `${op} → ${callOutcomeText({ outcome, task })} (${Math.round(num(c.duration_ms))} ms)`,
      level: outcome === "ok" || outcome === null ? null : outcome,
      detail: {
        direction: c.direction,
        requestId: str(c.request_id),
        method: c.method,
        target: str(c.target),
        outcome,
        durationMs: num(c.duration_ms),
        ...(task ? { task } : {}),
        errorCode: c.error_code === null ? null : num(c.error_code),
        errorMessage: str(c.error_message),
      },
    });
  }
  for (const l of db
    .prepare(
      "SELECT id, time, level, source, logger, message, request_id FROM logs WHERE session_id = ? ORDER BY time, id LIMIT ?",
    )
    .all(id, TIMELINE_LIMIT)) {
    items.push({
      order: 1,
      time: iso(num(l.time)),
      kind: "log",
      id: num(l.id),
      summary: String(l.message),
      level: String(l.level),
      detail: { source: l.source, logger: str(l.logger), requestId: str(l.request_id) },
    });
  }
  for (const e of db
    .prepare(`SELECT ${COLUMNS} FROM events WHERE session_id = ? ORDER BY time, id LIMIT ?`)
    .all(id, TIMELINE_LIMIT)) {
    const record = toRecord(e);
    items.push({
      order: 2,
      time: record.time,
      kind: "event",
      id: record.id,
      summary: `${record.type}: ${record.message}`,
      level: record.severity,
      detail: record,
    });
  }
  items.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : a.order - b.order || a.id - b.id));
  return {
    session: {
      id: String(session.id),
      server: String(session.server),
      startedAt: iso(num(session.started_at)),
      endedAt: session.ended_at === null ? null : iso(num(session.ended_at)),
      endReason: session.ended_at === null ? null : toSessionEndReason(session.end_reason),
      exitCode: session.exit_code === null ? null : num(session.exit_code),
      exitSignal: str(session.exit_signal),
      dropped: num(session.dropped),
      clientName: str(session.client_name),
      clientVersion: str(session.client_version),
      serverName: str(session.server_name),
      serverVersion: str(session.server_version),
      protocolVersion: str(session.protocol_version),
      client: str(session.client),
    },
    items: items.map(({ order: _order, ...item }) => item),
  };
}

export interface EventCountBucket {
  /** Start of the bucket, epoch ms. */
  bucket: number;
  category: EventCategory;
  type: string;
  count: number;
}

/** Events per category and type per time bucket over [since, until), for charts and alert rules. */
export function eventCounts(
  db: Db,
  range: { since: number; until: number },
  bucketMs: number,
  filter: { server?: string; category?: EventCategory } = {},
): EventCountBucket[] {
  const size = Math.max(1000, Math.floor(bucketMs));
  const params: SqlValue[] = [size, size, range.since, range.until];
  let extra = "";
  if (filter.server) {
    extra += " AND server = ?";
    params.push(filter.server);
  }
  if (filter.category) {
    extra += " AND category = ?";
    params.push(filter.category);
  }
  return db
    .prepare(
      `SELECT CAST(time / ? AS INTEGER) * ? AS bucket, category, type, count(*) AS count
       FROM events WHERE time >= ? AND time < ?${extra}
       GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
    )
    .all(...params)
    .map((r) => ({
      bucket: num(r.bucket),
      category: String(r.category) as EventCategory,
      type: String(r.type),
      count: num(r.count),
    }));
}

const DAY = 86_400_000;

/** Days each category is kept: audit longest. */
export const DEFAULT_EVENT_RETENTION_DAYS: Record<EventCategory, number> = {
  audit: 365,
  security: 90,
  system: 30,
  user: 30,
  error: 30,
};

/**
 * Deletes events older than their category's retention, in batches of `batchSize` rows (each its own
 * short statement, so wrappers writing meanwhile wait at most one batch). At most `maxBatches` batches a
 * call; returns the rows deleted per category.
 */
export function applyEventRetention(
  db: Db,
  options: {
    days?: Partial<Record<EventCategory, number>>;
    now?: number;
    batchSize?: number;
    maxBatches?: number;
  } = {},
): Record<EventCategory, number> {
  const now = options.now ?? Date.now();
  const batchSize = options.batchSize ?? 500;
  let budget = options.maxBatches ?? 20;
  const deleted = Object.fromEntries(EVENT_CATEGORIES.map((c) => [c, 0])) as Record<EventCategory, number>;
  const remove = db.prepare(
    "DELETE FROM events WHERE id IN (SELECT id FROM events WHERE category = ? AND time < ? ORDER BY time LIMIT ?)",
  );
  for (const category of EVENT_CATEGORIES) {
    const days = options.days?.[category] ?? DEFAULT_EVENT_RETENTION_DAYS[category];
    const cutoff = now - days * DAY;
    while (budget > 0) {
      budget--;
      const changes = Number(remove.run(category, cutoff, batchSize).changes);
      deleted[category] += changes;
      if (changes < batchSize) break;
    }
  }
  // Security findings and audit events removed are evidence removed: the audit chain says how many, as
  // it does for log, metrics and storage retention.
  const removed = Object.fromEntries(Object.entries(deleted).filter(([, n]) => n > 0));
  if (Object.keys(removed).length > 0) {
    try {
      recordAdminAction(db, {
        action: "retention_delete",
        actor: "retention",
        target: "events",
        details: { deleted: removed, days: options.days ?? {} },
        time: now,
      });
    } catch {
      // The deletion is done; a failing audit write must not fail retention.
    }
  }
  return deleted;
}
