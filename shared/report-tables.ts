/**
 * The report as tables, defined once: Markdown, HTML, PDF and the app's Reports view format the cells for
 * people, CSV writes them raw. A cell is a number (in its column's unit), text, or null (not known).
 */
import { listedTime } from "./listed-time.js";
import type { Compared, Report, ReportSection } from "./report.js";

/** `change`: a relative change (0.25 = +25%); `points`: a difference of percentages, in points. */
export type Unit = "count" | "ms" | "ratio" | "pct" | "bytes" | "time" | "text" | "change" | "points";
export type Cell = number | string | null;

export interface Column {
  name: string;
  unit: Unit;
}

export interface Table {
  section: ReportSection;
  title: string;
  columns: Column[];
  rows: Cell[][];
  /** One line shown instead of an empty table. */
  empty: string;
}

const col = (name: string, unit: Unit): Column => ({ name, unit });

/**
 * How a figure of this unit changed: a percentage (an error rate, an uptime) by its difference in points
 * (36.99% to 40.11% is +3.12 pp, not +8.43%), any other figure relatively. null when there is nothing to
 * compare with (no previous figure, or a previous count of 0).
 */
export function change(c: Compared, unit: Unit = "count"): number | null {
  if (c.value === null || c.previous === null) return null;
  if (unit === "ratio") return Math.round((c.value - c.previous) * 1_000_000) / 10_000;
  if (unit === "pct") return Math.round((c.value - c.previous) * 10_000) / 10_000;
  if (c.previous === 0) return null;
  return (c.value - c.previous) / c.previous;
}

/** The unit of `change` for a figure of this unit. */
export const changeUnit = (unit: Unit): Unit => (unit === "ratio" || unit === "pct" ? "points" : "change");

/** A figure's change as people read it (`+25%`, `+3.12 pp`), or null when there is nothing to compare. */
export function changeText(c: Compared, unit: Unit): string | null {
  const d = change(c, unit);
  return d === null ? null : formatCell(d, changeUnit(unit));
}

export const SUMMARY_ROWS: { key: keyof Report["summary"]; label: string; unit: Unit }[] = [
  { key: "calls", label: "Calls", unit: "count" },
  { key: "errors", label: "Errors", unit: "count" },
  { key: "errorRate", label: "Error rate", unit: "ratio" },
  { key: "p50", label: "p50 latency", unit: "ms" },
  { key: "p95", label: "p95 latency", unit: "ms" },
  { key: "p99", label: "p99 latency", unit: "ms" },
  { key: "activeServers", label: "Active servers", unit: "count" },
  { key: "availabilityPct", label: "Availability", unit: "pct" },
  { key: "alertsFired", label: "Alerts fired", unit: "count" },
  { key: "securityFindings", label: "Security findings", unit: "count" },
];

