/**
 * Builds a report from the store: call statistics come from one read of the range (the same reader and
 * the same document as `mcpscope stats`), the rest from the queries each section already has.
 */
import { errorCount, OUTCOMES, type OutcomeCounts } from "../../../shared/domain.js";
import {
  REPORT_PERIODS,
  REPORT_SCHEMA_VERSION,
  type Report,
  type ReportQuery,
} from "../../../shared/report.js";
import { MonitoringError } from "../errors.js";
import { countedJson } from "../metrics/range-plan.js";
import { type RangeData, readCountedRange } from "../metrics/range-reader.js";
import { metricsSeries } from "../metrics/series.js";
import { mergedLatency, statsFromRange } from "../metrics/stats-document.js";
import type { Db } from "../store/db.js";
import type { TimeRange } from "../store/queries.js";
import { SERVED_WHERE } from "../store/served.js";
import { ENDED_WHERE } from "../store/task-columns.js";
import { iso, parseTimeSpec } from "../time.js";
import { VERSION } from "../version.js";
import {
  alertsSection,
  errorsSection,
  fileBytes,
  logsSection,
  type Scope,
  securityCounts,
  securitySection,
} from "./activity.js";
import { type ClientServer, clientServers } from "./client-scope.js";
import {
  availability,
  crashes,
  recordedFrom,
  resources,
  restarts,
  round2,
  serversActiveIn,
  sessionsSeen,
} from "./server-facts.js";

export interface BuildOptions {
  now?: number;
  /** The server names configured in a client (discovery); needed only for a `client` scope. */
  clientServers?: (client: string) => Promise<string[]>;
  /** Called as each section starts, for progress on a slow read. */
  progress?: (step: string) => void;
}

/**
 * [since, until] of a query: `since` and `period` count back from `until` (default now). An `until` after
 * now is taken as asked (the report says the rest has not happened yet), but a period that starts after
 * now holds nothing that can have happened: a mistake, refused as an empty range is.
 */
export function reportRange(query: ReportQuery, now = Date.now()): TimeRange {
  if (query.since && query.period) throw MonitoringError.input("give either since or period, not both");
  const until = query.until ? parseTimeSpec(query.until, now) : now;
  const since = parseTimeSpec(query.period ? REPORT_PERIODS[query.period] : (query.since ?? "7d"), until);
  if (since >= until) throw MonitoringError.input("the period ends before it starts; check since and until");
  if (since >= now)
    throw MonitoringError.input(
      `the period starts at ${iso(since)}, after now (${iso(now)}): nothing in it has happened yet; since and period count back from until`,
    );
  return { since, until };
}

/** The server names a report counts; for a client scope, each name with how it was counted. */
async function resolveScope(
  db: Db,
  query: ReportQuery,
  options: BuildOptions,
  both: TimeRange,
): Promise<{ scope: Scope; clientServers?: ClientServer[] }> {
  const named = query.servers?.length ? query.servers : null;
  if (!query.client) return { scope: named ? new Set(named) : null };
  if (!options.clientServers) throw MonitoringError.input("a client scope needs server discovery");
  const servers = clientServers(db, query.client, await options.clientServers(query.client), both, named);
  return { scope: new Set(servers.filter((s) => s.counted).map((s) => s.server)), clientServers: servers };
}

function scoped(data: RangeData, scope: Scope): RangeData {
  if (scope === null) return data;
  return new Map([...data].filter(([server]) => scope.has(server)));
}

interface Totals {
  calls: number;
  errors: number;
  activeServers: number;
  fromRollups: boolean;
}

function totals(data: RangeData): Totals {
  const accs = [...data.values()].flatMap((ops) => [...ops.values()]);
  const calls = accs.reduce((n, a) => n + a.calls, 0);
  return {
    calls,
    errors: accs.reduce((n, a) => n + errorCount(a.outcomes), 0),
    activeServers: [...data.values()].filter((ops) => [...ops.values()].some((a) => a.calls > 0)).length,
    fromRollups: accs.some((a) => a.fromRollups),
  };
}

/** null for no calls: a rate of nothing is not 0%. */
const rate = (errors: number, calls: number) => (calls ? Math.round((errors / calls) * 10000) / 10000 : null);

