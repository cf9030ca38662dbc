/**
 * The change of a percentage (the error rate) is its difference in points, in every format and in the
 * channel copy's summary: 10% to 30% is +20 pp, not +200%, and 0% to 50% is +50 pp, not "no comparison".
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { MINUTE } from "../../electron/monitor/metrics/rollups.js";
import { databasePath } from "../../electron/monitor/paths.js";
import { buildReport } from "../../electron/monitor/reports/build.js";
import { renderReport } from "../../electron/monitor/reports/render/index.js";
import { summaryLines } from "../../electron/monitor/reports/schedule-run.js";
import { type Db, openDb } from "../../electron/monitor/store/db.js";
import type { Outcome } from "../../shared/domain.js";
import { tempDir } from "../helpers/mcp.js";
import { recordCalls } from "../metrics/workload.js";

const NOW = Date.UTC(2026, 11, 7, 7, 0);
const calls = (server: string, from: number, outcomes: Outcome[]) =>
  outcomes.map((outcome, i) => ({
    server,
    method: "tools/call",
    target: "t",
    outcome,
    startedAt: from + i * 1000,
    durationMs: 3,
  }));
const ok = (n: number): Outcome[] => Array(n).fill("ok");
const failed = (n: number): Outcome[] => Array(n).fill("server_error");
let dir: Awaited<ReturnType<typeof tempDir>>;
let db: Db;

beforeAll(async () => {
  dir = await tempDir();
  recordCalls(dir.path, [
    // a: 10% of errors the previous hour, 30% this hour. b: none, then half.
    ...calls("a", NOW - 90 * MINUTE, [...ok(9), ...failed(1)]),
    ...calls("a", NOW - 30 * MINUTE, [...ok(7), ...failed(3)]),
    ...calls("b", NOW - 90 * MINUTE, ok(4)),
    ...calls("b", NOW - 30 * MINUTE, [...ok(2), ...failed(2)]),
  ]);
  db = openDb(databasePath(dir.path));
});

afterAll(async () => {
  db.close();
  await dir.cleanup();
});

const text = async (report: Awaited<ReturnType<typeof buildReport>>, format: "md" | "csv") =>
  Buffer.from((await renderReport(report, { format, section: "summary" })).content, "utf8").toString();

it("says how an error rate changed in points", async () => {
  const a = await buildReport(db, { since: "1h", servers: ["a"] }, { now: NOW });
  expect(a.summary.errorRate).toEqual({ value: 0.3, previous: 0.1 });
  expect(await text(a, "md")).toContain("| Error rate | 30% | 10% | +20 pp |");
  // The CSV's raw values say their unit: a ratio, and its change in points.
  const csv = (await text(a, "csv")).split("\r\n");
  expect(csv[0]).toBe("Figure,Value,Previous,Change,Unit,Change unit");
  expect(csv).toContain("Error rate,0.3,0.1,20,ratio 0-1,percentage points");
  expect(csv).toContain('Errors,3,1,2,count,"ratio, 0.25 = +25%"');
  expect(csv.find((line) => line.startsWith("p95 latency,"))).toMatch(/,ms,"ratio, 0\.25 = \+25%"$/);
  expect(summaryLines(a)).toContain("Error rate: 30% (+20 pp on the previous period)");
  // Counts still change relatively.
  expect(await text(a, "md")).toContain("| Errors | 3 | 1 | +200% |");
});

it("compares an error rate that was 0%", async () => {
  const b = await buildReport(db, { since: "1h", servers: ["b"] }, { now: NOW });
  expect(await text(b, "md")).toContain("| Error rate | 50% | 0% | +50 pp |");
});
