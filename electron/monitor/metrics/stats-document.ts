/**
 * The stats document (`mcpscope stats`, `stats.get`, a report's calls): per server and operation, counts,
 * outcomes, bytes and latency over a range, from one read of it (see range-reader.ts). Counts and bytes
 * are exact; latency percentiles are exact nearest-rank for operations read only from raw calls, within
 * 1% where rollups contributed.
 */
import {
  errorCount,
  type Latency,
  type OperationStats,
  OUTCOMES,
  type Outcome,
  type OutcomeCounts,
  type ServerStats,
  type StatsDocument,
} from "../../../shared/domain.js";
import type { Db } from "../store/db.js";
import type { TimeRange } from "../store/queries.js";
import { iso } from "../time.js";
import { DDSketch } from "./ddsketch.js";
import { countedJson } from "./range-plan.js";
import { type OperationAccumulator, type RangeData, readCountedRange } from "./range-reader.js";

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? 0;
}

function latency(durations: number[]): Latency {
  const sorted = [...durations].sort((a, b) => a - b);
  const round = (v: number) => Math.round(v * 1000) / 1000;
  return {
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted[sorted.length - 1] ?? 0),
  };
}

function sketchLatency(sketch: DDSketch): Latency {
  const round = (v: number) => Math.round(v * 1000) / 1000;
  return {
    p50: round(sketch.quantile(0.5)),
    p95: round(sketch.quantile(0.95)),
    p99: round(sketch.quantile(0.99)),
    max: round(sketch.count ? sketch.max : 0),
  };
}

/**
 * Latency over several operations together: exact nearest-rank from raw durations when no rollup
 * contributed, else from their merged sketches (within 1%).
 */
export function mergedLatency(accs: Iterable<OperationAccumulator>): Latency {
  const list = [...accs];
  if (list.some((a) => a.fromRollups)) {
    const sketch = new DDSketch();
    for (const a of list) sketch.merge(a.sketch);
    return sketchLatency(sketch);
  }
  return latency(list.flatMap((a) => a.durations));
}

function emptyOutcomes(): OutcomeCounts {
  return Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as OutcomeCounts;
}

/**
 * The stats document: every request method is an operation (`tools/call` once per tool). Long ranges
 * read rollups (see metrics/range-reader.ts): counts and bytes stay exact; latency percentiles are exact
 * nearest-rank for operations read only from raw calls, within 1% where rollups contributed.
 */
export function statsDocument(db: Db, range: TimeRange, server?: string): StatsDocument {
  const { data, toClient, counted } = readCountedRange(db, range.since, range.until, server);
  const doc = statsFromRange(data, range, toClient);
  return counted ? { ...doc, counted: countedJson(counted) } : doc;
}

/** Per operation, busiest first. */
function operationStats(accs: Iterable<OperationAccumulator>): OperationStats[] {
  const ops: OperationStats[] = [];
  for (const acc of accs) {
    const outcomes = emptyOutcomes();
    for (const [outcome, n] of Object.entries(acc.outcomes)) outcomes[outcome as Outcome] = n;
    ops.push({
      method: acc.method,
      target: acc.target,
      calls: acc.calls,
      errors: errorCount(acc.outcomes),
      outcomes,
      latency_ms: acc.fromRollups ? sketchLatency(acc.sketch) : latency(acc.durations),
      bytes_in: acc.bytesIn,
      bytes_out: acc.bytesOut,
    });
  }
  return ops.sort(
    (a, b) =>
      b.calls - a.calls || a.method.localeCompare(b.method) || (a.target ?? "").localeCompare(b.target ?? ""),
  );
}

/**
 * The stats document of data already read (a report reads once and derives more from the same data):
 * the server's figures from `data`, and the requests it sent its client, listed apart, from `toClient`.
 */
export function statsFromRange(data: RangeData, range: TimeRange, toClient?: RangeData): StatsDocument {
  const names = new Set([...data.keys(), ...(toClient?.keys() ?? [])]);
  const servers: ServerStats[] = [...names]
    .sort((a, b) => a.localeCompare(b))
    .map((name) => {
      const operations = operationStats(data.get(name)?.values() ?? []);
      const asked = operationStats(toClient?.get(name)?.values() ?? []);
      const calls = operations.reduce((n, op) => n + op.calls, 0);
      const errors = operations.reduce((n, op) => n + op.errors, 0);
      return {
        server: name,
        calls,
        errors,
        error_rate: calls ? Math.round((errors / calls) * 10000) / 10000 : 0,
        operations,
        ...(asked.length ? { requests_to_client: asked } : {}),
      };
    });
  const accs = [...data.values()].flatMap((ops) => [...ops.values()]).filter((a) => a.calls > 0);
  const latency_ms = accs.length ? mergedLatency(accs) : null;
  return { since: iso(range.since), until: iso(range.until), latency_ms, servers };
}
