/** The report's logs, security, alerts and data sections, from the existing queries over the store. */
import { statSync } from "node:fs";
import type { ErrorGroup } from "../../../shared/events.js";
import { LOG_LEVELS } from "../../../shared/levels.js";
import type { LevelCounts, LogTemplate } from "../../../shared/logs.js";
import type { Report } from "../../../shared/report.js";
import { listHistory } from "../alerts/alert-store.js";
import { verifyChain } from "../audit/audit-log.js";
import { errorGroups, eventCounts, listEvents } from "../events/queries.js";
import { patternsInRange, templateLinesIn } from "../logs/log-patterns.js";
import type { Db } from "../store/db.js";
import type { TimeRange } from "../store/queries.js";
import { iso } from "../time.js";

/** null: every server. */
export type Scope = ReadonlySet<string> | null;

const inScope = (scope: Scope, server: string | null | undefined) =>
  scope === null || (server !== null && server !== undefined && scope.has(server));

/** Per-server calls of a query that filters by one server, or one call for every server. */
function perServer<T>(scope: Scope, read: (server?: string) => T[]): T[] {
  return scope === null ? read() : [...scope].flatMap((s) => read(s));
}

const TOP = 20;

export function errorsSection(db: Db, range: TimeRange, scope: Scope): ErrorGroup[] {
  return perServer(scope, (server) =>
    errorGroups(db, { since: iso(range.since), until: iso(range.until), server, limit: TOP }),
  )
    .sort((a, b) => b.count - a.count || b.lastSeen.localeCompare(a.lastSeen))
    .slice(0, TOP);
}

export function logsSection(db: Db, range: TimeRange, scope: Scope): Report["logs"] {
  const levels = Object.fromEntries(LOG_LEVELS.map((l) => [l, 0])) as LevelCounts;
  const templates: LogTemplate[] = [];
  for (const doc of perServer(scope, (server) => [patternsInRange(db, range, { server, limit: 200 })])) {
    for (const level of LOG_LEVELS) levels[level] += doc.levels[level];
    // A template's stored count is all time; the report's Lines are those of the period, as its totals.
    const fresh = doc.patterns.filter((p) => Date.parse(p.firstSeen) >= range.since);
    const servers = new Set(fresh.map((p) => p.server));
    for (const server of servers) {
      const list = fresh.filter((p) => p.server === server);
      const since = Math.min(...list.map((p) => Date.parse(p.firstSeen)));
      const counts = templateLinesIn(db, server, list, { since, until: range.until });
      for (const p of list) templates.push({ ...p, count: counts.get(p.id) ?? 0 });
    }
  }
  return {
    levels,
    total: LOG_LEVELS.reduce((n, l) => n + levels[l], 0),
    newTemplates: templates.sort((a, b) => b.count - a.count).slice(0, TOP),
  };
}

const SECURITY_TYPES = {
  definitionChanges: "tool.definition_changed",
  approvals: "tool.approved",
  poisoningFindings: "tool.poisoning_suspected",
  secretFindings: "secret.detected",
} as const;

/** Security event counts by type over [since, until). */
export function securityCounts(
  db: Db,
  range: TimeRange,
  scope: Scope,
): Record<keyof typeof SECURITY_TYPES, number> {
  const byType = new Map<string, number>();
  const span = range.until - range.since + 1;
  for (const bucket of perServer(scope, (server) => eventCounts(db, range, span, { server }))) {
    byType.set(bucket.type, (byType.get(bucket.type) ?? 0) + bucket.count);
  }
  const out = {} as Record<keyof typeof SECURITY_TYPES, number>;
  for (const [key, type] of Object.entries(SECURITY_TYPES))
    out[key as keyof typeof SECURITY_TYPES] = byType.get(type) ?? 0;
  return out;
}

export function securitySection(db: Db, range: TimeRange, scope: Scope): Report["security"] {
  const events = perServer(scope, (server) =>
    listEvents(db, {
      since: iso(range.since),
      until: iso(range.until),
      category: "security",
      server,
      limit: 50,
    }),
  )
    .sort((a, b) => b.time.localeCompare(a.time))
    .slice(0, 50)
    .map((e) => ({ time: e.time, type: e.type, server: e.server, message: e.message }));
  const verify = verifyChain(db);
  return {
    ...securityCounts(db, range, scope),
    events,
    audit: {
      ok: verify.ok,
      records: verify.records,
      problem: verify.broken ? `record ${verify.broken.id}: ${verify.broken.message}` : null,
    },
  };
}

