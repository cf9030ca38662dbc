/** CSV (RFC 4180): one table per file, raw values (ms, ratios, bytes, ISO times), CRLF line ends. */
import type { Report, ReportSection } from "../../../../shared/report.js";
import { type Cell, reportTables } from "../../../../shared/report-tables.js";

function field(value: Cell): string {
  if (value === null) return "";
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function renderCsv(r: Report, section: ReportSection = "servers"): string {
  const t = reportTables(r)[section];
  const lines = [t.columns.map((c) => field(c.name)), ...t.rows.map((row) => row.map(field))];
  return `${lines.map((l) => l.join(",")).join("\r\n")}\r\n`;
}
