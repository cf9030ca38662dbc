/** Lines every human-readable format opens with. */
import { countedNote } from "../../../../shared/metrics.js";
import type { Report } from "../../../../shared/report.js";
import { recordedNote, unfinishedNote } from "../../../../shared/report-words.js";
import type { ClientServer } from "../client-scope.js";

export function periodLine(r: Report): string {
  const counted = r.counted ? ` Note: ${countedNote(r.counted)}.` : "";
  const before = r.previous.counted
    ? ` The previous period's calls: ${countedNote(r.previous.counted)}.`
    : "";
  const notes = [unfinishedNote(r), recordedNote(r)]
    .filter(Boolean)
    .map((n) => ` ${n}`)
    .join("");
  return `Period: ${r.since} to ${r.until} (compared with ${r.previous.since} to ${r.previous.until}). Times are in UTC.${counted}${before}${notes}`;
}

/** `Generated 2026-12-07T06:20:00.000Z by mcpscope 0.1.0.` */
export function generatedLine(r: Report): string {
  return `Generated ${r.generatedAt}${r.generator ? ` by ${r.generator}` : ""}.`;
}

export function scopeLine(r: Report): string {
  if (r.scope.client && r.scope.clientServers) return clientScopeWords(r.scope.client, r.scope.clientServers);
  if (r.scope.client)
    return `Scope: the servers of ${r.scope.client}${r.scope.servers ? ` among ${r.scope.servers.join(", ")}` : ""}.`;
  return r.scope.servers ? `Scope: ${r.scope.servers.join(", ")}.` : "Scope: all servers.";
}

/** The scope line's words for a client scope: what was counted, and what the names shared bring in. */
function clientScopeWords(client: string, servers: readonly ClientServer[]): string {
  const counted = servers.filter((s) => s.counted);
  const parts = [
    `Scope: the servers of ${client} (configured there now, or launched by it in the period): ${
      counted.length ? counted.map((s) => s.server).join(", ") : "none"
    }.`,
  ];
  for (const s of servers) {
    const others = s.otherClients.join(", ");
    if (!s.counted)
      parts.push(
        `${s.server} is configured in ${client} but not counted: every session of that name was launched by ${others}.`,
      );
    else if (s.otherClients.length)
      parts.push(
        `${s.server}'s figures include the calls of ${others}, which runs a server of the same name.`,
      );
    if (s.counted && !s.configured) parts.push(`${s.server} is no longer configured in ${client}.`);
  }
  return parts.join(" ");
}
