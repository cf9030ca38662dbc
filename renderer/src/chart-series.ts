/** `metrics.series` points as chart points: one per step, with gaps (missing buckets) as nulls. */
import type { MetricsSeries, SeriesPoint } from "../../shared/metrics.js";
import type { ChartPoint } from "./chart-types.js";

/** `value(point, minutes the bucket spans so far)`, for every bucket from the first to the last, null where none was returned. */
export function chartPoints(
  doc: MetricsSeries | null,
  value: (point: SeriesPoint, minutes: number) => number | null,
): ChartPoint[] {
  if (!doc || doc.points.length === 0) return [];
  const step = doc.step_ms;
  const minutes = step / 60_000;
  const byTime = new Map(doc.points.map((p) => [Date.parse(p.time), p]));
  const first = Date.parse(doc.points[0]?.time ?? "");
  const last = Date.parse(doc.points.at(-1)?.time ?? "");
  const out: ChartPoint[] = [];
  const until = Date.parse(doc.until);
  for (let t = first; t <= last; t += step) {
    const p = byTime.get(t);
    // The newest bucket is still filling: a rate over the part that has passed, not the whole step.
    const span = t + step > until && until > t ? (until - t) / 60_000 : minutes;
    out.push({ t, v: p ? value(p, Math.max(span, minutes / 4)) : null });
  }
  return out;
}

export const callsPerMinute = (p: SeriesPoint, minutes: number): number => p.calls / minutes;
export const errorRatePct = (p: SeriesPoint): number | null => (p.calls ? (100 * p.errors) / p.calls : null);
export const p95Ms = (p: SeriesPoint): number | null => p.p95;

/**
 * Each bucket's value held across the bucket (a step line): a bucket alone between empty ones draws as a
 * short level line with its area, not as a lone dot, and the line breaks only over buckets without traffic.
 */
export function heldOverBuckets(
  points: readonly ChartPoint[],
  stepMs: number,
  until = Infinity,
): ChartPoint[] {
  const out: ChartPoint[] = [];
  for (const p of points) {
    if (p.v === null) {
      out.push(p);
      continue;
    }
    // The newest bucket is still filling: held up to now, not into the future.
    out.push(p, { ...p, t: Math.max(p.t + 1, Math.min(p.t + stepMs, until)) });
  }
  return out;
}
