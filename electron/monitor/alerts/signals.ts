/**
 * What a rule compares: its signal's value per label group at a time. The store answers from the
 * database (calls, resource samples, health checks, logs, templates, events); `rules test` answers from
 * the series a test file gives (rule-tests.ts). The evaluator applies the threshold.
 */

import { errorCount } from "../../../shared/domain.js";
import { EVENT_SEVERITIES } from "../../../shared/events.js";
import { LOG_LEVELS } from "../../../shared/levels.js";
import { eventTypeMatch } from "../events/type-pattern.js";
import { DDSketch } from "../metrics/ddsketch.js";
import { readRange } from "../metrics/range-reader.js";
import { OWN_PROCESS_LABELS } from "../resources/roots.js";
import type { Db, SqlValue } from "../store/db.js";
import type { Rule } from "./rule-schema.js";

interface CallGroup {
  labels: Record<string, string>;
  calls: number;
  errors: number;
  outcomes: Record<string, number>;
  sketch: DDSketch;
  durations: number[];
  fromRollups: boolean;
}

export interface Sample {
  labels: Record<string, string>;
  value: number;
}

export interface SignalSource {
  /** Every label group's value at `at` (ms), active or not. */
  sample(rule: Rule, at: number): Sample[];
}

/** The signals that need `min_calls` calls in a group's window: a rate or a percentile of a few is noise. */
export const MIN_CALLS_SIGNALS: ReadonlySet<string> = new Set([
  "error_rate",
  "latency_p50",
  "latency_p95",
  "latency_p99",
]);

/** Whether a sample's value makes the rule active. */
export function isActive(rule: Rule, value: number): boolean {
  switch (rule.op) {
    case ">":
      return value > rule.threshold;
    case ">=":
      return value >= rule.threshold;
    case "<":
      return value < rule.threshold;
    case "<=":
      return value <= rule.threshold;
  }
}

export class DbSignalSource implements SignalSource {
  /**
   * `servers`, when given, names the servers in the inventory now that are checked: a server removed from
   * it, or switched off in its client, is no longer checked, so its last health check (kept for a day)
   * must not keep its `server-down` firing.
   */
  constructor(
    private readonly db: Db,
    private readonly servers?: () => ReadonlySet<string> | null,
  ) {}

  sample(rule: Rule, at: number): Sample[] {
    switch (rule.signal) {
      case "error_rate":
      case "call_rate":
      case "outcome_count":
        return this.callCounts(rule, at);
      case "latency_p50":
      case "latency_p95":
      case "latency_p99":
        return this.latency(rule, at);
      case "cpu":
      case "memory":
        return this.resources(rule, at);
      case "dropped":
        return this.dropped(rule, at);
      case "traffic_age":
        return this.trafficAge(rule, at);
      case "health":
        return this.health(rule, at);
      case "log_count":
        return this.logCount(rule, at);
      case "new_log_templates":
        return this.grouped(
          "SELECT server, count(*) AS value FROM log_templates WHERE first_seen > ? AND first_seen <= ?",
          rule,
          at,
        );
      case "event_count":
        return this.eventCount(rule, at);
      default:
        return [];
    }
  }

  /**
   * Requests in the window grouped by the rule's labels (the tool label is the target, else the method),
   * read as `stats` reads them (metrics/range-reader.ts): minute rollups for whole minutes, raw calls for
   * the edges and for what the collector has not folded yet. Counts are exact; percentiles are exact
   * over raw calls and within 1% where rollups contributed.
   */
  private callGroups(rule: Rule, at: number): CallGroup[] {
    const groups = new Map<string, CallGroup>();
    const latency = rule.signal.startsWith("latency_");
    for (const [server, ops] of readRange(this.db, at - rule.windowMs, at, rule.server, { latency })) {
      for (const acc of ops.values()) {
        const tool = acc.target ?? acc.method;
        if (rule.tool && tool !== rule.tool) continue;
        const labels = labelsOf(rule, { server, tool });
        const key = JSON.stringify(labels);
        let g = groups.get(key);
        if (!g) {
          g = {
            labels,
            calls: 0,
            errors: 0,
            outcomes: {},
            sketch: new DDSketch(),
            durations: [],
            fromRollups: false,
          };
          groups.set(key, g);
        }
        g.calls += acc.calls;
        g.errors += errorCount(acc.outcomes);
        for (const [outcome, n] of Object.entries(acc.outcomes))
          g.outcomes[outcome] = (g.outcomes[outcome] ?? 0) + n;
        if (latency) {
          g.sketch.merge(acc.sketch);
          for (const d of acc.durations) g.durations.push(d);
        }
        g.fromRollups ||= acc.fromRollups;
      }
    }
    return [...groups.values()].filter((g) => g.calls > 0);
  }

