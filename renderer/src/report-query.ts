/** The Reports view's choices as a `reports.generate` query: pure, so it is tested without a DOM. */
import type { ReportQuery } from "../../shared/report.js";

export const REPORT_PRESETS = ["24h", "7d", "30d"] as const;
export type ReportPreset = (typeof REPORT_PRESETS)[number] | "custom";

/** `server:NAME`, `client:ID`, or "" for every server. */
export type ScopeChoice = string;

/** The query for a period and a scope; custom times are `datetime-local` values (local time). */
export function reportQuery(
  preset: ReportPreset,
  since: string,
  until: string,
  scope: ScopeChoice,
): ReportQuery {
  const query: ReportQuery = {};
  if (preset === "custom") {
    const iso = (v: string) => (v ? new Date(v).toISOString() : undefined);
    query.since = iso(since);
    query.until = iso(until);
  } else {
    query.since = preset;
  }
  if (scope.startsWith("server:")) query.servers = [scope.slice(7)];
  if (scope.startsWith("client:")) query.client = scope.slice(7);
  return query;
}
