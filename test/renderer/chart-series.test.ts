/** The Overview's charts: bucket values as points, and error rate and p95 held across their buckets. */
import { describe, expect, it } from "vitest";
import { chartPoints, errorRatePct, heldOverBuckets } from "../../renderer/src/chart-series.js";
import type { MetricsSeries } from "../../shared/metrics.js";

const MIN = 60_000;
const T0 = Date.parse("2026-12-06T10:00:00.000Z");
const at = (i: number) => new Date(T0 + i * MIN).toISOString();

describe("sparse traffic on the Overview's charts", () => {
  // Calls in minutes 0, 3 and 4 only.
  const doc = {
    step_ms: MIN,
    since: at(0),
    until: at(10),
    points: [
      { time: at(0), calls: 4, errors: 1, p50: 2, p95: 9, p99: 9 },
      { time: at(3), calls: 2, errors: 0, p50: 3, p95: 5, p99: 5 },
      { time: at(4), calls: 1, errors: 1, p50: 7, p95: 7, p99: 7 },
    ],
  } as unknown as MetricsSeries;

  it("draws each bucket as a level across it, broken only over buckets without calls", () => {
    const held = heldOverBuckets(chartPoints(doc, errorRatePct), MIN);
    expect(held.map((p) => [(p.t - T0) / MIN, p.v])).toEqual([
      [0, 25],
      [1, 25],
      [1, null],
      [2, null],
      [3, 0],
      [4, 0],
      [4, 100],
      [5, 100],
    ]);
    // No value stands alone between gaps (which a line chart draws as a lone dot, or not at all).
    const lone = held.filter(
      (p, i) => p.v !== null && (held[i - 1]?.v ?? null) === null && (held[i + 1]?.v ?? null) === null,
    );
    expect(lone).toEqual([]);
  });

  it("holds the newest bucket up to now, not to its end", () => {
    const now = T0 + 4 * MIN + 20_000;
    const held = heldOverBuckets(
      chartPoints({ ...doc, until: new Date(now).toISOString() }, errorRatePct),
      MIN,
      now,
    );
    expect(held.at(-1)).toEqual({ t: now, v: 100 });
  });
});

describe("the rate at the chart's edges", () => {
  // A steady 60 calls a minute; hourly buckets; the range starts 50 minutes into its first hour.
  const H = Date.parse("2026-12-06T10:00:00.000Z");
  const hours = (doc: Partial<MetricsSeries>) =>
    chartPoints(
      {
        step_ms: 60 * MIN,
        points: [
          { time: new Date(H).toISOString(), calls: 600, errors: 0, p50: 1, p95: 1, p99: 1 },
          { time: new Date(H + 60 * MIN).toISOString(), calls: 1200, errors: 0, p50: 1, p95: 1, p99: 1 },
        ],
        ...doc,
      } as MetricsSeries,
      (p, minutes) => p.calls / minutes,
    ).map((p) => p.v);

  it("takes the first bucket's rate over the part of it inside the range", () => {
    const since = new Date(H + 50 * MIN).toISOString();
    const until = new Date(H + 80 * MIN).toISOString();
    expect(hours({ since, until })).toEqual([60, 60]);
  });

  it("over the whole bucket where the counted range was widened to it", () => {
    const since = new Date(H + 50 * MIN).toISOString();
    const until = new Date(H + 80 * MIN).toISOString();
    const counted = { since: new Date(H).toISOString(), until, resolution: "hour" as const };
    expect(hours({ since, until, counted })).toEqual([10, 60]);
  });
});
