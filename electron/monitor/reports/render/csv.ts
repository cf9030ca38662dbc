/** CSV (RFC 4180): one table per file, raw values (ms, ratios, bytes, ISO times), CRLF line ends. */
import { toCsv } from "../../../../shared/files.js";
import type { Report, ReportSection } from "../../../../shared/report.js";
import { reportTables } from "../../../../shared/report-tables.js";

export function renderCsv(r: Report, section: ReportSection = "servers"): string {
  const t = reportTables(r)[section];
  return toCsv(
    t.columns.map((c) => c.name),
    t.rows,
  );
}
