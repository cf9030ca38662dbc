/** Lines every human-readable format opens with. */
import { countedNote } from "../../../../shared/metrics.js";
import type { Report } from "../../../../shared/report.js";

export function periodLine(r: Report): string {
  const counted = r.counted ? ` Note: ${countedNote(r.counted)}.` : "";
  const before = r.previous.counted
    ? ` The previous period's calls: ${countedNote(r.previous.counted)}.`
    : "";
  return `Period: ${r.since} to ${r.until} (compared with ${r.previous.since} to ${r.previous.until}). Times are in UTC.${counted}${before}`;
}

export function scopeLine(r: Report): string {
  if (r.scope.client)
    return `Scope: the servers of ${r.scope.client}${r.scope.servers ? ` among ${r.scope.servers.join(", ")}` : ""}.`;
  return r.scope.servers ? `Scope: ${r.scope.servers.join(", ")}.` : "Scope: all servers.";
}
