import { cellText } from "./terminal-text.js";

/**
 * Plain aligned tables for terminal output. Every cell is made terminal-safe here (see cellText), so no
 * command prints server- or client-controlled text raw; `maxWidths[c]` cuts column c's cells.
 */
export function renderTable(
  headers: string[],
  rows: Array<Array<string | number>>,
  rightAlign: number[] = [],
  maxWidths: Partial<Record<number, number>> = {},
): string {
  const cells = [headers, ...rows].map((r) => r.map((cell, c) => cellText(String(cell), maxWidths[c])));
  const widths = headers.map((_, c) => Math.max(...cells.map((r) => (r[c] ?? "").length)));
  return cells
    .map((row) =>
      row
        .map((cell, c) =>
          rightAlign.includes(c) ? cell.padStart(widths[c] ?? 0) : cell.padEnd(widths[c] ?? 0),
        )
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

export function formatMs(ms: number): string {
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)}s`;
  if (ms >= 100) return `${Math.round(ms)}ms`;
  return `${ms.toFixed(1)}ms`;
}
