/**
 * Past the minute retention only hours are kept: a range that is not whole hours counts the hours that
 * hold its edges, and says so; charts pick a step the kept data can serve. Calls 8 days old, folded and
 * expired by the engine's own retention, read through the CLI as a user would.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MetricsCollector } from "../../electron/monitor/metrics/collector.js";
import { DEFAULT_RETENTION, retentionStep } from "../../electron/monitor/metrics/retention.js";
import { DAY, HOUR, MINUTE, readState, STATE } from "../../electron/monitor/metrics/rollups.js";
import { metricsSeries } from "../../electron/monitor/metrics/series.js";
import { statsDocument } from "../../electron/monitor/metrics/stats-document.js";
import { databasePath } from "../../electron/monitor/paths.js";
import { type Db, openDb } from "../../electron/monitor/store/db.js";
import type { StatsDocument } from "../../shared/domain.js";
import type { Report } from "../../shared/report.js";
import { MCPSCOPE, tempDir } from "../helpers/mcp.js";
import { recordCalls, type TestCall } from "./workload.js";

let dir: Awaited<ReturnType<typeof tempDir>>;
let db: Db;
/** The hour, 8 days back, whose 34th minute holds the 101 calls. */
const HOUR_START = Math.floor((Date.now() - 8 * DAY) / HOUR) * HOUR;
const iso = (t: number) => new Date(t).toISOString();

beforeAll(async () => {
  dir = await tempDir();
  const calls: TestCall[] = Array.from({ length: 101 }, (_, i) => ({
    server: "olds",
    method: "tools/call",
    target: "work",
    outcome: i % 15 === 0 ? "tool_error" : "ok",
    startedAt: HOUR_START + 33 * MINUTE + 42_000 + i * 80,
    durationMs: 40 + (i % 20),
  }));
  // Two hours earlier: outside every range read below.
  calls.push({
    server: "olds",
    method: "tools/call",
    target: "work",
    outcome: "ok",
    startedAt: HOUR_START - 2 * HOUR,
    durationMs: 5,
  });
  recordCalls(dir.path, calls);
  db = openDb(databasePath(dir.path));
  new MetricsCollector(db).collect();
  while (retentionStep(db, DEFAULT_RETENTION, Date.now()) > 0);
  expect(readState(db, STATE.minutesFrom)).toBeGreaterThan(HOUR_START + HOUR);
});

afterAll(async () => {
  db.close();
  await dir.cleanup();
});

const stats = async (...args: string[]) =>
  (await promisify(execFile)(process.execPath, [MCPSCOPE, "stats", ...args, "--data-dir", dir.path])).stdout;

describe("a range whose minutes have expired", () => {
  it("counts the whole hours holding its edges, and says which range it counted", async () => {
    const since = iso(HOUR_START - 10 * MINUTE);
    const until = iso(HOUR_START + 40 * MINUTE);
    const doc = JSON.parse(await stats("--json", "--since", since, "--until", until)) as StatsDocument;
    expect([doc.since, doc.until]).toEqual([since, until]);
    expect(doc.counted).toEqual({
      since: iso(HOUR_START - HOUR),
      until: iso(HOUR_START + HOUR),
      resolution: "hour",
    });
    expect(doc.servers.map((s) => [s.server, s.calls, s.errors])).toEqual([["olds", 101, 7]]);

    const text = await stats(
      "--since",
      iso(HOUR_START + 33 * MINUTE),
      "--until",
      iso(HOUR_START + 34 * MINUTE),
    );
    expect(text).not.toMatch(/No calls/);
    expect(text).toContain(
      `Note: only hourly detail is kept here: counted ${iso(HOUR_START)} to ${iso(HOUR_START + HOUR)} (whole hours at the edges).`,
    );
    expect(text).toMatch(/olds: 101 calls, 7 errors/);
  });

  it("a report over it says so too, with the same counts", async () => {
    const run = (format: string) =>
      promisify(execFile)(process.execPath, [
        MCPSCOPE,
        "report",
        "--since",
        iso(HOUR_START - 10 * MINUTE),
        "--until",
        iso(HOUR_START + 40 * MINUTE),
        "--format",
        format,
        "--output",
        "-",
        "--data-dir",
        dir.path,
      ]);
    const report = JSON.parse((await run("json")).stdout) as Report;
    expect(report.counted).toEqual({
      since: iso(HOUR_START - HOUR),
      until: iso(HOUR_START + HOUR),
      resolution: "hour",
    });
    expect([report.summary.calls.value, report.summary.errors.value]).toEqual([101, 7]);
    expect((await run("md")).stdout).toContain("Note: only hourly detail is kept here: counted");
  });

  it("charts it by the hour, with the same calls as the cards", () => {
    const range = { since: HOUR_START - 12 * HOUR, until: HOUR_START + 12 * HOUR };
    const series = metricsSeries(db, { since: iso(range.since), until: iso(range.until) });
    expect(series.step_ms).toBe(HOUR);
    expect(series.points.map((p) => [p.time, p.calls])).toContainEqual([iso(HOUR_START), 101]);
    const cards = statsDocument(db, range);
    expect([series.total.calls, series.total.errors]).toEqual([
      cards.servers[0]?.calls,
      cards.servers[0]?.errors,
    ]);
    expect(series.total.p95).not.toBeNull();
    // Whole hours at both ends: nothing was widened.
    expect(series.counted).toBeUndefined();
    expect(cards.counted).toBeUndefined();
  });
});