/** Alerts that fired or resolved in the range, with how long each fired. */
export function alertsSection(db: Db, range: TimeRange, scope: Scope): Report["alerts"] {
  const entries = listHistory(db, { since: range.since, limit: 100_000 }).filter(
    (e) => Date.parse(e.time) <= range.until && (scope === null || inScope(scope, e.labels.server)),
  );
  const firedAt = new Map<string, string>();
  const items: Report["alerts"]["items"] = [];
  // History is newest first; walk it oldest first so a resolve finds its firing.
  for (const e of [...entries].reverse()) {
    if (e.to === "firing") {
      firedAt.set(e.alertId, e.time);
      items.push({
        alertId: e.alertId,
        rule: e.rule,
        severity: e.severity,
        summary: e.summary,
        firedAt: e.time,
        resolvedAt: null,
        durationMs: null,
      });
    } else if (e.to === "resolved" && e.from === "firing") {
      const open = items.findLast((i) => i.alertId === e.alertId && i.resolvedAt === null);
      const fired =
        open?.firedAt ??
        listHistory(db, { alertId: e.alertId, limit: 50 }).find((h) => h.to === "firing" && h.time <= e.time)
          ?.time;
      const durationMs = fired ? Date.parse(e.time) - Date.parse(fired) : null;
      if (open) Object.assign(open, { resolvedAt: e.time, durationMs });
      else if (fired)
        items.push({
          alertId: e.alertId,
          rule: e.rule,
          severity: e.severity,
          summary: e.summary,
          firedAt: fired,
          resolvedAt: e.time,
          durationMs,
        });
    }
  }
  const resolved = items.filter((i) => i.durationMs !== null);
  return {
    fired: entries.filter((e) => e.to === "firing").length,
    resolved: entries.filter((e) => e.to === "resolved" && e.from === "firing").length,
    meanTimeToResolveMs: resolved.length
      ? Math.round(resolved.reduce((n, i) => n + (i.durationMs ?? 0), 0) / resolved.length)
      : null,
    items: items.reverse().slice(0, 100),
    deliveries: deliveriesPerChannel(db, range, scope),
  };
}

/**
 * Notifications created in the range per channel and status. In a report scoped to some servers, only
 * those about an alert of one of them (test sends and report copies are about none).
 */
function deliveriesPerChannel(db: Db, range: TimeRange, scope: Scope): Report["alerts"]["deliveries"] {
  const about =
    scope === null
      ? ""
      : `AND EXISTS (SELECT 1 FROM json_each(d.alert_ids) AS a WHERE a.value IN (
           SELECT id FROM alert_instances WHERE json_extract(labels, '$.server') IN (SELECT value FROM json_each(?))
           UNION SELECT alert_id FROM alert_history WHERE json_extract(labels, '$.server') IN (SELECT value FROM json_each(?))))`;
  const servers = scope === null ? [] : [JSON.stringify([...scope]), JSON.stringify([...scope])];
  const rows = db
    .prepare(
      `SELECT channel, status, count(*) AS n FROM alert_deliveries AS d
       WHERE created_at >= ? AND created_at <= ? ${about} GROUP BY channel, status ORDER BY channel`,
    )
    .all(range.since, range.until, ...servers);
  const byChannel = new Map<
    string,
    { channel: string; delivered: number; failed: number; pending: number }
  >();
  for (const r of rows) {
    const channel = String(r.channel);
    let c = byChannel.get(channel);
    if (!c) {
      c = { channel, delivered: 0, failed: 0, pending: 0 };
      byChannel.set(channel, c);
    }
    const status = String(r.status) as "delivered" | "failed" | "pending";
    if (status in c) c[status] += Number(r.n);
  }
  return [...byChannel.values()];
}

export function fileBytes(dbPath: string): number {
  let total = 0;
  for (const path of [dbPath, `${dbPath}-wal`]) {
    try {
      total += statSync(path).size;
    } catch {
      // Not there (no WAL yet): nothing to add.
    }
  }
  return total;
}
