/**
 * One self-contained HTML file: inline CSS, inline SVG charts, no script and no network request. It
 * follows the OS light or dark setting; a wide table scrolls sideways within its box on screen, and prints
 * whole on a landscape page with a page break before each section.
 */
import type { Report } from "../../../../shared/report.js";
import { formatRow, reportTables, type Table } from "../../../../shared/report-tables.js";
import { reportSentences } from "../../../../shared/report-words.js";
import { reportCharts } from "./charts.js";
import { generatedLine, periodLine, scopeLine } from "./text.js";

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const CSS = `
:root { color-scheme: light dark; --fg: #1c1e21; --muted: #606770; --bg: #ffffff; --line: #dde1e6; --bad: #c62828; }
@media (prefers-color-scheme: dark) { :root { --fg: #e4e6eb; --muted: #a0a4ab; --bg: #17181b; --line: #33363c; --bad: #ff6b6b; } }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); margin: 2rem auto; max-width: 1100px; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; } h2 { font-size: 1.2rem; margin: 2rem 0 .5rem; border-bottom: 1px solid var(--line); padding-bottom: .25rem; }
h3 { font-size: 1rem; margin: 1.25rem 0 .4rem; }
.meta, .empty { color: var(--muted); } .empty { font-style: italic; }
.wide { overflow-x: auto; margin: .25rem 0 1rem; }
table { border-collapse: collapse; width: 100%; font-size: 12.5px; }
th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; overflow-wrap: break-word; }
th { color: var(--muted); font-weight: 600; } td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.bad { color: var(--bad); font-weight: 600; }
figure { margin: .5rem 0 1rem; } figcaption { color: var(--muted); font-size: 12px; } figure svg { max-width: 100%; height: auto; }
@page { size: A4 landscape; margin: 12mm; }
@media print { body { margin: 0; max-width: none; font-size: 11px; } h2 { break-before: page; } section:first-of-type h2 { break-before: auto; }
  .wide { overflow: visible; } table { font-size: 8.5px; } th, td { padding: .2rem .3rem; } td { overflow-wrap: anywhere; }
  tr, figure { break-inside: avoid; } thead { display: table-header-group; } }
`;

const numeric = (unit: string) => unit !== "text" && unit !== "time";

function table(t: Table, heading = "h2"): string {
  const head = `<${heading}>${escapeHtml(t.title)}</${heading}>`;
  if (t.rows.length === 0) return `${head}<p class="empty">${escapeHtml(t.empty)}</p>`;
  const ths = t.columns
    .map((c) => `<th${numeric(c.unit) ? ' class="n"' : ""}>${escapeHtml(c.name)}</th>`)
    .join("");
  const rows = t.rows.map((row, i) => {
    const cells = formatRow(t, row, i).map((text, j) => {
      const unit = t.columns[j]?.unit ?? "text";
      const cls = numeric(unit) || (t.section === "summary" && j > 0) ? "n" : "";
      return `<td${cls ? ` class="${cls}"` : ""}>${escapeHtml(text)}</td>`;
    });
    return `<tr>${cells.join("")}</tr>`;
  });
  // Scrolls sideways within its own box on a narrow screen rather than squeeze a name to a letter a line.
  return `${head}<div class="wide"><table><thead><tr>${ths}</tr></thead><tbody>${rows.join("")}</tbody></table></div>`;
}

export function renderHtml(r: Report): string {
  const t = reportTables(r);
  const say = reportSentences(r);
  const p = (text: string, cls = "") => `<p${cls ? ` class="${cls}"` : ""}>${escapeHtml(text)}</p>`;
  const charts = reportCharts(r)
    .map((c) => `<figure>${c.svg}<figcaption>${escapeHtml(c.title)}</figcaption></figure>`)
    .join("");
  const notifications = say.deliveries.length ? p(`Notifications: ${say.deliveries.join("; ")}.`) : "";
  const sections = [
    `<section>${table(t.summary)}${charts}</section>`,
    `<section>${table(t.servers)}${t.downtimes.rows.length ? table(t.downtimes, "h3") : ""}</section>`,
    `<section>${table(t.tools)}${r.slowest.length ? table(t.slowest, "h3") : ""}</section>`,
    `<section>${table(t.errors)}</section>`,
    `<section><h2>Logs</h2>${p(say.logs, r.logs.total ? "" : "empty")}${r.logs.newTemplates.length ? table(t.logs, "h3") : ""}</section>`,
    `<section><h2>Security and changes</h2>${p(say.security)}${p(say.audit, r.security.audit.ok ? "" : "bad")}${r.security.events.length ? table(t.security, "h3") : ""}</section>`,
    `<section><h2>Alerts</h2>${p(say.alerts)}${notifications}${r.alerts.items.length ? table(t.alerts, "h3") : ""}</section>`,
    `<section><h2>Data</h2>${p(say.data)}</section>`,
  ];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>mcpscope report ${escapeHtml(r.since.slice(0, 10))} to ${escapeHtml(r.until.slice(0, 10))}</title>
<style>${CSS}</style></head>
<body><header><h1>mcpscope report</h1><p class="meta">${escapeHtml(periodLine(r))}<br>${escapeHtml(scopeLine(r))}<br>${escapeHtml(generatedLine(r))}</p></header>
${sections.join("\n")}
</body></html>
`;
}