  private callCounts(rule: Rule, at: number): Sample[] {
    const out: Sample[] = [];
    for (const g of this.callGroups(rule, at)) {
      if (rule.signal === "error_rate") {
        if (MIN_CALLS_SIGNALS.has(rule.signal) && g.calls < rule.minCalls) continue;
        out.push({ labels: g.labels, value: g.errors / g.calls });
      } else if (rule.signal === "call_rate")
        out.push({ labels: g.labels, value: g.calls / (rule.windowMs / 60_000) });
      else out.push({ labels: g.labels, value: g.outcomes[rule.outcome ?? "timeout"] ?? 0 });
    }
    return out;
  }

  private latency(rule: Rule, at: number): Sample[] {
    const q = rule.signal === "latency_p50" ? 0.5 : rule.signal === "latency_p95" ? 0.95 : 0.99;
    const out: Sample[] = [];
    for (const g of this.callGroups(rule, at)) {
      if (MIN_CALLS_SIGNALS.has(rule.signal) && g.calls < rule.minCalls) continue;
      if (g.fromRollups) {
        out.push({ labels: g.labels, value: g.sketch.quantile(q) });
        continue;
      }
      // Nearest rank over the raw durations, as the stats' exact percentiles.
      const values = g.durations.sort((a, b) => a - b);
      const index = Math.min(values.length - 1, Math.max(0, Math.ceil(q * values.length) - 1));
      out.push({ labels: g.labels, value: values[index] ?? 0 });
    }
    return out;
  }

  private resources(rule: Rule, at: number): Sample[] {
    // Memory: the newest sample's resident set; CPU: the mean over the window (a share of one core).
    const column = rule.signal === "memory" ? "rss_bytes" : "cpu_pct";
    const sql =
      rule.signal === "memory"
        ? `SELECT server, ${column} AS value FROM resource_samples r WHERE time > ? AND time <= ?
             AND time = (SELECT max(time) FROM resource_samples s WHERE s.server = r.server AND s.time <= ?)`
        : `SELECT server, avg(${column}) / 100.0 AS value FROM resource_samples WHERE time > ? AND time <= ? GROUP BY server`;
    const params: SqlValue[] =
      rule.signal === "memory" ? [at - rule.windowMs, at, at] : [at - rule.windowMs, at];
    return (
      this.db
        .prepare(sql)
        .all(...params)
        // mcpscope's own processes are not a server (the wrappers' label sums many small processes): a
        // rule covers them only by naming them.
        .filter((row) =>
          rule.server ? row.server === rule.server : !OWN_PROCESS_LABELS.has(String(row.server)),
        )
        .filter((row) => row.value !== null)
        .map((row) => ({ labels: labelsOf(rule, row), value: Number(row.value) }))
    );
  }

  private dropped(rule: Rule, at: number): Sample[] {
    return this.grouped(
      "SELECT server, sum(dropped) AS value FROM sessions WHERE started_at <= ? AND coalesce(ended_at, ?) > ?",
      rule,
      at,
      [at, at + 1, at - rule.windowMs],
    );
  }

