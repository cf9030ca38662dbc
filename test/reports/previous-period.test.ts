/**
 * The period-over-period figures: where retention widens the start of a report to a whole hour, that hour
 * is counted in this period only, and the previous period's own widening is said.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { MetricsCollector } from "../../electron/monitor/metrics/collector.js";
import { DEFAULT_RETENTION, retentionStep } from "../../electron/monitor/metrics/retention.js";
import { DAY, HOUR, MINUTE } from "../../electron/monitor/metrics/rollups.js";
import { databasePath } from "../../electron/monitor/paths.js";
import { buildReport } from "../../electron/monitor/reports/build.js";
import { periodLine } from "../../electron/monitor/reports/render/text.js";
import { type Db, openDb } from "../../electron/monitor/store/db.js";
import { tempDir } from "../helpers/mcp.js";
import { recordCalls, type TestCall } from "../metrics/workload.js";

/** `since` = NOW - 10d falls mid-hour, where only hourly detail is kept. */
const NOW = Date.UTC(2026, 11, 7, 3, 30);
const SINCE = NOW - 10 * DAY;
const HOUR_OF_SINCE = Math.floor(SINCE / HOUR) * HOUR;
/** The start of a 60-day report's previous period: 60 days before its start's hour. */
const PREVIOUS_OF_60D = Math.floor((NOW - 60 * DAY) / HOUR) * HOUR - 60 * DAY;
let dir: Awaited<ReturnType<typeof tempDir>>;
let db: Db;

const call = (startedAt: number): TestCall => ({
  server: "s",
  method: "tools/call",
  target: "t",
  outcome: "ok",
  startedAt,
  durationMs: 3,
});

beforeAll(async () => {
  dir = await tempDir();
  recordCalls(dir.path, [
    // The hour holding `since`: 5 calls before it, 7 after it.
    ...Array.from({ length: 5 }, (_, i) => call(HOUR_OF_SINCE + i * MINUTE)),
    ...Array.from({ length: 7 }, (_, i) => call(SINCE + (i + 1) * MINUTE)),
    // The previous period: 3 calls, one in the hour holding its start (mid-hour too), before that start.
    call(SINCE - 10 * DAY - 20 * MINUTE),
    call(SINCE - 5 * DAY),
    call(HOUR_OF_SINCE - 1),
    // Before a 60-day report's previous period (120 days back, where only days are kept), same day.
    call(Math.floor(PREVIOUS_OF_60D / DAY) * DAY + MINUTE),
    call(NOW - 100 * DAY),
  ]);
  db = openDb(databasePath(dir.path));
  new MetricsCollector(db).collect();
  while (retentionStep(db, DEFAULT_RETENTION, NOW) > 0);
});

afterAll(async () => {
  db.close();
  await dir.cleanup();
});

it("counts the hour a widened start falls in once, in this period", async () => {
  const report = await buildReport(db, { since: "10d" }, { now: NOW });
  expect(report.counted?.since).toBe(new Date(HOUR_OF_SINCE).toISOString());
  expect(report.summary.calls).toEqual({ value: 12, previous: 3 });
  // The previous period ends where this one's count starts.
  expect(report.previous).toEqual({
    since: new Date(HOUR_OF_SINCE - 10 * DAY).toISOString(),
    until: new Date(HOUR_OF_SINCE - 1).toISOString(),
  });
});

it("says where the previous period's count started when its start was widened", async () => {
  const report = await buildReport(db, { since: "60d" }, { now: NOW });
  expect(report.summary.calls).toEqual({ value: 15, previous: 2 });
  expect(report.previous.counted).toEqual({
    since: new Date(Math.floor(PREVIOUS_OF_60D / DAY) * DAY).toISOString(),
    until: new Date(PREVIOUS_OF_60D + 60 * DAY).toISOString(),
    resolution: "day",
  });
  expect(periodLine(report)).toContain("The previous period's calls: only daily detail is kept here");
});
