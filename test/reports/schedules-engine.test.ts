/**
 * The engine runs scheduled reports: a schedule that fell due while no engine ran runs once when one
 * starts, and its run is served by `reports.runs`.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createEngine } from "../../electron/monitor/engine.js";
import type { Engine } from "../../electron/monitor/engine-types.js";
import { ReportScheduler } from "../../electron/monitor/reports/scheduler.js";
import type { ReportRun } from "../../shared/report-schedules.js";
import { openStore } from "../alerts/alert-fixtures.js";
import { tempDir, waitFor } from "../helpers/mcp.js";

let dir: Awaited<ReturnType<typeof tempDir>>;
let engine: Engine | undefined;
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(async () => {
  await engine?.close();
  await dir.cleanup();
});

it("runs a schedule missed while closed once at start", async () => {
  // Added three days ago (as a closed app would have left it): due twice since, run once now.
  const db = openStore(dir.path);
  const threeDaysAgo = Date.now() - 3 * 86_400_000;
  const folder = join(dir.path, "reports");
  await new ReportScheduler({
    dataDir: dir.path,
    db,
    now: () => threeDaysAgo,
    build: {},
    channelType: () => undefined,
    warn: () => {},
  }).put({ name: "daily", period: "day", at: "00:00", formats: ["json"], folder });
  db.close();

  engine = await createEngine({ dataDir: dir.path, pollIntervalMs: 50, inventory: { home: dir.path } });
  const runs = await waitFor(async () => {
    const list = (await engine?.invoke("reports.runs", {})) as ReportRun[];
    return list.length ? list : undefined;
  });
  expect(runs).toHaveLength(1);
  // The last local midnight before the run started (not before this line: a run may span midnight).
  const midnight = new Date(runs[0]?.startedAt ?? "");
  midnight.setHours(0, 0, 0, 0);
  expect(runs[0]?.dueAt).toBe(midnight.toISOString());
  expect(runs[0]?.outcome).toBe("delivered");
  expect(existsSync(runs[0]?.destinations[0]?.target ?? "")).toBe(true);
});
