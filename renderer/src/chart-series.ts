/** `metrics.series` points as chart points: one per step, with gaps (missing buckets) as nulls. */
import type { MetricsSeries, SeriesPoint } from "../../shared/metrics.js";
import type { ChartPoint } from "./chart-types.js";

/**
 * The shortest span a rate is taken over: a sliver of a bucket at either edge (a few seconds) would turn a
 * call or two into a spike.
 */
const MIN_SPAN_MS = 60_000;

/**
 * `value(point, minutes of the bucket inside the range counted)`, for every bucket from the first to the
 * last, null where none was returned. The first bucket starts at `since` and the newest ends at `until`
 * (each widened where the document says it counted more), so their rates are over the part they hold.
 */
export function chartPoints(
  doc: MetricsSeries | null,
  value: (point: SeriesPoint, minutes: number) => number | null,
): ChartPoint[] {
  if (!doc || doc.points.length === 0) return [];
  const step = doc.step_ms;
  const byTime = new Map(doc.points.map((p) => [Date.parse(p.time), p]));
  const first = Date.parse(doc.points[0]?.time ?? "");
  const last = Date.parse(doc.points.at(-1)?.time ?? "");
  const out: ChartPoint[] = [];
  const since = Date.parse(doc.counted?.since ?? doc.since);
  const until = Date.parse(doc.counted?.until ?? doc.until);
  const shortest = Math.min(MIN_SPAN_MS, step / 4);
  for (let t = first; t <= last; t += step) {
    const p = byTime.get(t);
    const span = Math.min(t + step, Math.max(until, t)) - Math.max(t, Math.min(since, t + step));
    out.push({ t, v: p ? value(p, Math.max(span, shortest) / 60_000) : null });
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
