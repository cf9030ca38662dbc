/**
 * A period before anything was recorded is not a quiet period: its call counts are unknown (null, shown
 * as —) and the period line says where the data starts, for this period and the previous one alike.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { MINUTE } from "../../electron/monitor/metrics/rollups.js";
import { databasePath } from "../../electron/monitor/paths.js";
import { buildReport } from "../../electron/monitor/reports/build.js";
import { renderReport } from "../../electron/monitor/reports/render/index.js";
import { type Db, openDb } from "../../electron/monitor/store/db.js";
import { tempDir } from "../helpers/mcp.js";
import { recordCalls } from "../metrics/workload.js";

const NOW = Date.UTC(2026, 11, 7, 6, 20);
const FIRST = NOW - 20 * MINUTE;
let dir: Awaited<ReturnType<typeof tempDir>>;
let db: Db;

beforeAll(async () => {
  dir = await tempDir();
  recordCalls(
    dir.path,
    Array.from({ length: 5 }, (_, i) => ({
      server: "files",
      method: "tools/call",
      target: "read",
      outcome: "ok" as const,
      startedAt: FIRST + i * MINUTE,
      durationMs: 3,
    })),
  );
  db = openDb(databasePath(dir.path));
});

afterAll(async () => {
  db.close();
  await dir.cleanup();
});

const md = async (report: Awaited<ReturnType<typeof buildReport>>) =>
  Buffer.from((await renderReport(report, { format: "md" })).content, "utf8").toString();

it("gives no previous figures for a previous period before the first record, and says why", async () => {
  const report = await buildReport(db, { since: "30m" }, { now: NOW });
  expect(report.summary.calls).toEqual({ value: 5, previous: null });
  expect(report.summary.activeServers).toEqual({ value: 1, previous: null });
  const text = await md(report);
  expect(text).toContain("| Calls | 5 | — | — |");
  expect(text).toContain(
    "Data starts at 2026-12-07 06:00:00Z: the part of this period before it was not recorded. No calls recorded in the previous period (data starts at 2026-12-07 06:00:00Z): nothing to compare with.",
  );
});

it("gives no figures for a period wholly before the first record", async () => {
  const report = await buildReport(
    db,
    { since: "2026-12-06T00:00:00Z", until: "2026-12-07T00:00:00Z" },
    { now: NOW },
  );
  expect(report.summary.calls).toEqual({ value: null, previous: null });
  expect(report.summary.errors).toEqual({ value: null, previous: null });
  expect(await md(report)).toContain(
    "This period ends before the first recorded data (2026-12-07 06:00:00Z): it was not recorded.",
  );
});
