/**
 * CSV (RFC 4180): one table per file, raw values (ms, ratios, bytes, ISO times), CRLF line ends. Each
 * header names its values' unit; the summary, whose rows differ in unit, has a unit column for its values
 * and one for their change, after the values.
 */
import { toCsv } from "../../../../shared/files.js";
import type { Report, ReportSection } from "../../../../shared/report.js";
import {
  CSV_UNIT,
  changeUnit,
  csvHeader,
  reportTables,
  summaryUnit,
  type Unit,
} from "../../../../shared/report-tables.js";

export function renderCsv(r: Report, section: ReportSection = "servers"): string {
  const t = reportTables(r)[section];
  if (section === "summary") {
    // The first four columns as in the other formats; the units after them, so that a script reading
    // columns by position reads the same values.
    const unitOf = (unit: Unit) => CSV_UNIT[unit] ?? unit;
    return toCsv(
      ["Figure", "Value", "Previous", "Change", "Unit", "Change unit"],
      t.rows.map((row, i) => [...row, unitOf(summaryUnit(i)), unitOf(changeUnit(summaryUnit(i)))]),
    );
  }
  return toCsv(
    t.columns.map((c) => csvHeader(c.name, c.unit)),
    t.rows,
  );
}
