/**
 * Per-server facts of a report that are not call statistics: availability from health checks, crashes
 * and restarts, resource use, and the clients and protocol versions seen.
 */
import type { ReportServer } from "../../../shared/report.js";
import { eventCounts } from "../events/queries.js";
import { STOPPED_MARK } from "../health/health-store.js";
import { RESOLUTIONS } from "../metrics/rollups.js";
import type { Db } from "../store/db.js";
import type { TimeRange } from "../store/queries.js";
import { iso } from "../time.js";

type Availability = NonNullable<ReportServer["availability"]>;

/**
 * Uptime weighted by time: each check's state holds until the next check (the last one until the end of
 * the range), starting from the last state before the range. Time in `unknown` counts neither way.
 */
export function availability(db: Db, server: string, range: TimeRange): Availability | null {
  const before = db
    .prepare("SELECT time, state FROM health_checks WHERE server = ? AND time < ? ORDER BY time DESC LIMIT 1")
    .get(server, range.since);
  const rows = db
    .prepare(
      "SELECT time, state, status FROM health_checks WHERE server = ? AND time >= ? AND time <= ? ORDER BY time, id",
    )
    .all(server, range.since, range.until);
  if (rows.length === 0) return null;
  const points: { time: number; state: string }[] = [];
  if (before) points.push({ time: range.since, state: String(before.state) });
  for (const row of rows) points.push({ time: Number(row.time), state: String(row.state) });
  let known = 0;
  let down = 0;
  const downtimes: Availability["downtimes"] = [];
  let downSince: number | null = null;
  for (let i = 0; i < points.length; i++) {
    const p = points[i] as { time: number; state: string };
    const end = points[i + 1]?.time ?? range.until;
    const span = end - p.time;
    if (p.state !== "unknown") known += span;
    if (p.state === "down") {
      down += span;
      downSince ??= p.time;
    } else if (downSince !== null) {
      downtimes.push({ start: iso(downSince), durationMs: p.time - downSince, ongoing: false });
      downSince = null;
    }
  }
  if (downSince !== null)
    downtimes.push({ start: iso(downSince), durationMs: range.until - downSince, ongoing: true });
  return {
    checks: rows.filter((row) => row.status !== STOPPED_MARK).length,
    uptimePct: known > 0 ? round2((100 * (known - down)) / known) : 100,
    downtimes,
    longestDowntimeMs: downtimes.reduce((m, d) => Math.max(m, d.durationMs), 0),
  };
}

/** Crash events in [since, until): a supervised server's, or a wrapped one's that failed under its client. */
export function crashes(db: Db, server: string, range: TimeRange): number {
  return eventCounts(db, range, range.until - range.since + 1, { server, category: "system" })
    .filter((b) => b.type === "process.crash")
    .reduce((n, b) => n + b.count, 0);
}

/** Runs the supervisor started again after a crash, in the range. */
export function restarts(db: Db, server: string, range: TimeRange): number {
  const row = db
    .prepare(
      "SELECT count(*) AS n FROM process_runs WHERE server = ? AND started_at >= ? AND started_at <= ? AND restart_count > 0",
    )
    .get(server, range.since, range.until);
  return Number(row?.n ?? 0);
}

export function resources(db: Db, server: string, range: TimeRange): ReportServer["resources"] {
  const row = db
    .prepare(
      `SELECT count(*) AS n, avg(cpu_pct) AS cpu_mean, max(cpu_pct) AS cpu_max, max(rss_bytes) AS rss_max
       FROM resource_samples WHERE server = ? AND time >= ? AND time <= ?`,
    )
    .get(server, range.since, range.until);
  if (!row || Number(row.n) === 0) return null;
  const opt = (v: unknown) => (v === null || v === undefined ? null : round2(Number(v)));
  return {
    cpuMeanPct: opt(row.cpu_mean),
    cpuMaxPct: opt(row.cpu_max),
    rssMaxBytes: Number(row.rss_max ?? 0),
  };
}

/**
 * Clients and protocol versions of the sessions open at any time in the range: the latest of each session,
 * and those it had before a change (store/session-clients.ts).
 */
export function sessionsSeen(
  db: Db,
  server: string,
  range: TimeRange,
): { clients: string[]; protocolVersions: string[]; dropped: number } {
  const open = "server = ? AND started_at <= ? AND (ended_at IS NULL OR ended_at >= ?)";
  const rows = db
    .prepare(
      `SELECT client_name, client_version, protocol_version, dropped FROM sessions WHERE ${open}
       UNION ALL SELECT client_name, client_version, protocol_version, 0 FROM session_clients
       WHERE session_id IN (SELECT id FROM sessions WHERE ${open})`,
    )
    .all(server, range.until, range.since, server, range.until, range.since);
  const clients = new Set<string>();
  const versions = new Set<string>();
  let dropped = 0;
  for (const r of rows) {
    if (r.client_name)
      clients.add(r.client_version ? `${r.client_name} ${r.client_version}` : String(r.client_name));
    if (r.protocol_version) versions.add(String(r.protocol_version));
    dropped += Number(r.dropped ?? 0);
  }
  return { clients: [...clients].sort(), protocolVersions: [...versions].sort(), dropped };
}

/** Every server with calls, health checks or sessions in the range: the "all servers" scope. */
export function serversActiveIn(db: Db, range: TimeRange): string[] {
  const rows = db
    .prepare(
      `SELECT server FROM sessions WHERE started_at <= ? AND (ended_at IS NULL OR ended_at >= ?)
       UNION SELECT server FROM health_checks WHERE time >= ? AND time <= ?`,
    )
    .all(range.until, range.since, range.since, range.until);
  return rows.map((r) => String(r.server)).filter((s) => s !== "mcpscope");
}

export function round2(v: number): number {
  return Math.round(v * 100) / 100;
}

/**
 * The earliest time the store holds a session, a call or a call rollup of: before it nothing was recorded
 * (or kept), so a period wholly before it has unknown figures, not zeros. null: nothing recorded yet.
 */
export function recordedFrom(db: Db): number | null {
  const times = [
    db.prepare("SELECT min(started_at) AS t FROM sessions").get()?.t,
    db.prepare("SELECT min(started_at) AS t FROM calls").get()?.t,
    ...RESOLUTIONS.map(
      (r) => db.prepare("SELECT min(bucket_start) AS t FROM call_rollups WHERE resolution = ?").get(r)?.t,
    ),
  ]
    .filter((t) => t !== null && t !== undefined)
    .map(Number);
  return times.length ? Math.min(...times) : null;
}
