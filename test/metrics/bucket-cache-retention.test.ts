/**
 * The cache of merged rollup buckets never answers with rows that are gone: while retention deletes day
 * rollups in small batches (a bucket's summary can outlive its other rows for a batch), stats read through
 * a connection that cached the range equal those read by a connection with nothing cached; and after a
 * backup is restored in the app, the engine's stats are those of the restored file.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngine } from "../../electron/monitor/engine.js";
import { bucketCache, forgetBuckets } from "../../electron/monitor/metrics/bucket-cache.js";
import { MetricsCollector } from "../../electron/monitor/metrics/collector.js";
import { retentionStep } from "../../electron/monitor/metrics/retention.js";
import { DAY, HOUR } from "../../electron/monitor/metrics/rollups.js";
import { statsDocument } from "../../electron/monitor/metrics/stats-document.js";
import { databasePath } from "../../electron/monitor/paths.js";
import { type Db, openDb } from "../../electron/monitor/store/db.js";
import { resolveRange } from "../../electron/monitor/store/queries.js";
import type { StatsDocument } from "../../shared/domain.js";
import type { BackupListEntry, RestoreResult } from "../../shared/storage.js";
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

  it("a restore in the app: the engine's reads count what the restored file holds", async () => {
    const dataDir = join(dir, "app");
    const quiet = { inventory: false, alerts: false, remoteProxies: false } as const;
    // Dated by the real clock: this engine is given no clock, and its collector's retention deletes by the
    // real one. Calls on a fixed day lose their day rows once that day is 730 days past, and nothing is left
    // to count.
    const now = Date.now();
    recordCalls(dataDir, mixedCalls(3000, now - 12 * DAY, now - HOUR, 43));
    const folder = openDb(databasePath(dataDir));
    const plain = openDb(databasePath(dataDir), { readOnly: true });
    const engine = await createEngine({ dataDir, ...quiet });
    const input = { since: new Date(now - 12 * DAY).toISOString(), until: new Date(now).toISOString() };
    const agree = async () => {
      forgetBuckets(plain);
      const fromEngine = (await engine.invoke("stats.get", input)) as StatsDocument;
      const here = statsDocument(plain, resolveRange(input.since, input.until, "1h"));
      expect(fromEngine).toEqual(here);
      return here.servers.reduce((n, s) => n + s.calls, 0);
    };
    try {
      await new MetricsCollector(folder).catchUp();
      await engine.invoke("storage.backup", {});
      // After the backup, day rows change under the buckets' all-servers totals, which stay as they were:
      // after the restore only forgetting, not a changed fingerprint, can tell the engine's cache.
      const changed = folder
        .prepare(
          `UPDATE call_rollups SET count = count + 1 WHERE resolution = ? AND series IN
           (SELECT id FROM rollup_series WHERE server <> '*' AND method <> '*' AND outcome <> '*')`,
        )
        .run(DAY).changes;
      expect(Number(changed)).toBeGreaterThan(0);
      const edited = await agree();
      const [backup] = (await engine.invoke("storage.backups.list", {})) as BackupListEntry[];
      expect(((await engine.invoke("storage.restore", { name: backup?.name })) as RestoreResult).ok).toBe(
        true,
      );
      plain.close();
      const reopened = openDb(databasePath(dataDir), { readOnly: true });
      const fromEngine = (await engine.invoke("stats.get", input)) as StatsDocument;
      const here = statsDocument(reopened, resolveRange(input.since, input.until, "1h"));
      reopened.close();
      expect(fromEngine).toEqual(here);
      expect(here.servers.reduce((n, s) => n + s.calls, 0)).toBeLessThan(edited);
    } finally {
      await engine.close();
      folder.close();
      try {
        plain.close();
      } catch {}
    }
  });
});
