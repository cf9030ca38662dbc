import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MetricsCollector } from "../../electron/monitor/metrics/collector.js";
import { DAY, HOUR, MINUTE, STATE, writeState } from "../../electron/monitor/metrics/rollups.js";
import {
  defaultStep,
  MAX_POINTS,
  metricsSeries,
  TARGET_POINTS,
} from "../../electron/monitor/metrics/series.js";
import { percentile } from "../../electron/monitor/metrics/stats-document.js";
import { databasePath } from "../../electron/monitor/paths.js";
import { type Db, openDb } from "../../electron/monitor/store/db.js";
import { type MetricsSeries, MetricsSeriesSchema } from "../../shared/metrics.js";
import { mixedCalls, recordCalls, type TestCall } from "./workload.js";

const NOW = Date.UTC(2026, 10, 25, 14, 37, 21, 500);
/** The minute before NOW's, after the folded workload ends. */
const BURST = Math.floor(NOW / MINUTE) * MINUTE - MINUTE;
let dir: string;
let db: Db;
let calls: TestCall[];
/** Calls stored after the fold: only in the raw tail. */
let tail: TestCall[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "mcpscope-series-"));
  calls = mixedCalls(8000, NOW - 4 * DAY, NOW - 2 * MINUTE, 7);
  recordCalls(dir, calls);
  db = openDb(databasePath(dir));
  new MetricsCollector(db).collect();
  // The live tail: a burst filling the minute before NOW's (a bucket of raw calls only at 1m), and one
  // late call from two days ago that lands in a bucket the rollups also fill.
  tail = [
    ...Array.from({ length: 40 }, (_, i) => ({
      server: "srv-1",
      method: "tools/call",
      target: "tool-1",
      outcome: i % 5 === 0 ? ("tool_error" as const) : ("ok" as const),
      startedAt: BURST + i * 1500,
      durationMs: 1 + i * 3.5,
    })),
    {
      server: "srv-2",
      method: "tools/call",
      target: "tool-3",
      outcome: "timeout",
      startedAt: NOW - 2 * DAY + 7,
      durationMs: 60_000,
    },
  ];
  recordCalls(dir, tail);
  calls.push(...tail);
});

afterAll(async () => {
  db.close();
  await rm(dir, { recursive: true, force: true });
});

interface Want {
  calls: number;
  errors: number;
  d: number[];
}

/**
 * Buckets computed by hand from the workload: whole UTC-aligned steps from the one holding `since`, each
 * holding only the calls in [since, until].
 */
function expected(since: number, until: number, step: number, keep: (c: TestCall) => boolean) {
  const first = Math.floor(since / step) * step;
  const end = Math.floor(until / step) * step + step;
  const buckets = new Map<number, Want>();
  for (let t = first; t < end; t += step) buckets.set(t, { calls: 0, errors: 0, d: [] });
  for (const c of calls) {
    if (c.startedAt < since || c.startedAt > until || !keep(c)) continue;
    const b = buckets.get(Math.floor(c.startedAt / step) * step) as Want;
    b.calls++;
    if (c.outcome !== "ok") b.errors++;
    b.d.push(c.durationMs);
  }
  return buckets;
}

function check(got: MetricsSeries, want: Map<number, Want>): void {
  expect(MetricsSeriesSchema.safeParse(got).success).toBe(true);
  expect(got.points.map((p) => Date.parse(p.time))).toEqual([...want.keys()]);
  let nonEmpty = 0;
  for (const p of got.points) {
    const w = want.get(Date.parse(p.time)) as Want;
    expect([p.calls, p.errors], p.time).toEqual([w.calls, w.errors]);
    if (w.calls === 0) {
      expect([p.p50, p.p95, p.p99]).toEqual([null, null, null]);
      continue;
    }
    nonEmpty++;
    const sorted = w.d.sort((a, b) => a - b);
    for (const [q, value] of [
      [50, p.p50],
      [95, p.p95],
      [99, p.p99],
    ] as const) {
      const exact = percentile(sorted, q);
      // Within 1%, plus the rounding to 0.001 ms.
      expect(Math.abs((value ?? Number.NaN) - exact), `${p.time} p${q}`).toBeLessThanOrEqual(
        exact * 0.01 + 0.0005,
      );
    }
  }
  expect(nonEmpty).toBeGreaterThan(0);
  // The total: every call of every point together.
  const everything = [...want.values()].filter((_, i) => got.points[i]);
  const durations = everything.flatMap((w) => w.d).sort((a, b) => a - b);
  expect([got.total.calls, got.total.errors]).toEqual([
    everything.reduce((n, w) => n + w.calls, 0),
    everything.reduce((n, w) => n + w.errors, 0),
  ]);
  for (const [q, value] of [
    [50, got.total.p50],
    [95, got.total.p95],
    [99, got.total.p99],
  ] as const) {
    const exact = percentile(durations, q);
    expect(Math.abs((value ?? Number.NaN) - exact), `total p${q}`).toBeLessThanOrEqual(exact * 0.01 + 0.0005);
  }
}

