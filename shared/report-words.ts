/**
 * The report's sentences, worded once for every format and the app's view: what the period is compared
 * with, what the period line adds about the data behind it, and the one-line sections.
 */
import { plural } from "./plural.js";
import type { Compared, Report } from "./report.js";
import { formatBytes, formatCell, formatMs } from "./report-tables.js";

const SPANS: [number, string][] = [
  [86_400_000, "day"],
  [3_600_000, "hour"],
  [60_000, "minute"],
  [1000, "second"],
];

/** A period's length in its own words: `the previous 30 days`, `the previous 25 minutes`, `the previous day`. */
export function previousPeriodWords(ms: number): string {
  const [size, unit] = SPANS.find(([size]) => ms >= size && ms % size === 0) ?? [0, ""];
  if (size === 0) return `the previous ${formatMs(ms)}`;
  const n = ms / size;
  return n === 1 ? `the previous ${unit}` : `the previous ${plural(n, unit)}`;
}

/** Why a report's previous call figures are null (—): there is nothing to compare this period's with. */
export const NO_PREVIOUS_CALLS = "no calls recorded in the previous period";

const sentence = (words: string) => `${words.charAt(0).toUpperCase()}${words.slice(1)}`;

/** Whether a summary figure is the calls count of a period with no previous calls to compare it with. */
export function nothingToCompare(key: keyof Report["summary"], c: Compared): boolean {
  return key === "calls" && c.value !== null && c.previous === null;
}

/**
 * What the period line adds when the store's data starts after a period's start (a period before any call
 * was recorded is not a quiet period), or when the previous period holds no call to compare with. Empty
 * when both are wholly recorded and the previous one has calls.
 */
export function recordedNote(
  r: Report,
  time: (iso: string) => string = (t) => formatCell(t, "time"),
): string {
  const from = r.data.recordedFrom;
  if (from === undefined) return "";
  if (from === null) return "Nothing has been recorded yet: no call figures.";
  const at = time(from);
  const before = (t: string) => Date.parse(t) < Date.parse(from);
  const parts: string[] = [];
  if (before(r.until))
    parts.push(`This period ends before the first recorded data (${at}): it was not recorded.`);
  else if (before(r.since))
    parts.push(`Data starts at ${at}: the part of this period before it was not recorded.`);
  if (before(r.previous.until)) {
    if (!before(r.until))
      parts.push(`${sentence(NO_PREVIOUS_CALLS)} (data starts at ${at}): nothing to compare with.`);
  } else if (r.summary.calls.previous === null)
    parts.push(`${sentence(NO_PREVIOUS_CALLS)}: nothing to compare with.`);
  else if (before(r.previous.since)) parts.push(`The previous period is recorded from ${at} only.`);
  return parts.join(" ");
}

/** What the period line adds for a period that ends after the report was made: the rest is yet to come. */
export function unfinishedNote(
  r: Report,
  time: (iso: string) => string = (t) => formatCell(t, "time"),
): string {
  if (Date.parse(r.generatedAt) >= Date.parse(r.until)) return "";
  return `Made at ${time(r.generatedAt)}, before the period's end: its figures run to then; the rest has not happened yet.`;
}

/** The report's one-line parts, worded once for every format and the app's view. */
export function reportSentences(r: Report): {
  logs: string;
  security: string;
  audit: string;
  alerts: string;
  deliveries: string[];
  data: string;
} {
  const levels = Object.entries(r.logs.levels)
    .filter(([, n]) => n > 0)
    .map(([level, n]) => `${level} ${formatCell(n, "count")}`)
    .join(", ");
  const s = r.security;
  const a = r.alerts;
  const source =
    r.data.source === "none"
      ? "no calls"
      : r.data.source === "rollups"
        ? "rollups and raw calls"
        : "raw calls";
  return {
    logs: r.logs.total
      ? `${plural(r.logs.total, "line", "lines", (n) => formatCell(n, "count"))}: ${levels}.`
      : "No log lines in this period.",
    security: `Tool-definition changes: ${s.definitionChanges}; approvals: ${s.approvals}; poisoning findings: ${s.poisoningFindings}; secret findings: ${s.secretFindings}.`,
    audit: s.audit.ok
      ? `Audit chain verified: ${formatCell(s.audit.records, "count")} records.`
      : `Audit chain BROKEN at ${s.audit.problem}.`,
    alerts: `Fired: ${a.fired}; resolved: ${a.resolved}${a.meanTimeToResolveMs !== null ? `; mean time to resolve: ${formatCell(a.meanTimeToResolveMs, "ms")}` : ""}.`,
    deliveries: a.deliveries.map(
      (d) => `${d.channel}: ${d.delivered} delivered, ${d.failed} failed, ${d.pending} pending`,
    ),
    data: `Database ${formatBytes(r.data.databaseBytes)}; dropped observations: ${r.data.dropped}; figures from ${source}; latency ${r.data.accuracy}.`,
  };
}
