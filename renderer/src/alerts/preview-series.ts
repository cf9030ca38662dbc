/** A rule preview (`alerts.rules.preview`) as chart series: one line per label group, and shaded firings. */
import type { RulePreview } from "../../../shared/alerts.js";
import type { ChartBand, ChartSeries } from "../chart-types.js";
import { labelText } from "./labels.js";

/** More lines than this are unreadable: the groups with the highest values are drawn. */
export const MAX_PREVIEW_GROUPS = 8;
const COLORS = ["--accent", "--purple", "--warn", "--ok", "--neutral", "--bad"];

export interface PreviewChart {
  series: ChartSeries[];
  /** When the rule would have fired (any group), merged where they overlap. */
  bands: ChartBand[];
  /** Label groups left out of the chart. */
  hidden: number;
}

function peak(points: readonly [number, number | null][]): number {
  let max = Number.NEGATIVE_INFINITY;
  for (const [, v] of points) if (v !== null && v > max) max = v;
  return max;
}

/** Merges overlapping or touching spans, earliest first. */
export function mergeBands(bands: readonly ChartBand[]): ChartBand[] {
  const sorted = [...bands].sort((a, b) => a.from - b.from);
  const out: ChartBand[] = [];
  for (const band of sorted) {
    const last = out.at(-1);
    if (last && band.from <= last.to) last.to = Math.max(last.to, band.to);
    else out.push({ ...band });
  }
  return out;
}

export function previewChart(preview: RulePreview | null, now = Date.now()): PreviewChart {
  if (!preview) return { series: [], bands: [], hidden: 0 };
  const ranked = preview.series
    .map((s) => ({ s, peak: peak(s.points) }))
    .sort((a, b) => b.peak - a.peak)
    .slice(0, MAX_PREVIEW_GROUPS);
  const series: ChartSeries[] = ranked.map(({ s }, i) => ({
    name: labelText(s.labels) || "all",
    kind: "line",
    color: COLORS[i % COLORS.length] ?? "--accent",
    points: s.points.map(([t, v]) => ({ t, v })),
  }));
  // A short firing would be too thin to see: each spans at least a step, and a 150th of the range,
  // kept within the range (one that starts at the last step grows back from it).
  const times = preview.series.flatMap((line) => [
    line.points[0]?.[0] ?? now,
    line.points.at(-1)?.[0] ?? now,
  ]);
  const first = times.length ? Math.min(...times) : Number.NEGATIVE_INFINITY;
  const last = times.length ? Math.max(...times) : now;
  const minSpan = Math.max(preview.stepMs, times.length ? (last - first) / 150 : 0);
  const bands = mergeBands(
    preview.firings.map((f) => {
      const to = Math.min(Math.max(f.to ?? now, f.from + minSpan), Math.max(last, f.from));
      return { from: Math.max(Math.min(f.from, to - minSpan), Math.min(first, f.from)), to };
    }),
  );
  return { series, bands, hidden: Math.max(0, preview.series.length - ranked.length) };
}
