/** Markdown with GitHub-flavoured tables, for pasting into an issue or a pull request. */
import type { Report } from "../../../../shared/report.js";
import {
  formatBytes,
  formatCell,
  formatRow,
  reportTables,
  type Table,
} from "../../../../shared/report-tables.js";
import { periodLine, scopeLine } from "./text.js";

const cellText = (text: string) => text.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\r?\n/g, " ");

function table(t: Table): string {
  if (t.rows.length === 0) return `## ${t.title}\n\n${t.empty}\n`;
  const head = `| ${t.columns.map((c) => cellText(c.name)).join(" | ")} |`;
  const rule = `| ${t.columns.map((c) => (c.unit === "text" || c.unit === "time" ? "---" : "---:")).join(" | ")} |`;
  const rows = t.rows.map((row, i) => `| ${formatRow(t, row, i).map(cellText).join(" | ")} |`);
  return `## ${t.title}\n\n${[head, rule, ...rows].join("\n")}\n`;
}

export function renderMarkdown(r: Report): string {
  const t = reportTables(r);
  const levels = Object.entries(r.logs.levels)
    .filter(([, n]) => n > 0)
    .map(([level, n]) => `${level} ${formatCell(n, "count")}`)
    .join(", ");
  const audit = r.security.audit.ok
    ? `Audit chain: verified, ${formatCell(r.security.audit.records, "count")} records.`
    : `Audit chain: BROKEN at ${r.security.audit.problem}.`;
  const deliveries = r.alerts.deliveries.map(
    (d) => `${d.channel}: ${d.delivered} delivered, ${d.failed} failed, ${d.pending} pending`,
  );
  return [
    `# mcpscope report\n\n${periodLine(r)}  \n${scopeLine(r)}  \nGenerated ${r.generatedAt}.\n`,
    table(t.summary),
    table(t.servers),
    table(t.tools),
    table(t.slowest),
    table(t.errors),
    `## Logs\n\n${r.logs.total ? `${formatCell(r.logs.total, "count")} lines: ${levels}.` : "No log lines in this period."}\n`,
    r.logs.newTemplates.length ? table(t.logs).replace(/^## /, "### ") : "",
    `## Security and changes\n\nTool-definition changes: ${r.security.definitionChanges}; approvals: ${r.security.approvals}; poisoning findings: ${r.security.poisoningFindings}; secret findings: ${r.security.secretFindings}.  \n${audit}\n`,
    r.security.events.length ? table(t.security).replace(/^## /, "### ") : "",
    `## Alerts\n\nFired: ${r.alerts.fired}; resolved: ${r.alerts.resolved}${r.alerts.meanTimeToResolveMs !== null ? `; mean time to resolve: ${formatCell(r.alerts.meanTimeToResolveMs, "ms")}` : ""}.${deliveries.length ? `  \nNotifications: ${deliveries.join("; ")}.` : ""}\n`,
    r.alerts.items.length ? table(t.alerts).replace(/^## /, "### ") : "",
    `## Data\n\nDatabase: ${formatBytes(r.data.databaseBytes)}; dropped observations: ${r.data.dropped}; figures from ${r.data.source === "none" ? "no calls" : r.data.source === "rollups" ? "rollups and raw calls" : "raw calls"}; latency ${r.data.accuracy}.\n`,
  ]
    .filter(Boolean)
    .join("\n");
}