  private trafficAge(rule: Rule, at: number): Sample[] {
    const rows = this.db
      .prepare(
        "SELECT server, max(started_at) AS last FROM calls WHERE started_at > ? AND started_at <= ? GROUP BY server",
      )
      .all(at - 7 * 86_400_000, at);
    return rows
      .filter((row) => !rule.server || row.server === rule.server)
      .map((row) => ({ labels: labelsOf(rule, row), value: at - Number(row.last) }));
  }

  private health(rule: Rule, at: number): Sample[] {
    // The newest check of each server in the last day, at or before `at`.
    const rows = this.db
      .prepare(
        `SELECT server, state FROM health_checks h WHERE time > ? AND time <= ?
           AND time = (SELECT max(time) FROM health_checks g WHERE g.server = h.server AND g.time <= ?)`,
      )
      .all(at - 86_400_000, at, at);
    const known = this.servers?.() ?? null;
    return rows
      .filter((row) => !rule.server || row.server === rule.server)
      .filter((row) => !known || known.has(String(row.server)))
      .map((row) => ({ labels: labelsOf(rule, row), value: row.state === rule.healthState ? 1 : 0 }));
  }

  private logCount(rule: Rule, at: number): Sample[] {
    const where = ["time > ?", "time <= ?"];
    const params: SqlValue[] = [at - rule.windowMs, at];
    if (rule.level) {
      const levels = LOG_LEVELS.slice(LOG_LEVELS.indexOf(rule.level as (typeof LOG_LEVELS)[number]));
      where.push(`level IN (${levels.map(() => "?").join(", ")})`);
      params.push(...levels);
    }
    if (rule.match) {
      where.push("instr(lower(message), ?) > 0");
      params.push(rule.match.toLowerCase());
    }
    return this.grouped(
      `SELECT server, count(*) AS value FROM logs WHERE ${where.join(" AND ")}`,
      rule,
      at,
      params,
    );
  }

  private eventCount(rule: Rule, at: number): Sample[] {
    const where = ["time > ?", "time <= ?"];
    const params: SqlValue[] = [at - rule.windowMs, at];
    if (rule.category) {
      where.push("category = ?");
      params.push(rule.category);
    }
    // mcpscope's own alert events count only for a rule that asks for them (no alert feeding on itself).
    if (!rule.eventType?.startsWith("alert.")) where.push("substr(type, 1, 6) != 'alert.'");
    if (rule.eventType) {
      const type = eventTypeMatch(rule.eventType);
      where.push(type.where);
      params.push(...type.params);
    }
    if (rule.eventSeverity) {
      const allowed = EVENT_SEVERITIES.slice(
        Math.max(0, EVENT_SEVERITIES.indexOf(rule.eventSeverity as (typeof EVENT_SEVERITIES)[number])),
      );
      where.push(`severity IN (${allowed.map(() => "?").join(", ")})`);
      params.push(...allowed);
    }
    return this.grouped(
      `SELECT coalesce(server, '') AS server, count(*) AS value FROM events WHERE ${where.join(" AND ")}`,
      rule,
      at,
      params,
    );
  }

  /** `sql` selects server and value with a WHERE; this adds the server filter and GROUP BY. */
  private grouped(sql: string, rule: Rule, at: number, params?: SqlValue[]): Sample[] {
    const args = params ?? [at - rule.windowMs, at];
    let text = sql;
    if (rule.server) {
      text += " AND server = ?";
      args.push(rule.server);
    }
    text += " GROUP BY 1";
    return this.db
      .prepare(text)
      .all(...args)
      .filter((row) => Number(row.value ?? 0) > 0 || rule.op === "<" || rule.op === "<=")
      .map((row) => ({ labels: labelsOf(rule, row), value: Number(row.value ?? 0) }));
  }
}

function labelsOf(rule: Rule, row: Record<string, SqlValue>): Record<string, string> {
  const labels: Record<string, string> = {};
  if (rule.by.includes("server") && row.server !== undefined && row.server !== null && row.server !== "")
    labels.server = String(row.server);
  if (rule.by.includes("tool") && row.tool !== undefined && row.tool !== null && row.tool !== "")
    labels.tool = String(row.tool);
  return labels;
}
