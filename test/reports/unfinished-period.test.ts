/**
 * A period that runs past the time the report is made is not presented as over: the period line says when
 * the report was made and that the rest has not happened yet, and the file is named to that day. A period
 * wholly after that time has nothing in it yet: refused in one line, as a period that ends before it starts.
 */
import { readdirSync } from "node:fs";
import { afterAll, beforeAll, expect, it } from "vitest";
import { databasePath } from "../../electron/monitor/paths.js";
import { buildReport } from "../../electron/monitor/reports/build.js";
import { renderReport } from "../../electron/monitor/reports/render/index.js";
import { type Db, openDb } from "../../electron/monitor/store/db.js";
import { cliInProcess } from "../helpers/cli-in-process.js";
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

it("refuses a period that starts after the report is made, from every front", async () => {
  await expect(buildReport(db, { since: "7d", until: "2026-12-31T00:00:00Z" }, { now: NOW })).rejects.toThrow(
    "the period starts at 2026-12-24T00:00:00.000Z, after now (2026-12-07T06:17:00.000Z): nothing in it has happened yet; since and period count back from until",
  );
  const until = new Date(Date.now() + 30 * 86_400_000).toISOString();
  const run = await cliInProcess([
    "report",
    "--since",
    "7d",
    "--until",
    until,
    "--format",
    "md",
    "--output",
    `${dir.path}/`,
  ]);
  expect(run.status).toBe(1);
  expect(run.stderr).toMatch(
    /^mcpscope report: the period starts at \S+Z, after now \(\S+Z\): nothing in it has happened yet; since and period count back from until\n$/,
  );
  expect(readdirSync(dir.path).filter((f) => f.startsWith("mcpscope-report-"))).toEqual([]);
});
