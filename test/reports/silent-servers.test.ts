/**
 * A server or a tool that was called in the previous period and not in this one is listed with 0 calls
 * and its previous figure, in the JSON and every table drawn from it: which ones stopped is what a drop in
 * the summary is about.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { MINUTE } from "../../electron/monitor/metrics/rollups.js";
import { databasePath } from "../../electron/monitor/paths.js";
import { buildReport } from "../../electron/monitor/reports/build.js";
import { renderReport } from "../../electron/monitor/reports/render/index.js";
import { type Db, openDb } from "../../electron/monitor/store/db.js";
import { tempDir } from "../helpers/mcp.js";
import { recordCalls, type TestCall } from "../metrics/workload.js";

const NOW = Date.UTC(2026, 11, 7, 6, 18);
const call = (server: string, target: string, startedAt: number): TestCall => ({
  server,
  method: "tools/call",
  target,
  outcome: "ok",
  startedAt,
  durationMs: 3,
});
let dir: Awaited<ReturnType<typeof tempDir>>;
let db: Db;

beforeAll(async () => {
  dir = await tempDir();
  recordCalls(dir.path, [
    // The previous 30 minutes: files and memory busy.
    ...Array.from({ length: 4 }, (_, i) => call("files", "read", NOW - 50 * MINUTE + i * MINUTE)),
    ...Array.from({ length: 2 }, (_, i) => call("files", "write", NOW - 50 * MINUTE + i * MINUTE)),
    ...Array.from({ length: 3 }, (_, i) => call("memory", "read_graph", NOW - 40 * MINUTE + i * MINUTE)),
    // This period: files still reads, writes no more; memory is silent.
    call("files", "read", NOW - 10 * MINUTE),
  ]);
  db = openDb(databasePath(dir.path));
});

afterAll(async () => {
  db.close();
  await dir.cleanup();
});

it("lists a server and a tool that went silent with 0 calls and their previous figures", async () => {
  const report = await buildReport(db, { since: "30m" }, { now: NOW });
  expect(report.summary.calls).toEqual({ value: 1, previous: 9 });
  expect(report.servers.map((s) => [s.server, s.calls, s.errorRate])).toEqual([
    ["files", 1, 0],
    ["memory", 0, null],
  ]);
  const tools = report.tools.map((t) => [t.server, t.tool, t.calls, t.previousCalls, t.latency?.p95 ?? null]);
  expect(tools).toEqual(
    expect.arrayContaining([
      ["files", "read", 1, 4, 3],
      ["files", "write", 0, 2, null],
      ["memory", "read_graph", 0, 3, null],
    ]),
  );
  expect(tools).toHaveLength(3);
  const md = Buffer.from((await renderReport(report, { format: "md" })).content, "utf8").toString();
  expect(md).toContain("| memory | read\\_graph | 0 | 0 | 0 | 0 | — | — | — | 3 | -100% |");
});
