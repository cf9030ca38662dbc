/**
 * The overall latency of a range (the Overview's p95 card, a report's summary) describes the calls the
 * range holds, and only those: calls in the minutes its edges cut through but outside it do not count,
 * whether they are raw or folded into rollups. `stats.get` and the report agree.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MetricsCollector } from "../../electron/monitor/metrics/collector.js";
import { MINUTE } from "../../electron/monitor/metrics/rollups.js";
import { statsDocument } from "../../electron/monitor/metrics/stats-document.js";
import { databasePath } from "../../electron/monitor/paths.js";
import { buildReport } from "../../electron/monitor/reports/build.js";
import { type Db, openDb } from "../../electron/monitor/store/db.js";
import { recordCalls, type TestCall } from "./workload.js";

const T0 = Date.UTC(2026, 10, 25, 14, 0, 0);
const call = (startedAt: number, durationMs: number): TestCall => ({
  server: "alpha",
  method: "tools/call",
  target: "echo",
  outcome: "ok",
  startedAt,
  durationMs,
});

let dir: string;
let db: Db;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "mcpscope-latency-"));
  // Minute 14:05: a slow call at :10 and fast ones at :40 and :50; minute 14:20: a slow one at :30.
  recordCalls(dir, [
    call(T0 + 5 * MINUTE + 10_000, 1649),
    call(T0 + 5 * MINUTE + 40_000, 2),
    call(T0 + 5 * MINUTE + 50_000, 3),
    call(T0 + 10 * MINUTE, 4),
    call(T0 + 20 * MINUTE + 30_000, 900),
  ]);
  db = openDb(databasePath(dir));
});

afterAll(async () => {
  db?.close();
  await rm(dir, { recursive: true, force: true });
});

describe.each(["raw calls", "rollups"])("overall latency over a range read from %s", (source) => {
  beforeAll(() => {
    if (source === "rollups") new MetricsCollector(db).collect();
  });

  it("counts only the calls inside the range, as the report's summary does", async () => {
    // From 14:05:30 to 14:20:00: the 1649 ms call before and the 900 ms one after are outside.
    const range = { since: T0 + 5 * MINUTE + 30_000, until: T0 + 20 * MINUTE };
    const stats = statsDocument(db, range);
    expect(stats.servers[0]?.calls).toBe(3);
    expect(stats.latency_ms?.max).toBe(4);
    expect(stats.latency_ms?.p95).toBeLessThan(5);
    const report = await buildReport(db, {
      since: new Date(range.since).toISOString(),
      until: new Date(range.until).toISOString(),
    });
    expect(report.summary.calls.value).toBe(3);
    expect(report.summary.p95.value).toBe(stats.latency_ms?.p95);
    expect(report.summary.p50.value).toBe(stats.latency_ms?.p50);
  });

  it("has no latency where the range holds no calls, even beside calls in its edge minutes", () => {
    const stats = statsDocument(db, { since: T0 + 20 * MINUTE + 40_000, until: T0 + 20 * MINUTE + 50_000 });
    expect(stats.servers).toEqual([]);
    expect(stats.latency_ms).toBeNull();
  });
});
