/**
 * The metric set `collectMetrics()` returns: per server, method and target over a window, the counts by
 * outcome, error rate, bytes and latency percentiles from the merged sketches.
 */
import { errorCount } from "../../../shared/domain.js";
import type { Db } from "../store/db.js";
import { type OperationAccumulator, readRange } from "./range-reader.js";

export interface MetricSeries {
  server: string;
  method: string;
  target: string | null;
  calls: number;
  errors: number;
  /** errors / calls, 0..1. */
  errorRate: number;
  outcomes: Record<string, number>;
  bytesIn: number;
  bytesOut: number;
  /** From the merged DDSketch: within 1% of the exact nearest-rank value; `max` is exact. */
  latencyMs: { p50: number; p95: number; p99: number; max: number };
}

export interface MetricSet {
  /** Epoch ms; the window is [since, until]. */
  since: number;
  until: number;
  series: MetricSeries[];
}

export function metricSet(db: Db, since: number, until: number): MetricSet {
  const series: MetricSeries[] = [];
  for (const ops of readRange(db, since, until).values()) {
    for (const acc of ops.values()) series.push(toSeries(acc));
  }
  series.sort(
    (a, b) =>
      a.server.localeCompare(b.server) ||
      a.method.localeCompare(b.method) ||
      (a.target ?? "").localeCompare(b.target ?? ""),
  );
  return { since, until, series };
}

function toSeries(acc: OperationAccumulator): MetricSeries {
  const errors = errorCount(acc.outcomes);
  const s = acc.sketch;
  return {
    server: acc.server,
    method: acc.method,
    target: acc.target,
    calls: acc.calls,
    errors,
    errorRate: acc.calls ? errors / acc.calls : 0,
    outcomes: acc.outcomes,
    bytesIn: acc.bytesIn,
    bytesOut: acc.bytesOut,
    latencyMs: {
      p50: s.quantile(0.5),
      p95: s.quantile(0.95),
      p99: s.quantile(0.99),
      max: s.count ? s.max : 0,
    },
  };
}
