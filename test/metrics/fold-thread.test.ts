/**
 * Folding on the engine's fold worker: the worker's catch-up folds every call once into the same rollups
 * (the summaries included) as folding on the engine's thread; the collector's timer uses it; after a stop
 * (which ends the worker after its current transaction), the next collector folds the rest.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MetricsCollector } from "../../electron/monitor/metrics/collector.js";
import { FoldThread } from "../../electron/monitor/metrics/fold-thread.js";
import { DAY, HOUR, MINUTE } from "../../electron/monitor/metrics/rollups.js";
import { databasePath } from "../../electron/monitor/paths.js";
import { type Db, openDb } from "../../electron/monitor/store/db.js";
import { bundleWorker } from "../helpers/worker-bundle.js";
import { mixedCalls, recordCalls } from "./workload.js";

let dir: string;
let bundle: URL;
const NOW = Date.UTC(2026, 10, 25, 14, 37, 21, 500);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "mcpscope-fold-thread-"));
  bundle = await bundleWorker(new URL("../../electron/monitor/metrics/fold-worker.ts", import.meta.url), dir);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Every rollup row (resolution, bucket, series name, count, bytes), in a stable order. */
function rollups(db: Db): unknown[] {
  return db
    .prepare(
      `SELECT r.resolution, r.bucket_start, s.server, s.method, s.target, s.outcome, r.count, r.bytes_in, r.bytes_out
       FROM call_rollups r JOIN rollup_series s ON s.id = r.series ORDER BY 1, 2, 3, 4, 5, 6`,
    )
    .all();
}

describe("the fold worker", () => {
  it("folds what the engine's thread would, every call once", async () => {
    const calls = mixedCalls(4000, NOW - 2 * DAY, NOW, 31);
    const [a, b] = [join(dir, "a"), join(dir, "b")];
    recordCalls(a, calls);
    recordCalls(b, calls);
    const thread = new FoldThread(bundle, { dbPath: databasePath(a), foldBatch: 300 });
    const report = await thread.catchUp();
    await thread.close();
    expect(report?.folded).toBe(4000);
    expect(report?.longestMs).toBeGreaterThan(0);

    const here = openDb(databasePath(b));
    const there = openDb(databasePath(a));
    try {
      expect(await new MetricsCollector(here, {}, { worker: false }).catchUp()).toBe(4000);
      const rows = rollups(there);
      expect(rows.length).toBeGreaterThan(1000);
      expect(rows).toEqual(rollups(here));
      for (const resolution of [MINUTE, HOUR, DAY]) {
        const total = there
          .prepare(
            `SELECT sum(count) AS n FROM call_rollups JOIN rollup_series s ON s.id = series
             WHERE resolution = ? AND s.method <> '*' AND s.outcome <> '*'`,
          )
          .get(resolution)?.n;
        expect(Number(total)).toBe(4000);
      }
    } finally {
      here.close();
      there.close();
    }
  });

  it("runs the collector's timer; after a stop the next collector folds what is left, every call once", async () => {
    const data = join(dir, "c");
    recordCalls(data, mixedCalls(6000, NOW - DAY, NOW, 32));
    const db = openDb(databasePath(data));
    try {
      // The collectors' clock is the calls' own: on the real one, these calls grow older than the
      // retention period as the calendar moves on, and the pass after a fold deletes their minute rows.
      const collector = new MetricsCollector(
        db,
        { collectionIntervalMs: 20, foldBatch: 100 },
        { worker: bundle, now: () => NOW },
      );
      collector.start();
      while (collector.folded === 0 && collector.backlog() === 6000)
        await new Promise((resolve) => setImmediate(resolve));
      await collector.stop();
      const left = collector.backlog();
      expect(left).toBeLessThan(6000);

      const next = new MetricsCollector(db, { collectionIntervalMs: 20 }, { worker: bundle, now: () => NOW });
      next.start();
      // Looked at every 50 ms, not at every turn of this thread's loop: each look is a count in SQLite,
      // and a look per turn kept this thread busy (3 times the fold's own CPU) while the worker folded.
      while (next.backlog() > 0) await new Promise((resolve) => setTimeout(resolve, 50));
      await next.stop();
      expect(collector.folded + next.folded).toBe(6000);
      const total = db
        .prepare(
          `SELECT sum(count) AS n FROM call_rollups JOIN rollup_series s ON s.id = series
           WHERE resolution = ? AND s.method <> '*' AND s.outcome <> '*'`,
        )
        .get(MINUTE)?.n;
      expect(Number(total)).toBe(6000);
    } finally {
      db.close();
    }
  });
});
