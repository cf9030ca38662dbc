/** Markdown with GitHub-flavoured tables, for pasting into an issue or a pull request. */
import type { Report } from "../../../../shared/report.js";
import { formatRow, reportTables, type Table } from "../../../../shared/report-tables.js";
import { reportSentences } from "../../../../shared/report-words.js";
import { generatedLine, periodLine, scopeLine } from "./text.js";

const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;" };

/**
 * Recorded text (server, tool and client names, messages) as Markdown that shows it literally: no HTML
 * tag, entity, link, image, code span, emphasis or strikethrough a server chose reaches the reader's
 * viewer, and no `|` or line break cuts a table row. Bare URLs (`https://…`, `www.…`) are broken up so
 * that GitHub does not make them links; an email address may still become a `mailto:` link.
 */
export function markdownText(text: string): string {
  return text
    .replace(/[\\`*_~[\]|]/g, (c) => `\\${c}`)
    .replace(/[&<>]/g, (c) => ENTITIES[c] ?? c)
    .replace(/:(?=\/\/)/g, "&#58;")
    .replace(/\b(www)\./gi, "$1\\.")
    .replace(/\r?\n|\r/g, " ");
}

function renderTable(t: Table): string {
  if (t.rows.length === 0) return `## ${t.title}\n\n${t.empty}\n`;
  const head = `| ${t.columns.map((c) => markdownText(c.name)).join(" | ")} |`;
  const rule = `| ${t.columns.map((c) => (c.unit === "text" || c.unit === "time" ? "---" : "---:")).join(" | ")} |`;
  const rows = t.rows.map((row, i) => `| ${formatRow(t, row, i).map(markdownText).join(" | ")} |`);
  return `## ${t.title}\n\n${[head, rule, ...rows].join("\n")}\n`;
}

export function renderMarkdown(r: Report): string {
  const t = reportTables(r);
  const say = reportSentences(r);
  const sub = (table: Table) => renderTable(table).replace(/^## /, "### ");
  return [
    `# mcpscope report\n\n${markdownText(periodLine(r))}  \n${markdownText(scopeLine(r))}  \n${markdownText(generatedLine(r))}\n`,
    renderTable(t.summary),
    renderTable(t.servers),
    t.downtimes.rows.length ? sub(t.downtimes) : "",
    renderTable(t.tools),
    renderTable(t.slowest),
    renderTable(t.errors),
    `## Logs\n\n${markdownText(say.logs)}\n`,
    r.logs.newTemplates.length ? sub(t.logs) : "",
    `## Security and changes\n\n${markdownText(say.security)}  \n${markdownText(say.audit)}\n`,
    r.security.events.length ? sub(t.security) : "",
    `## Alerts\n\n${markdownText(say.alerts)}${say.deliveries.length ? `  \nNotifications: ${markdownText(say.deliveries.join("; "))}.` : ""}\n`,
    r.alerts.items.length ? sub(t.alerts) : "",
    `## Data\n\n${markdownText(say.data)}\n`,
  ]
    .filter(Boolean)
    .join("\n");
}
