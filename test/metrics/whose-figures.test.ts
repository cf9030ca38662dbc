/**
 * What counts in a server's figures: its errors are the calls that failed (a client's cancellation is
 * counted as cancelled, not as an error), in stats, charts and reports alike, from raw calls and from
 * rollups once folded.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorType } from "../../electron/monitor/export/operation-metrics.js";
import { foldOnce } from "../../electron/monitor/metrics/fold.js";
import { metricsSeries } from "../../electron/monitor/metrics/series.js";
import { statsDocument } from "../../electron/monitor/metrics/stats-document.js";
import { databasePath } from "../../electron/monitor/paths.js";
import { buildReport } from "../../electron/monitor/reports/build.js";
import { type Db, openDb } from "../../electron/monitor/store/db.js";
import type { Outcome } from "../../shared/domain.js";
import { recordCalls, type TestCall } from "./workload.js";

const NOW = Date.UTC(2026, 11, 7, 9, 30);
const MINUTE = 60_000;
const RANGE = { since: NOW - 3 * 3_600_000, until: NOW };
const REPORT = { since: new Date(RANGE.since).toISOString(), until: new Date(RANGE.until).toISOString() };

let dir: string;
let db: Db;

/** Calls of `tool` on `server`, one a minute from two hours ago, each with the outcome given. */
function toolCalls(server: string, tool: string, outcomes: Outcome[], offset = 0): TestCall[] {
  return outcomes.map((outcome, i) => ({
    server,
    method: "tools/call",
    target: tool,
    outcome,
    startedAt: NOW - 2 * 3_600_000 + (i + offset) * MINUTE,
    durationMs: 10 + i,
  }));
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "mcpscope-whose-"));
  // A long tool people stop: 4 stopped by their user, 1 finished, 1 timed out.
  recordCalls(dir, [
    ...toolCalls("stopper", "long-run", [
      "cancelled",
      "cancelled",
      "ok",
      "cancelled",
      "timeout",
      "cancelled",
    ]),
  ]);
  db = openDb(databasePath(dir));
});
afterAll(async () => {
  db.close();
  await rm(dir, { recursive: true, force: true });
});

const chartTotal = (server: string) => {
  const doc = metricsSeries(
    db,
    { since: new Date(RANGE.since).toISOString(), until: new Date(RANGE.until).toISOString(), server },
    NOW,
  );
  return { calls: doc.total.calls, errors: doc.total.errors };
};

describe("a client's cancellation", () => {
  it("is counted as cancelled, not as an error, in stats, charts and reports", async () => {
    const check = async () => {
      const stats = statsDocument(db, RANGE, "stopper");
      expect(stats.servers[0]).toMatchObject({ calls: 6, errors: 1, error_rate: 0.1667 });
      expect(stats.servers[0]?.operations[0]?.outcomes).toMatchObject({ cancelled: 4, ok: 1, timeout: 1 });
      expect(chartTotal("stopper")).toEqual({ calls: 6, errors: 1 });
      const report = await buildReport(db, REPORT, { now: NOW });
      expect(report.servers.find((s) => s.server === "stopper")).toMatchObject({ calls: 6, errors: 1 });
    };
    await check();
    while (foldOnce(db, 1000).folded > 0);
    await check();
  });

  it("is no error type in /metrics, as an ok call is not", () => {
    expect(errorType("cancelled", null)).toBe("");
    expect(errorType("timeout", null)).toBe("timeout");
    expect(errorType("server_error", -32603)).toBe("-32603");
  });
});
