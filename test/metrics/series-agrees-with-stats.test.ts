/**
 * A chart and the cards over it count the same calls: `metrics.series` totals and `counted` equal `stats`
 * over ranges whose edges retention has widened (minutes or hours expired), now and in the past, with
 * calls on bucket boundaries too.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { MetricsCollector } from "../../electron/monitor/metrics/collector.js";
import { DEFAULT_RETENTION, retentionStep } from "../../electron/monitor/metrics/retention.js";
import { DAY, HOUR, MINUTE } from "../../electron/monitor/metrics/rollups.js";
import { metricsSeries } from "../../electron/monitor/metrics/series.js";
import { statsDocument } from "../../electron/monitor/metrics/stats-document.js";
import { databasePath } from "../../electron/monitor/paths.js";
import { type Db, openDb } from "../../electron/monitor/store/db.js";
import { tempDir } from "../helpers/mcp.js";
import { random, recordCalls, type TestCall } from "./workload.js";

const NOW = Date.UTC(2026, 11, 7, 3, 21, 17, 250);
let dir: Awaited<ReturnType<typeof tempDir>>;
let db: Db;
const iso = (t: number) => new Date(t).toISOString();

beforeAll(async () => {
  dir = await tempDir();
  const r = random(3);
  const calls: TestCall[] = [];
  for (let i = 0; i < 8000; i++) {
    // One in ten exactly on a minute (and so at times on an hour or a day).
    const t = NOW - 100 * DAY + Math.floor(r() * 100 * DAY);
    calls.push({
      server: r() < 0.5 ? "a" : "b",
      method: "tools/call",
      target: "t",
      outcome: r() < 0.1 ? "tool_error" : "ok",
      startedAt: r() < 0.1 ? Math.floor(t / MINUTE) * MINUTE : t,
      durationMs: 1 + r() * 100,
    });
  }
  recordCalls(dir.path, calls);
  db = openDb(databasePath(dir.path));
  new MetricsCollector(db).collect();
  while (retentionStep(db, DEFAULT_RETENTION, NOW) > 0);
});

afterAll(async () => {
  db.close();
  await dir.cleanup();
});

it.each([
  ["8d", 8 * DAY + 17 * MINUTE + 3_333, 0],
  ["30d", 30 * DAY + 41 * MINUTE + 7, 0],
  ["95d", 95 * DAY + 5 * HOUR + 7, 0],
  ["10d..9d ago", 10 * DAY + 7 * MINUTE + 11, 9 * DAY - 13 * MINUTE + 5],
  ["95d..92d ago", 95 * DAY + 7 * MINUTE + 11, 92 * DAY - 13 * MINUTE + 5],
  ["from a whole hour to a whole hour", 20 * DAY + 21 * MINUTE + 17_250, 2 * HOUR + 21 * MINUTE + 17_250],
])("%s", (_name, back, end) => {
  const since = NOW - back;
  const until = NOW - end;
  const stats = statsDocument(db, { since, until });
  const series = metricsSeries(db, { since: iso(since), until: iso(until) }, NOW);
  const calls = stats.servers.reduce((n, s) => n + s.calls, 0);
  const errors = stats.servers.reduce((n, s) => n + s.errors, 0);
  expect(calls).toBeGreaterThan(0);
  expect([series.total.calls, series.total.errors]).toEqual([calls, errors]);
  expect(series.counted).toEqual(stats.counted);
});
