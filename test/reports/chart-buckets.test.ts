/** The HTML and PDF charts say how wide a bucket is, as the Reports view does: "per bucket" says nothing. */
import { afterAll, beforeAll, expect, it } from "vitest";
import { MINUTE } from "../../electron/monitor/metrics/rollups.js";
import { databasePath } from "../../electron/monitor/paths.js";
import { buildReport } from "../../electron/monitor/reports/build.js";
import { renderReport } from "../../electron/monitor/reports/render/index.js";
import { type Db, openDb } from "../../electron/monitor/store/db.js";
import { tempDir } from "../helpers/mcp.js";
import { recordCalls } from "../metrics/workload.js";

const NOW = Date.UTC(2026, 11, 7, 7, 0);
let dir: Awaited<ReturnType<typeof tempDir>>;
let db: Db;

beforeAll(async () => {
  dir = await tempDir();
  recordCalls(
    dir.path,
    Array.from({ length: 6 }, (_, i) => ({
      server: "a",
      method: "tools/call",
      target: "t",
      outcome: "ok" as const,
      startedAt: NOW - (i + 1) * 10 * MINUTE,
      durationMs: 3,
    })),
  );
  db = openDb(databasePath(dir.path));
});

afterAll(async () => {
  db.close();
  await dir.cleanup();
});

it("titles the calls chart with its bucket width", async () => {
  const report = await buildReport(db, { since: "24h" }, { now: NOW });
  expect(report.series.stepMs).toBe(5 * MINUTE);
  const html = (await renderReport(report, { format: "html" })).content;
  expect(html).toContain("Calls and errors (per 5 min)");
  expect(html).not.toContain("per bucket");
});