export function reportTables(r: Report): Record<ReportSection, Table> {
  return {
    summary: {
      section: "summary",
      title: "Summary",
      // The unit of each row differs: the value columns take it from the row (see `summaryUnit`).
      columns: [
        col("Figure", "text"),
        col("Value", "count"),
        col("Previous", "count"),
        col("Change", "change"),
      ],
      rows: SUMMARY_ROWS.map(({ key, label, unit }) => [
        label,
        r.summary[key].value,
        r.summary[key].previous,
        change(r.summary[key], unit),
      ]),
      empty: "No data in this period.",
    },
    servers: {
      section: "servers",
      title: "Servers",
      columns: [
        col("Server", "text"),
        col("Calls", "count"),
        col("Errors", "count"),
        col("Error rate", "ratio"),
        col("p50", "ms"),
        col("p95", "ms"),
        col("p99", "ms"),
        col("Uptime", "pct"),
        col("Downtimes", "count"),
        col("Longest downtime", "ms"),
        col("Crashes", "count"),
        col("Restarts", "count"),
        col("CPU mean", "pct"),
        col("CPU max", "pct"),
        col("Memory max", "bytes"),
        col("Clients", "text"),
        col("Protocol versions", "text"),
      ],
      rows: r.servers.map((s) => [
        s.server,
        s.calls,
        s.errors,
        s.errorRate,
        s.latency?.p50 ?? null,
        s.latency?.p95 ?? null,
        s.latency?.p99 ?? null,
        s.availability?.uptimePct ?? null,
        s.availability?.downtimes.length ?? null,
        s.availability ? s.availability.longestDowntimeMs : null,
        s.crashes,
        s.restarts,
        s.resources?.cpuMeanPct ?? null,
        s.resources?.cpuMaxPct ?? null,
        s.resources?.rssMaxBytes ?? null,
        s.clients.join("; "),
        s.protocolVersions.join("; "),
      ]),
      empty: "No server had calls, sessions or health checks in this period.",
    },
    downtimes: {
      section: "downtimes",
      title: "Downtimes",
      columns: [col("Server", "text"), col("Start", "time"), col("Duration", "ms"), col("Ongoing", "text")],
      rows: r.servers.flatMap((s) =>
        (s.availability?.downtimes ?? []).map((d) => [
          s.server,
          d.start,
          d.durationMs,
          d.ongoing ? "yes" : "no",
        ]),
      ),
      empty: "No server was down in this period.",
    },
    tools: {
      section: "tools",
      title: "Tools",
      columns: [
        col("Server", "text"),
        col("Tool", "text"),
        col("Calls", "count"),
        col("Errors", "count"),
        col("Tool errors", "count"),
        col("Timeouts", "count"),
        col("p50", "ms"),
        col("p95", "ms"),
        col("p99", "ms"),
        col("Previous calls", "count"),
        col("Calls change", "change"),
      ],
      rows: r.tools.map((t) => [
        t.server,
        t.tool,
        t.calls,
        t.errors,
        t.outcomes.tool_error,
        t.outcomes.timeout,
        t.latency?.p50 ?? null,
        t.latency?.p95 ?? null,
        t.latency?.p99 ?? null,
        t.previousCalls,
        change({ value: t.calls, previous: t.previousCalls }),
      ]),
      empty: "No tool calls in this period.",
    },
    slowest: {
      section: "slowest",
      title: "Slowest calls",
      columns: [
        col("Call", "count"),
        col("Server", "text"),
        col("Operation", "text"),
        col("Outcome", "text"),
        col("Started", "time"),
        col("Duration", "ms"),
      ],
      rows: r.slowest.map((c) => [
        c.id,
        c.server,
        c.target ? `${c.method} ${c.target}` : c.method,
        c.outcome,
        c.startedAt,
        c.durationMs,
      ]),
      empty: "No calls in this period.",
    },
    errors: {
      section: "errors",
      title: "Errors",
      columns: [
        col("Count", "count"),
        col("Type", "text"),
        col("Server", "text"),
        col("First seen", "time"),
        col("Last seen", "time"),
        col("Example", "text"),
        col("Fingerprint", "text"),
      ],
      rows: r.errors.map((g) => [
        g.count,
        g.type,
        g.server,
        g.firstSeen,
        g.lastSeen,
        g.message,
        g.fingerprint,
      ]),
      empty: "No errors in this period.",
    },
    logs: {
      section: "logs",
      title: "New log templates",
      columns: [
        col("Server", "text"),
        col("Level", "text"),
        col("Lines", "count"),
        col("First seen", "time"),
        col("Template", "text"),
      ],
      rows: r.logs.newTemplates.map((t) => [t.server, t.level, t.count, t.firstSeen, t.template]),
      empty: "No new log templates in this period.",
    },
    security: {
      section: "security",
      title: "Security events",
      columns: [col("Time", "time"), col("Type", "text"), col("Server", "text"), col("Message", "text")],
      rows: r.security.events.map((e) => [e.time, e.type, e.server, e.message]),
      empty: "No security events in this period.",
    },
    alerts: {
      section: "alerts",
      title: "Alerts",
      columns: [
        col("Rule", "text"),
        col("Severity", "text"),
        col("Fired", "time"),
        col("Resolved", "time"),
        col("Duration", "ms"),
        col("Summary", "text"),
      ],
      rows: r.alerts.items.map((a) => [a.rule, a.severity, a.firedAt, a.resolvedAt, a.durationMs, a.summary]),
      empty: "No alert fired or resolved in this period.",
    },
  };
}

