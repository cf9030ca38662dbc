/** Markdown with GitHub-flavoured tables, for pasting into an issue or a pull request. */
import type { Report } from "../../../../shared/report.js";
import { formatRow, reportSentences, reportTables, type Table } from "../../../../shared/report-tables.js";
import { periodLine, scopeLine } from "./text.js";

const cellText = (text: string) => text.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\r?\n/g, " ");

function renderTable(t: Table): string {
  if (t.rows.length === 0) return `## ${t.title}\n\n${t.empty}\n`;
  const head = `| ${t.columns.map((c) => cellText(c.name)).join(" | ")} |`;
  const rule = `| ${t.columns.map((c) => (c.unit === "text" || c.unit === "time" ? "---" : "---:")).join(" | ")} |`;
  const rows = t.rows.map((row, i) => `| ${formatRow(t, row, i).map(cellText).join(" | ")} |`);
  return `## ${t.title}\n\n${[head, rule, ...rows].join("\n")}\n`;
}

export function renderMarkdown(r: Report): string {
  const t = reportTables(r);
  const say = reportSentences(r);
  const sub = (table: Table) => renderTable(table).replace(/^## /, "### ");
  return [
    `# mcpscope report\n\n${periodLine(r)}  \n${scopeLine(r)}  \nGenerated ${r.generatedAt}.\n`,
    renderTable(t.summary),
    renderTable(t.servers),
    renderTable(t.tools),
    renderTable(t.slowest),
    renderTable(t.errors),
    `## Logs\n\n${say.logs}\n`,
    r.logs.newTemplates.length ? sub(t.logs) : "",
    `## Security and changes\n\n${say.security}  \n${say.audit}\n`,
    r.security.events.length ? sub(t.security) : "",
    `## Alerts\n\n${say.alerts}${say.deliveries.length ? `  \nNotifications: ${say.deliveries.join("; ")}.` : ""}\n`,
    r.alerts.items.length ? sub(t.alerts) : "",
    `## Data\n\n${say.data}\n`,
  ]
    .filter(Boolean)
    .join("\n");
}
