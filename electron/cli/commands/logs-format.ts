/**
 * Log records and patterns as terminal text. Server logs are attacker-controlled: control characters
 * (ANSI escapes above all, which could rewrite the terminal) are shown as `\xNN`, never emitted.
 */

import { listedTime } from "../../../shared/listed-time.js";
import type { LogPatternsDocument, LogRecord } from "../../../shared/logs.js";
import { plural } from "../../../shared/plural.js";
import { renderTable } from "../table.js";
import { cellText, terminalSafe } from "../terminal-text.js";

/**
 * `2026-11-25 13:59:58.120Z  ERROR     files  message`, continuation lines indented. The server and
 * logger are one-line fields: a newline in them would start a line that reads as another record.
 */
export function formatRecord(record: LogRecord, serverWidth = 12): string {
  const head = `${listedTime(record.time, { ms: true })}  ${record.level.toUpperCase().padEnd(9)} ${cellText(record.server).padEnd(serverWidth)} `;
  const logger = record.logger ? `${cellText(record.logger)}: ` : "";
  const [first = "", ...rest] = record.message.split("\n");
  const lines = [`${head}${logger}${terminalSafe(first)}`, ...rest.map((l) => `    ${terminalSafe(l)}`)];
  return `${lines.join("\n")}\n`;
}

/** `filters`: the filter flags given, as typed, for an empty answer to name them. */
export function formatPatterns(doc: LogPatternsDocument, filters = ""): string {
  const totals = Object.entries(doc.levels)
    .filter(([, n]) => n > 0)
    .map(([level, n]) => `${level} ${n}`)
    .join(", ");
  const header = `Log patterns from ${listedTime(doc.since, { ms: true })} to ${listedTime(doc.until, { ms: true })}: ${doc.patterns.length} template${doc.patterns.length === 1 ? "" : "s"}; lines ${totals || "none"}\n`;
  if (doc.patterns.length === 0) return `${header}${emptyPatterns(doc.storedTemplates, filters)}\n`;
  return `${header}\n${renderTable(
    // Templates keep one running count, not one per minute: in a window the count is still all time.
    ["COUNT (ALL TIME)", "LEVEL", "SERVER", "LAST SEEN", "TEMPLATE"],
    doc.patterns.map((p) => [p.count, p.level, p.server, listedTime(p.lastSeen, { ms: true }), p.template]),
    [0],
    { 4: 100 },
  )}\n`;
}

/** Why no template shows: none mined yet, or filters (the default range of 24h among them) hide them all. */
function emptyPatterns(stored: number, filters: string): string {
  if (stored === 0)
    return "No templates yet: they appear once servers wrapped with `mcpscope run` log something.";
  const all = `${plural(stored, "template")} in all`;
  return filters
    ? `No templates match ${filters} (${all}).`
    : `No templates were seen in the last 24h (${all}); try a longer --since.`;
}
