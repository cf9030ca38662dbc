/**
 * The chart's edge buckets: a range that starts inside a bucket, or ends on a bucket boundary, still gives
 * points that sum to its stats and a steady rate that reads steady on the Overview's calls/min line.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MetricsCollector } from "../../electron/monitor/metrics/collector.js";
import { HOUR, MINUTE } from "../../electron/monitor/metrics/rollups.js";
import { metricsSeries } from "../../electron/monitor/metrics/series.js";
import { statsDocument } from "../../electron/monitor/metrics/stats-document.js";
import { databasePath } from "../../electron/monitor/paths.js";
import { type Db, openDb } from "../../electron/monitor/store/db.js";
import { callsPerMinute, chartPoints } from "../../renderer/src/chart-series.js";
import { recordCalls, type TestCall } from "./workload.js";

const HOUR0 = Date.UTC(2026, 10, 25, 10);
const iso = (t: number) => new Date(t).toISOString();
let dir: string;
let db: Db;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "mcpscope-series-edges-"));
  // One call a second over two hours: 60 a minute, one exactly on every bucket boundary.
  const calls: TestCall[] = [];
  for (let t = HOUR0; t < HOUR0 + 2 * HOUR; t += 1000)
    calls.push({
      server: "s",
      method: "tools/call",
      target: "t",
      outcome: "ok",
      startedAt: t,
      durationMs: 5,
    });
  recordCalls(dir, calls);
  db = openDb(databasePath(dir));
});

afterAll(async () => {
  db.close();
  await rm(dir, { recursive: true, force: true });
});

const series = (since: number, until: number, step: string) =>
  metricsSeries(db, { since: iso(since), until: iso(until), step });
const statsCalls = (since: number, until: number) => statsDocument(db, { since, until }).servers[0]?.calls;

function edgeCases(): void {
  it("counts a call on the first bucket's end once: points sum to the range's stats", () => {
    const since = HOUR0 + 30 * MINUTE;
    const until = HOUR0 + 2 * HOUR - 1;
    const s = series(since, until, "1h");
    expect(s.points.map((p) => p.calls)).toEqual([1800, 3600]);
    expect(s.total.calls).toBe(statsCalls(since, until));
  });

  it.each([
    ["on a bucket boundary", HOUR0 + 90 * MINUTE],
    ["inside a bucket", HOUR0 + 88 * MINUTE + 500],
  ])("a range ending %s ends with a whole-rate point, its total as stats counts it", (_name, until) => {
    const since = HOUR0 + 10 * MINUTE;
    const s = series(since, until, "5m");
    expect(Date.parse(s.points.at(-1)?.time ?? "")).toBeLessThan(until);
    expect(s.total.calls).toBe(statsCalls(since, until));
    for (const p of chartPoints(s, callsPerMinute)) expect(p.v).toBeGreaterThan(59.5);
    for (const p of chartPoints(s, callsPerMinute)) expect(p.v).toBeLessThan(60.5);
  });

  it("reads a steady rate at the first point of a range starting inside a bucket", () => {
    const s = series(HOUR0 + 50 * MINUTE, HOUR0 + 2 * HOUR - 1, "1h");
    const rates = chartPoints(s, callsPerMinute).map((p) => p.v);
    expect(rates).toHaveLength(2);
    for (const v of rates) expect(v).toBeCloseTo(60, 1);
  });
}

describe("calls not folded yet (the raw tail)", edgeCases);

describe("calls folded into rollups", () => {
  beforeAll(() => {
    new MetricsCollector(db).collect();
  });
  edgeCases();
});
