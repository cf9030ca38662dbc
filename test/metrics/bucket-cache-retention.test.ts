/**
 * The cache of merged rollup buckets never answers with rows that are gone: while retention deletes day
 * rollups in small batches (a bucket's summary can outlive its other rows for a batch), and after a backup
 * of other data is restored into the open database, stats read through a connection that cached the
 * range equal those read by a connection with nothing cached.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bucketCache, forgetBuckets } from "../../electron/monitor/metrics/bucket-cache.js";
import { MetricsCollector } from "../../electron/monitor/metrics/collector.js";
import { retentionStep } from "../../electron/monitor/metrics/retention.js";
import { DAY, HOUR } from "../../electron/monitor/metrics/rollups.js";
import { databasePath } from "../../electron/monitor/paths.js";
import { createBackup } from "../../electron/monitor/store/backup.js";
import { type Db, openDb } from "../../electron/monitor/store/db.js";
import { statsDocument } from "../../electron/monitor/store/queries.js";
import { restoreInPlace } from "../../electron/monitor/store/restore.js";
import { mixedCalls, recordCalls } from "./workload.js";

const NOW = Date.UTC(2026, 10, 25, 14, 37, 21, 500);
const RANGE = { since: NOW - 12 * DAY, until: NOW };
const FAR = 10_000 * DAY;

let dir: string;
let cached: Db;
let fresh: Db;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "mcpscope-bucket-retention-"));
  const db = openDb(databasePath(join(dir, "data")));
  db.close();
  recordCalls(join(dir, "data"), mixedCalls(4000, NOW - 12 * DAY, NOW - HOUR, 41));
  cached = openDb(databasePath(join(dir, "data")));
  await new MetricsCollector(cached).catchUp();
  fresh = openDb(databasePath(join(dir, "data")), { readOnly: true });
});
afterAll(async () => {
  cached.close();
  fresh.close();
  await rm(dir, { recursive: true, force: true });
});

/** Stats of the whole range through the caching connection, and through one with nothing cached. */
function both() {
  forgetBuckets(fresh);
  return { cached: statsDocument(cached, RANGE), fresh: statsDocument(fresh, RANGE) };
}

describe("the bucket cache", () => {
  it("agrees with an uncached read at every batch of a retention pass over cached days", () => {
    const before = both();
    expect(before.cached).toEqual(before.fresh);
    expect(bucketCache(cached).size).toBeGreaterThan(0);
    const calls = before.cached.servers.reduce((n, s) => n + s.calls, 0);
    expect(calls).toBeGreaterThan(0);

    // Day rows older than 5 days go, 7 rows a step; raw calls, minutes and hours are kept.
    const settings = { rawCallsMs: FAR, minutesMs: FAR, hoursMs: FAR, daysMs: 5 * DAY };
    let steps = 0;
    while (retentionStep(cached, settings, NOW, 7) > 0) {
      steps++;
      const now = both();
      expect(now.cached, `after retention step ${steps}`).toEqual(now.fresh);
    }
    expect(steps).toBeGreaterThan(1);
  });

  it("drops what it cached when a backup is restored into the open database", async () => {
    const backup = join(dir, "before.mcpscope-backup");
    await createBackup(cached, backup, { version: "test", now: NOW });
    // More calls after the backup, cached by a read; the restore takes them away again.
    recordCalls(join(dir, "data"), mixedCalls(500, NOW - 3 * DAY, NOW - 2 * DAY, 42));
    await new MetricsCollector(cached).catchUp();
    const grown = both();
    expect(grown.cached).toEqual(grown.fresh);

    await restoreInPlace(cached, backup, { now: NOW });
    const restored = both();
    expect(restored.cached).toEqual(restored.fresh);
    expect(restored.cached.servers.reduce((n, s) => n + s.calls, 0)).toBeLessThan(
      grown.cached.servers.reduce((n, s) => n + s.calls, 0),
    );
  });
});