export async function buildReport(db: Db, query: ReportQuery, options: BuildOptions = {}): Promise<Report> {
  const now = options.now ?? Date.now();
  const progress = options.progress ?? (() => {});
  const range = reportRange(query, now);
  // Over this period and the previous one, so both compare the same servers.
  const { scope, clientServers: clientScope } = await resolveScope(db, query, options, {
    since: range.since - (range.until - range.since),
    until: range.until,
  });

  progress("calls");
  const read = readCountedRange(db, range.since, range.until);
  // The previous period of the same length, ending just before this one's count starts: a bucket its
  // start was widened to is counted in this period only, and the previous read stops short of it.
  const start = read.counted?.since ?? range.since;
  const previous: TimeRange = { since: start - (range.until - range.since), until: start - 0.001 };
  const previousRead = readCountedRange(db, previous.since, start, undefined, { inclusive: false });
  const current = scoped(read.data, scope);
  const before = scoped(previousRead.data, scope);
  const stats = statsFromRange(current, range);
  const previousStats = statsFromRange(before, previous);
  const now_ = totals(current);
  const then = totals(before);
  // The previous period is there to compare with: one with no call recorded in the scope (before mcpscope
  // recorded anything, or no client called through it then) has no call figures to compare with, where a 0
  // would read as calls rising "from 0".
  const compared = then.calls > 0;

  progress("servers");
  // A server active in the previous period and silent in this one is listed with 0 calls: that it stopped
  // is what the drop in the summary is about.
  const names = new Set([
    ...(scope ?? serversActiveIn(db, range)),
    ...current.keys(),
    ...[...before].filter(([, ops]) => [...ops.values()].some((a) => a.calls > 0)).map(([server]) => server),
  ]);
  let dropped = 0;
  const servers: Report["servers"] = [...names].sort().map((server) => {
    const s = stats.servers.find((x) => x.server === server);
    const seen = sessionsSeen(db, server, range);
    dropped += seen.dropped;
    return {
      server,
      calls: s?.calls ?? 0,
      errors: s?.errors ?? 0,
      errorRate: s?.calls ? s.error_rate : null,
      latency: s?.calls ? mergedLatency(current.get(server)?.values() ?? []) : null,
      availability: availability(db, server, range),
      crashes: crashes(db, server, range),
      restarts: restarts(db, server, range),
      resources: resources(db, server, range),
      clients: seen.clients,
      protocolVersions: seen.protocolVersions,
    };
  });
  const meanUptime = (ranges: (ReturnType<typeof availability> | null)[]) => {
    const known = ranges.filter((a) => a !== null);
    return known.length ? round2(known.reduce((n, a) => n + a.uptimePct, 0) / known.length) : null;
  };
  const previousUptime = meanUptime([...names].map((s) => availability(db, s, previous)));

  progress("tools");
  const tools = toolRows(stats, compared ? previousStats : null);

  progress("alerts");
  const alerts = alertsSection(db, range, scope);
  const previousAlerts = alertsSection(db, previous, scope);
  progress("security and the audit chain");
  const security = securitySection(db, range, scope);
  const previousSecurity = securityCounts(db, previous, scope);
  progress("charts");
  const chart = series(db, range, scope);
  progress("slowest calls");
  const slowest = slowestCalls(db, range, scope);
  progress("errors");
  const errors = errorsSection(db, range, scope);
  progress("logs");
  const logs = logsSection(db, range, scope);

  // A period that ends before any call was recorded has unknown call counts, not zeros (the previous period of
  // a first report, a window before mcpscope was installed).
  const from = recordedFrom(db);
  const known = (r: TimeRange) => from !== null && r.until >= from;
  const count = (r: TimeRange, value: number) => (known(r) ? value : null);
  const previousCount = (value: number) => (compared ? value : null);

  const report: Report = {
    schemaVersion: REPORT_SCHEMA_VERSION,
    generatedAt: iso(now),
    generator: `mcpscope ${VERSION}`,
    since: iso(range.since),
    until: iso(range.until),
    previous: {
      since: iso(previous.since),
      until: iso(previous.until),
      ...(previousRead.counted ? { counted: countedJson(previousRead.counted) } : {}),
    },
    ...(read.counted ? { counted: countedJson(read.counted) } : {}),
    scope: {
      servers: query.servers?.length ? [...query.servers].sort() : null,
      client: query.client ?? null,
      ...(clientScope ? { clientServers: clientScope } : {}),
    },
    summary: {
      calls: { value: count(range, now_.calls), previous: previousCount(then.calls) },
      errors: { value: count(range, now_.errors), previous: previousCount(then.errors) },
      errorRate: { value: rate(now_.errors, now_.calls), previous: rate(then.errors, then.calls) },
      // The overall percentiles of `stats.get`, as the Overview shows them.
      p50: { value: stats.latency_ms?.p50 ?? null, previous: previousStats.latency_ms?.p50 ?? null },
      p95: { value: stats.latency_ms?.p95 ?? null, previous: previousStats.latency_ms?.p95 ?? null },
      p99: { value: stats.latency_ms?.p99 ?? null, previous: previousStats.latency_ms?.p99 ?? null },
      activeServers: {
        value: count(range, now_.activeServers),
        previous: previousCount(then.activeServers),
      },
      availabilityPct: { value: meanUptime(servers.map((s) => s.availability)), previous: previousUptime },
      alertsFired: { value: alerts.fired, previous: previousAlerts.fired },
      securityFindings: {
        value: security.poisoningFindings + security.secretFindings,
        previous: previousSecurity.poisoningFindings + previousSecurity.secretFindings,
      },
    },
    series: chart,
    servers,
    tools,
    slowest,
    errors,
    logs,
    security,
    alerts,
    data: {
      databaseBytes: fileBytes(db.path),
      dropped,
      source: now_.calls === 0 ? "none" : now_.fromRollups ? "rollups" : "raw",
      accuracy: now_.fromRollups ? "within 1%" : "exact",
      recordedFrom: from === null ? null : iso(from),
    },
  };
  return report;
}

