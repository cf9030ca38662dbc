/** A chart's text alternative: the span it covers and its lowest, highest and latest values, as it formats them. */
import { describe, expect, it } from "vitest";
import { chartSummary } from "../../renderer/src/chart-summary.js";
import type { ChartSeries } from "../../renderer/src/chart-types.js";
import { formatTime } from "../../renderer/src/format.js";

const T = Date.parse("2026-12-06T21:00:00.000Z");
const at = (t: number) => formatTime(new Date(t).toISOString());

describe("chartSummary", () => {
  it("says each series' span and its lowest, highest and latest values, skipping gaps", () => {
    const series: ChartSeries[] = [
      {
        name: "calls/min",
        color: "--accent",
        kind: "line",
        points: [
          { t: T, v: 4 },
          { t: T + 60_000, v: null },
          { t: T + 120_000, v: 12 },
          { t: T + 180_000, v: 3 },
        ],
      },
    ];
    expect(chartSummary(series, (v) => `${v}/min`)).toBe(
      `calls/min: 3 points from ${at(T)} to ${at(T + 180_000)}; lowest 3/min, highest 12/min, latest 3/min.`,
    );
  });

  it("says there is no data rather than nothing", () => {
    expect(
      chartSummary([{ name: "p95", color: "--purple", kind: "steps", points: [{ t: T, v: null }] }], String),
    ).toBe("No data in this range.");
  });
});
