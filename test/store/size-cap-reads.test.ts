/**
 * Pruning for size never makes a read of the last hour lie: after the engine's pass on an impossible cap
 * (every raw call gone but the current minute's), `stats`, a report's figures, alert signals (all through the range
 * reader) and the Overview's chart (`metrics.series`) still count every call of the last hour.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MetricsCollector } from "../../electron/monitor/metrics/collector.js";
import { DAY, HOUR, MINUTE } from "../../electron/monitor/metrics/rollups.js";
import { metricsSeries } from "../../electron/monitor/metrics/series.js";
import { statsDocument } from "../../electron/monitor/metrics/stats-document.js";
import { databasePath } from "../../electron/monitor/paths.js";
import { buildReport } from "../../electron/monitor/reports/build.js";
import { type Db, openDb } from "../../electron/monitor/store/db.js";
import { StorageService } from "../../electron/monitor/store/storage-service.js";
import { mixedCalls, recordCalls } from "../metrics/workload.js";

const NOW = Date.UTC(2026, 11, 7, 0, 22, 30);
let dir: string;
let db: Db;
const recent = mixedCalls(2000, NOW - 50 * MINUTE, NOW, 2);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "mcpscope-size-reads-"));
  // Yesterday's traffic to prune first, then 50 minutes ending now that cross the hour.
  recordCalls(dir, [
    ...mixedCalls(3000, NOW - DAY, NOW - DAY + 3 * HOUR),
    ...mixedCalls(2000, NOW - 50 * MINUTE, NOW, 2),
  ]);
  db = openDb(databasePath(dir));
  new MetricsCollector(db).collect();
  await writeFile(join(dir, "settings.json"), JSON.stringify({ storage: { maxSize: "1kb" } }));
  const service = new StorageService(dir, db);
  await service.pass(NOW);
  await service.close();
});
afterAll(async () => {
  db.close();
  await rm(dir, { recursive: true, force: true });
});

const total = (doc: ReturnType<typeof statsDocument>) => doc.servers.reduce((n, s) => n + s.calls, 0);

describe("after pruning for size", () => {
  it("raw calls are gone but for the current minute's, so what follows is read from rollups", () => {
    const current = recent.filter((c) => c.startedAt >= NOW - (NOW % MINUTE)).length;
    // … and the newest by id, whenever it started (ids must not restart).
    const kept = Number(db.prepare("SELECT count(*) AS n FROM calls").get()?.n);
    expect(kept - current).toBeGreaterThanOrEqual(0);
    expect(kept - current).toBeLessThanOrEqual(1);
    expect(
      Number(db.prepare(`SELECT count(*) AS n FROM call_rollups WHERE resolution = ${MINUTE}`).get()?.n),
    ).toBeGreaterThan(0);
  });

  it("stats of the last hour, and of any window from before it, count every call of the last hour", () => {
    expect(total(statsDocument(db, { since: NOW - HOUR, until: NOW }))).toBe(2000);
    // Raw calls of a window's first, partial minute may be gone (rounded inward): from a whole minute.
    const since = NOW - 30 * MINUTE - 30_000;
    expect(total(statsDocument(db, { since, until: NOW }))).toBe(
      recent.filter((c) => c.startedAt >= since).length,
    );
    // A day back from now: its first, partial hour is rounded inward (documented); the last hour is whole.
    expect(total(statsDocument(db, { since: NOW - DAY, until: NOW }))).toBeGreaterThanOrEqual(2000);
  });

  it("the Overview's chart of the last hour counts them too", () => {
    expect(metricsSeries(db, { since: "1h" }, NOW).total.calls).toBe(2000);
  });

  it("a report of the last hour counts them too", async () => {
    const report = await buildReport(db, { since: "1h", until: new Date(NOW).toISOString() });
    expect(report.summary.calls.value).toBe(2000);
  });
});
