/**
 * A period that runs past the time the report is made is not presented as over: the period line says when
 * the report was made and that the rest has not happened yet, and the file is named to that day.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { databasePath } from "../../electron/monitor/paths.js";
import { buildReport } from "../../electron/monitor/reports/build.js";
import { renderReport } from "../../electron/monitor/reports/render/index.js";
import { type Db, openDb } from "../../electron/monitor/store/db.js";
import { tempDir } from "../helpers/mcp.js";
import { recordCalls } from "../metrics/workload.js";

const NOW = Date.UTC(2026, 11, 7, 6, 17);
let dir: Awaited<ReturnType<typeof tempDir>>;
let db: Db;

beforeAll(async () => {
  dir = await tempDir();
  recordCalls(dir.path, [
    { server: "a", method: "tools/call", target: "t", outcome: "ok", startedAt: NOW - 60_000, durationMs: 3 },
  ]);
  db = openDb(databasePath(dir.path));
});

afterAll(async () => {
  db.close();
  await dir.cleanup();
});

it("says a December report made on the 7th covers up to then only, and names it to the 7th", async () => {
  const report = await buildReport(
    db,
    { since: "2026-12-01T00:00:00Z", until: "2027-01-01T00:00:00Z" },
    { now: NOW },
  );
  const file = await renderReport(report, { format: "md" });
  expect(file.filename).toBe("mcpscope-report-2026-12-01_to_2026-12-07.md");
  expect(Buffer.from(file.content, "utf8").toString()).toContain(
    "Made at 2026-12-07 06:17:00Z, before the period's end: its figures run to then; the rest has not happened yet.",
  );
});

it("says nothing of the kind for a period that is over", async () => {
  const report = await buildReport(db, { since: "1h" }, { now: NOW });
  const file = await renderReport(report, { format: "md" });
  expect(Buffer.from(file.content, "utf8").toString()).not.toContain("before the period's end");
});
