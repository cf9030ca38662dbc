/**
 * A chart's text alternative: what a screen reader reads instead of the canvas. For each series, the span
 * of time it covers and its lowest, highest and latest values, written as the chart writes them.
 */
import type { ChartSeries } from "./chart-types.js";
import { formatTime } from "./format.js";

export function chartSummary(series: readonly ChartSeries[], format: (value: number) => string): string {
  const parts: string[] = [];
  for (const s of series) {
    const points = s.points.filter(
      (p): p is { t: number; v: number } => p.v !== null && Number.isFinite(p.v),
    );
    if (points.length === 0) continue;
    // A loop, not Math.min(...values): a chart can hold more points than a call takes arguments.
    let low = Number.POSITIVE_INFINITY;
    let high = Number.NEGATIVE_INFINITY;
    for (const p of points) {
      low = Math.min(low, p.v);
      high = Math.max(high, p.v);
    }
    const first = points[0] as { t: number; v: number };
    const last = points.at(-1) as { t: number; v: number };
    const at = (t: number) => formatTime(new Date(t).toISOString());
    parts.push(
      `${s.name}: ${points.length === 1 ? "1 point" : `${points.length} points`} from ${at(first.t)} to ${at(last.t)}; lowest ${format(low)}, highest ${format(high)}, latest ${format(last.v)}.`,
    );
  }
  return parts.length ? parts.join(" ") : "No data in this range.";
}