/** A chart bucket's width as its title says it: `5 min`, `1 h`, `1 d`. */
export function bucketLabel(stepMs: number): string {
  const minutes = stepMs / 60_000;
  return minutes < 60 ? `${minutes} min` : minutes < 1440 ? `${minutes / 60} h` : `${minutes / 1440} d`;
}

/** The summary's value columns take the unit of their row (and its Change column `changeUnit` of it). */
export function summaryUnit(rowIndex: number): Unit {
  return SUMMARY_ROWS[rowIndex]?.unit ?? "text";
}

/**
 * What a raw CSV value of this unit is, written after a column's name (`p95 (ms)`): a spreadsheet user
 * reading `0.3` or `3600000` cannot tell a ratio from a percentage or a duration's unit otherwise.
 * Counts and text need none.
 */
export const CSV_UNIT: Record<Unit, string | null> = {
  count: null,
  text: null,
  ms: "ms",
  ratio: "ratio 0-1",
  pct: "%",
  bytes: "bytes",
  time: "UTC",
  change: "ratio, 0.25 = +25%",
  points: "percentage points",
};

/** A column's CSV header: its name and the unit of its raw values. */
export function csvHeader(name: string, unit: Unit): string {
  const u = CSV_UNIT[unit];
  return u ? `${name} (${u})` : name;
}

/** A cell for people: `1,234`, `12.5 ms`, `3.2%`, `1.2 MiB`, `+25%`, `—` for unknown. */
export function formatCell(value: Cell, unit: Unit): string {
  if (value === null || value === "") return "—";
  if (typeof value === "string") return unit === "time" ? listedTime(value) : value;
  switch (unit) {
    case "count":
      return value.toLocaleString("en-US");
    case "ms":
      return formatMs(value);
    case "ratio":
      return `${trim(value * 100)}%`;
    case "pct":
      return `${trim(value)}%`;
    case "bytes":
      return formatBytes(value);
    case "change":
      return `${value >= 0 ? "+" : ""}${trim(value * 100)}%`;
    case "points":
      return `${value >= 0 ? "+" : ""}${trim(value)} pp`;
    default:
      return String(value);
  }
}

function trim(v: number): string {
  return (Math.round(v * 100) / 100).toString();
}

export function formatMs(ms: number): string {
  if (ms >= 3_600_000) return `${trim(ms / 3_600_000)} h`;
  if (ms >= 60_000) return `${trim(ms / 60_000)} min`;
  if (ms >= 1000) return `${trim(ms / 1000)} s`;
  return `${trim(ms)} ms`;
}

export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

/**
 * Formats a row of a table (the summary's value columns by their row's unit). Exports write times in UTC
 * (`…Z`, and say so); the app passes `time` to write them as it writes every other time.
 */
export function formatRow(
  table: Table,
  row: Cell[],
  rowIndex: number,
  time?: (iso: string) => string,
): string[] {
  return row.map((cell, i) => {
    const unit =
      table.section === "summary" && (i === 1 || i === 2)
        ? summaryUnit(rowIndex)
        : table.section === "summary" && i === 3
          ? changeUnit(summaryUnit(rowIndex))
          : (table.columns[i]?.unit ?? "text");
    if (unit === "time" && time && typeof cell === "string" && cell !== "") return time(cell);
    return formatCell(cell, unit);
  });
}
