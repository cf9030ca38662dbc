/** What TimeSeriesChart draws: series of points over time, and shaded spans. Plain types, so that
 * code which prepares them is testable without the component. */

export interface ChartPoint {
  /** ms since the epoch */
  t: number;
  v: number | null;
  /** A CSS variable (e.g. `--bad`) for this point alone. */
  color?: string;
  /** Extra text for the tooltip (e.g. a check's error). */
  note?: string;
}

export interface ChartSeries {
  name: string;
  /** A CSS variable, e.g. `--accent`. */
  color: string;
  /** `steps`: a line without point markers, for points already held over their buckets (heldOverBuckets). */
  kind: "line" | "steps" | "points";
  points: readonly ChartPoint[];
}

/** A span of time to shade (ms since the epoch). */
export interface ChartBand {
  from: number;
  to: number;
}

/**
 * The time axis' labels at each boundary, 24-hour. A month or year boundary is a day like any other
 * (ECharts' default would label Dec 1 as just "Dec").
 */
export const TIME_AXIS_LABELS = {
  year: "{MMM} {d}, {yyyy}",
  month: "{MMM} {d}",
  day: "{MMM} {d}",
  hour: "{HH}:{mm}",
  minute: "{HH}:{mm}",
  second: "{HH}:{mm}:{ss}",
  millisecond: "{HH}:{mm}:{ss}.{SSS}",
};