const all = () => true;

describe("metrics.series", () => {
  it("4 days by the hour: exact counts and errors per bucket, percentiles within 1%", () => {
    const since = NOW - 4 * DAY;
    const got = metricsSeries(db, { since: new Date(since).toISOString(), step: "1h" }, NOW);
    expect(got.step_ms).toBe(HOUR);
    expect(got.points).toHaveLength(97);
    check(got, expected(since, NOW, HOUR, all));
  });

  it("6 hours by 5 minutes, one server (minute rollups merged per bucket)", () => {
    const got = metricsSeries(db, { since: "6h", step: "5m", server: "srv-0" }, NOW);
    check(
      got,
      expected(NOW - 6 * HOUR, NOW, 5 * MINUTE, (c) => c.server === "srv-0"),
    );
  });

  it("one server's tool by the day (day rollups), including a late unfolded call", () => {
    const keep = (c: TestCall) => c.server === "srv-2" && c.method === "tools/call" && c.target === "tool-3";
    const got = metricsSeries(db, { since: "4d", step: "1d", server: "srv-2", tool: "tool-3" }, NOW);
    check(got, expected(NOW - 4 * DAY, NOW, DAY, keep));
  });

  it("a tool across servers: only tools/call of that name", () => {
    const keep = (c: TestCall) => c.method === "tools/call" && c.target === "tool-1";
    const got = metricsSeries(db, { since: "12h", step: "30m", tool: "tool-1" }, NOW);
    check(got, expected(NOW - 12 * HOUR, NOW, 30 * MINUTE, keep));
  });

  it("the newest minutes come from calls not folded yet (live), with exact percentiles", () => {
    const got = metricsSeries(db, { since: "5m", step: "1m", server: "srv-1" }, NOW);
    check(
      got,
      expected(NOW - 5 * MINUTE, NOW, MINUTE, (c) => c.server === "srv-1"),
    );
    const burst = got.points.find((p) => Date.parse(p.time) === BURST);
    expect([burst?.calls, burst?.errors]).toEqual([40, 8]);
    // Raw only: nearest rank, not a sketch's bucket midpoint.
    const sorted = tail.slice(0, 40).map((c) => c.durationMs);
    expect(burst?.p95).toBe(Math.round(percentile(sorted, 95) * 1000) / 1000);
  });

  it("chooses a default step that gives at most ~300 points", () => {
    expect(defaultStep(15 * MINUTE)).toBe(MINUTE);
    expect(defaultStep(HOUR)).toBe(MINUTE);
    expect(defaultStep(6 * HOUR)).toBe(2 * MINUTE);
    expect(defaultStep(DAY)).toBe(5 * MINUTE);
    expect(defaultStep(7 * DAY)).toBe(HOUR);
    expect(defaultStep(90 * DAY)).toBe(12 * HOUR);
    for (const span of [MINUTE, HOUR, DAY, 7 * DAY, 30 * DAY, 400 * DAY, 5000 * DAY]) {
      expect(span / defaultStep(span)).toBeLessThanOrEqual(TARGET_POINTS);
    }
    const got = metricsSeries(db, { since: "24h" }, NOW);
    expect(got.step_ms).toBe(5 * MINUTE);
    expect(got.points.length).toBeLessThanOrEqual(TARGET_POINTS + 1);
    check(got, expected(NOW - DAY, NOW, 5 * MINUTE, all));
  });

  it("refuses a step that would give too many points, in one line", () => {
    expect(() => metricsSeries(db, { since: "30d", step: "1m" }, NOW)).toThrow(
      new RegExp(`use a larger step \\(at most ${MAX_POINTS} points\\)$`),
    );
    expect(() => metricsSeries(db, { since: "1h", until: "2h" }, NOW)).toThrow(/ends before it starts/);
  });

  it("where retention deleted the minutes, reads hours; a step only minutes can serve leaves a gap", () => {
    const cut = Math.floor((NOW - DAY) / HOUR) * HOUR;
    writeState(db, STATE.minutesFrom, cut);
    try {
      const hourly = metricsSeries(db, { since: "3d", step: "1h" }, NOW);
      check(hourly, expected(NOW - 3 * DAY, NOW, HOUR, all));
      const fine = metricsSeries(db, { since: "2d", step: "30m" }, NOW);
      expect(Date.parse(fine.points[0]?.time ?? "")).toBe(cut);
      const want = expected(NOW - 2 * DAY, NOW, 30 * MINUTE, all);
      for (const key of want.keys()) if (key < cut) want.delete(key);
      check(fine, want);
    } finally {
      writeState(db, STATE.minutesFrom, 0);
    }
  });
});
