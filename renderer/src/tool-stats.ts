/** Per-tool rows from a stats document (the Overview's tables and the Tools view). */
import type { OutcomeCounts, StatsDocument } from "../../shared/domain.js";

export interface ToolRow {
  /** `server\0tool`: unique per row. */
  key: string;
  server: string;
  tool: string;
  calls: number;
  errors: number;
  /** errors / calls, 0..1 */
  errorRate: number;
  outcomes: OutcomeCounts;
  p50: number;
  p95: number;
  p99: number;
}

/** Every `tools/call` operation of every server, as one row per (server, tool). */
export function toolRows(doc: StatsDocument | null): ToolRow[] {
  if (!doc) return [];
  const rows: ToolRow[] = [];
  for (const server of doc.servers) {
    for (const op of server.operations) {
      if (op.method !== "tools/call" || op.target === null) continue;
      rows.push({
        key: `${server.server}\u0000${op.target}`,
        server: server.server,
        tool: op.target,
        calls: op.calls,
        errors: op.errors,
        errorRate: op.calls ? op.errors / op.calls : 0,
        outcomes: op.outcomes as OutcomeCounts,
        p50: op.latency_ms.p50,
        p95: op.latency_ms.p95,
        p99: op.latency_ms.p99,
      });
    }
  }
  return rows;
}

/** Calls and failures over every operation of every server. */
export function totals(doc: StatsDocument | null): { calls: number; errors: number } {
  let calls = 0;
  let errors = 0;
  for (const s of doc?.servers ?? []) {
    calls += s.calls;
    errors += s.errors;
  }
  return { calls, errors };
}

/** Tools that failed, most failures first. */
export function topFailing(rows: readonly ToolRow[], n: number): ToolRow[] {
  return rows
    .filter((r) => r.errors > 0)
    .sort((a, b) => b.errors - a.errors || b.errorRate - a.errorRate || a.tool.localeCompare(b.tool))
    .slice(0, n);
}

/** Tools by p95 latency, slowest first. */
export function slowest(rows: readonly ToolRow[], n: number): ToolRow[] {
  return [...rows].sort((a, b) => b.p95 - a.p95 || a.tool.localeCompare(b.tool)).slice(0, n);
}