type StatsDoc = ReturnType<typeof statsFromRange>;

/**
 * Every tool called in this period or the previous one: a tool called before and not now (broken by a
 * definition change, say) is a row with 0 calls and its previous count. `previousStats` null: the previous
 * period holds no call, so no tool has a previous count (null, not 0).
 */
function toolRows(stats: StatsDoc, previousStats: StatsDoc | null): Report["tools"] {
  const key = (server: string, tool: string) => JSON.stringify([server, tool]);
  const toolsOf = (doc: StatsDoc) =>
    doc.servers.flatMap((s) =>
      s.operations
        .filter((op) => op.method === "tools/call" && op.target !== null)
        .map((op) => ({ server: s.server, tool: op.target as string, op })),
    );
  const prev = new Map(previousStats ? toolsOf(previousStats).map((t) => [key(t.server, t.tool), t.op]) : []);
  const rows: Report["tools"] = toolsOf(stats).map(({ server, tool, op }) => {
    const p = prev.get(key(server, tool));
    prev.delete(key(server, tool));
    return {
      server,
      tool,
      calls: op.calls,
      errors: op.errors,
      outcomes: op.outcomes,
      latency: op.latency_ms,
      previousCalls: previousStats ? (p?.calls ?? 0) : null,
      previousP95: p ? p.latency_ms.p95 : null,
    };
  });
  const none = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as OutcomeCounts;
  for (const [k, p] of prev) {
    const [server, tool] = JSON.parse(k) as [string, string];
    rows.push({
      server,
      tool,
      calls: 0,
      errors: 0,
      outcomes: none,
      latency: null,
      previousCalls: p.calls,
      previousP95: p.latency_ms.p95,
    });
  }
  return rows;
}

/** Calls and errors per bucket (summed over the scope's servers); p95 only where one series covers it. */
function series(db: Db, range: TimeRange, scope: Scope): Report["series"] {
  const q = { since: iso(range.since), until: iso(range.until) };
  const docs =
    scope === null ? [metricsSeries(db, q)] : [...scope].map((server) => metricsSeries(db, { ...q, server }));
  const stepMs = docs[0]?.step_ms ?? 3_600_000;
  const buckets = new Map<string, Report["series"]["buckets"][number]>();
  for (const doc of docs) {
    for (const p of doc.points) {
      const b = buckets.get(p.time);
      if (b) {
        b.calls += p.calls;
        b.errors += p.errors;
        b.p95 = null;
      } else
        buckets.set(p.time, {
          time: p.time,
          calls: p.calls,
          errors: p.errors,
          p95: docs.length === 1 ? p.p95 : null,
        });
    }
  }
  return { stepMs, buckets: [...buckets.values()].sort((a, b) => a.time.localeCompare(b.time)) };
}

/** The ten slowest calls kept in raw form (older calls may have been folded into rollups and deleted). */
function slowestCalls(db: Db, range: TimeRange, scope: Scope): Report["slowest"] {
  const names = scope === null ? null : [...scope];
  const where = names ? ` AND server IN (${names.map(() => "?").join(", ")})` : "";
  return db
    .prepare(
      `SELECT id, server, method, target, outcome, started_at, duration_ms FROM calls
       WHERE started_at >= ? AND started_at <= ? AND ${SERVED_WHERE} AND ${ENDED_WHERE}${where} ORDER BY duration_ms DESC LIMIT 10`,
    )
    .all(range.since, range.until, ...(names ?? []))
    .map((r) => ({
      id: Number(r.id),
      server: String(r.server),
      method: String(r.method),
      target: r.target === null ? null : String(r.target),
      outcome: String(r.outcome),
      startedAt: iso(Number(r.started_at)),
      durationMs: Math.round(Number(r.duration_ms) * 1000) / 1000,
    }));
}
