/**
 * An engine given a clock runs its storage and retention passes by it, on a real data dir: the database
 * check at open is recorded at its time, and the metrics collector's retention deletes calls made minutes
 * ago by the real clock, years old by the engine's, and dates its audit record by the engine's clock.
 */
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { iterateAudit } from "../../electron/monitor/audit/audit-log.js";
import { createEngine } from "../../electron/monitor/engine.js";
import { HOUR } from "../../electron/monitor/metrics/rollups.js";
import { databasePath } from "../../electron/monitor/paths.js";
import { openDb } from "../../electron/monitor/store/db.js";
import { readLastCheck } from "../../electron/monitor/store/integrity.js";
import { CONDITION_MS, tempDir } from "../helpers/mcp.js";
import { mixedCalls, recordCalls } from "../metrics/workload.js";

/** Years after the real date: past every metrics retention period for calls made today. */
const LATER = Date.parse("2031-03-14T09:26:53.589Z");

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(() => dir.cleanup());

it("dates the check at open and a retention pass by the clock it is given", async () => {
  const dataDir = join(dir.path, "data");
  openDb(databasePath(dataDir)).close();
  recordCalls(dataDir, mixedCalls(40, Date.now() - HOUR, Date.now()));
  const engine = await createEngine({
    dataDir,
    now: () => LATER,
    inventory: false,
    alerts: false,
    remoteProxies: false,
    readPool: false,
    metrics: { collector: { collectionIntervalMs: 30 } },
  });
  const db = openDb(databasePath(dataDir), { readOnly: true });
  try {
    // No clean close was left (a new data dir): the engine checked the file at open.
    expect(readLastCheck(dataDir)).toMatchObject({ when: "start", ok: true, time: LATER });
    const deletion = () =>
      [...iterateAudit(db)].find((r) => r.action === "retention_delete" && r.target === "metrics");
    const deadline = Date.now() + CONDITION_MS;
    while (!deletion() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(deletion()).toMatchObject({ actor: "retention", time: LATER });
    expect(Number(db.prepare("SELECT count(*) AS n FROM calls").get()?.n)).toBeLessThan(40);
  } finally {
    db.close();
    await engine.close();
  }
});
