/**
 * What counts in a server's figures: the requests it served (those it sent its client are counted apart),
 * and among them as errors the calls that failed (a client's cancellation is counted as cancelled, not as
 * an error), in stats, charts, reports and alert signals alike, from raw calls and from rollups once folded.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseRuleYaml } from "../../electron/monitor/alerts/rule-file.js";
import { DbSignalSource } from "../../electron/monitor/alerts/signals.js";
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
  const stops: Outcome[] = ["cancelled", "cancelled", "ok", "cancelled", "timeout", "cancelled"];
  // A tool that asks its client for sampling each time: the user declines 5 of 6, and takes 30 s to.
  const asks = toolCalls("asker", "ask", ["ok", "ok", "ok", "ok", "ok", "ok"]);
  const declined: TestCall[] = asks.map((call, i) => ({
    ...call,
    direction: "s2c",
    requestId: `s${i}`,
    method: "sampling/createMessage",
    target: null,
    outcome: i === 0 ? "ok" : "client_error",
    durationMs: 30_000,
  }));
  recordCalls(dir, [...toolCalls("stopper", "long-run", stops), ...asks, ...declined]);
  db = openDb(databasePath(dir));
});
afterAll(async () => {
  db.close();
  await rm(dir, { recursive: true, force: true });
});

const chartTotal = (server?: string) => {
  const doc = metricsSeries(
    db,
    { since: new Date(RANGE.since).toISOString(), until: new Date(RANGE.until).toISOString(), server },
    NOW,
  );
  return { calls: doc.total.calls, errors: doc.total.errors };
};

async function cancellationsAreNoErrors(): Promise<void> {
  const stats = statsDocument(db, RANGE, "stopper");
  expect(stats.servers[0]).toMatchObject({ calls: 6, errors: 1, error_rate: 0.1667 });
  expect(stats.servers[0]?.operations[0]?.outcomes).toMatchObject({ cancelled: 4, ok: 1, timeout: 1 });
  expect(chartTotal("stopper")).toEqual({ calls: 6, errors: 1 });
  const report = await buildReport(db, REPORT, { now: NOW });
  expect(report.servers.find((s) => s.server === "stopper")).toMatchObject({ calls: 6, errors: 1 });
}

async function requestsToTheClientApart(): Promise<void> {
  const stats = statsDocument(db, RANGE, "asker");
  const [asker] = stats.servers;
  expect(asker).toMatchObject({ calls: 6, errors: 0, error_rate: 0 });
  expect(asker?.operations.map((op) => op.method)).toEqual(["tools/call"]);
  expect(stats.latency_ms?.max).toBeLessThan(1000);
  expect(asker?.requests_to_client).toHaveLength(1);
  expect(asker?.requests_to_client?.[0]).toMatchObject({ method: "sampling/createMessage", calls: 6 });
  expect(asker?.requests_to_client?.[0]?.outcomes).toMatchObject({ ok: 1, client_error: 5 });
  expect(asker?.requests_to_client?.[0]?.latency_ms.p50).toBeGreaterThan(29_000);
  expect(chartTotal("asker")).toEqual({ calls: 6, errors: 0 });
  // The Overview's chart: every server together (the all-servers summary once folded).
  expect(chartTotal()).toEqual({ calls: 12, errors: 1 });
  const report = await buildReport(db, REPORT, { now: NOW });
  expect(report.servers.find((s) => s.server === "asker")).toMatchObject({ calls: 6, errors: 0 });
  expect(report.slowest.map((c) => c.method)).not.toContain("sampling/createMessage");
  // The built-in rules see the tool alone: no error rate or latency of the client's answers.
  const source = new DbSignalSource(db);
  const at = NOW - 2 * 3_600_000 + 5 * MINUTE;
  const tools = (yaml: string) =>
    source
      .sample(parseRuleYaml(yaml), at)
      .filter((s) => s.labels.server === "asker")
      .map((s) => [s.labels.tool, s.value]);
  expect(tools("{ name: tool-error-rate }")).toEqual([["ask", 0]]);
  expect(tools("{ name: slow-tool }")).toEqual([["ask", expect.any(Number)]]);
  expect(tools("{ name: slow-tool }")[0]?.[1]).toBeLessThan(1000);
}

describe("from raw calls", () => {
  it("a client's cancellation is counted as cancelled, not as an error", cancellationsAreNoErrors);
  it("requests the server sent its client stay out of its figures, listed apart", requestsToTheClientApart);
});

describe("from rollups, once every call is folded", () => {
  beforeAll(() => {
    while (foldOnce(db, 1000).folded > 0);
  });
  it("a client's cancellation is counted as cancelled, not as an error", cancellationsAreNoErrors);
  it("requests the server sent its client stay out of its figures, listed apart", requestsToTheClientApart);
});

it("a cancelled call has no error type in /metrics, as an ok call has none", () => {
  expect(errorType("cancelled", null)).toBe("");
  expect(errorType("timeout", null)).toBe("timeout");
  expect(errorType("server_error", -32603)).toBe("-32603");
});
