/**
 * Gauges read from the store at scrape time: database size, rows the wrappers dropped, calls waiting to
 * be folded, and — when the supervisor's tables exist — each server's latest health state and resource
 * sample. A missing table or column skips its metric instead of failing the scrape.
 */
import { statSync } from "node:fs";
import { STOPPED_MARK } from "../health/health-store.js";
import { sampleFreshMs } from "../resources/sampler.js";
import type { Db } from "../store/db.js";

export interface ServerGauge {
  server: string;
  value: number;
}

export interface StoreGauges {
  databaseBytes: number;
  droppedRows: number;
  /** Calls stored but not yet folded into rollups. */
  rollupBacklog: number;
  /**
   * 1 if the latest health check (in the last 15 min) found the server up or degraded, else 0; absent for
   * a server stopped on purpose since (it is not checked).
   */
  up: ServerGauge[] | null;
  cpuPercent: ServerGauge[] | null;
  rssBytes: ServerGauge[] | null;
}

/** Health checks older than this are stale: the server is not watched any more. */
const HEALTH_FRESH_MS = 15 * 60_000;
const MAX_SERVERS = 2000;
const UP_STATES = new Set(["up", "degraded", "ok", "healthy"]);

export function readStoreGauges(db: Db, now = Date.now()): StoreGauges {
  const n = (sql: string) => Number(db.prepare(sql).get()?.n ?? 0);
  const maxId = n("SELECT coalesce(max(id), 0) AS n FROM calls");
  const folded = n("SELECT coalesce((SELECT value FROM metrics_state WHERE key = 'rollup_hwm'), 0) AS n");
  return {
    databaseBytes: fileSize(db.path) + fileSize(`${db.path}-wal`),
    droppedRows: n("SELECT coalesce(sum(dropped), 0) AS n FROM sessions"),
    rollupBacklog: Math.max(0, maxId - folded),
    ...serverGauges(db, now),
  };
}

/** A server stopped on purpose has no `up` series, nor the figures of the process it stopped. */
function serverGauges(db: Db, now: number): Pick<StoreGauges, "up" | "cpuPercent" | "rssBytes"> {
  const checks = health(db, now);
  const stoppedAt = new Map(checks?.stopped.map((r) => [r.server, r.time]));
  const figures = resources(db, now);
  const live = (gauges: ResourceGauge[] | null) =>
    gauges
      ?.filter((g) => !(g.time <= (stoppedAt.get(g.server) ?? Number.NEGATIVE_INFINITY)))
      .map(({ server, value }) => ({ server, value })) ?? null;
  return {
    up: checks?.up ?? null,
    cpuPercent: live(figures.cpuPercent),
    rssBytes: live(figures.rssBytes),
  };
}

type ResourceGauge = ServerGauge & { time: number };

function columns(db: Db, table: string): Set<string> {
  return new Set(
    db
      .prepare(`PRAGMA table_info(${table})`)
      .all()
      .map((r) => String(r.name)),
  );
}

function latestSql(table: string, select: string): string {
  return `SELECT t.server AS server, ${select} FROM ${table} t
          JOIN (SELECT server, max(time) AS time FROM ${table} WHERE time >= ? GROUP BY server) m
            ON m.server = t.server AND m.time = t.time
          GROUP BY t.server ORDER BY t.server LIMIT ${MAX_SERVERS}`;
}

function health(
  db: Db,
  now: number,
): { up: ServerGauge[]; stopped: { server: string; time: number }[] } | null {
  const cols = columns(db, "health_checks");
  const stateColumn = cols.has("state") ? "state" : cols.has("status") ? "status" : null;
  if (!cols.has("server") || !cols.has("time") || !stateColumn) return null;
  const mark = cols.has("status") ? "t.status" : "NULL";
  const rows = db
    .prepare(latestSql("health_checks", `t.${stateColumn} AS state, ${mark} AS mark, t.time AS time`))
    .all(now - HEALTH_FRESH_MS);
  return {
    up: rows
      .filter((r) => r.mark !== STOPPED_MARK)
      .map((r) => ({ server: String(r.server), value: UP_STATES.has(String(r.state)) ? 1 : 0 })),
    stopped: rows
      .filter((r) => r.mark === STOPPED_MARK)
      .map((r) => ({ server: String(r.server), time: Number(r.time) })),
  };
}

function resources(
  db: Db,
  now: number,
): { cpuPercent: ResourceGauge[] | null; rssBytes: ResourceGauge[] | null } {
  const cols = columns(db, "resource_samples");
  if (!cols.has("server") || !cols.has("time")) return { cpuPercent: null, rssBytes: null };
  const rows = db
    .prepare(
      latestSql(
        "resource_samples",
        `${cols.has("cpu_pct") ? "t.cpu_pct" : "NULL"} AS cpu, ${cols.has("rss_bytes") ? "t.rss_bytes" : "NULL"} AS rss, t.time AS time`,
      ),
    )
    .all(now - sampleFreshMs());
  const pick = (key: "cpu" | "rss") =>
    rows
      .filter((r) => r[key] !== null)
      .map((r) => ({ server: String(r.server), value: Number(r[key]), time: Number(r.time) }));
  return {
    cpuPercent: cols.has("cpu_pct") ? pick("cpu") : null,
    rssBytes: cols.has("rss_bytes") ? pick("rss") : null,
  };
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
