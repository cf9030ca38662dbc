import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MetricsCollector } from "../../electron/monitor/metrics/collector.js";
import { DAY, HOUR, MINUTE, readState, STATE } from "../../electron/monitor/metrics/rollups.js";
import { databasePath } from "../../electron/monitor/paths.js";
import { type Db, openDb } from "../../electron/monitor/store/db.js";
import { CONDITION_MS } from "../helpers/mcp.js";
import { bundleWorker } from "../helpers/worker-bundle.js";
import { mixedCalls, recordCalls } from "./workload.js";

let dir: string;
let db: Db;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "mcpscope-rollups-"));
  db = openDb(databasePath(dir));
});
afterEach(async () => {
  db.close();
  await rm(dir, { recursive: true, force: true });
});

const NOW = Date.UTC(2026, 10, 25, 14, 37, 21, 500);

/** Count and bytes per (server, method, target, outcome), from raw calls or from one rollup resolution. */
function totals(source: "raw" | number): Record<string, [number, number, number]> {
  const sql =
    source === "raw"
      ? `SELECT server, method, CASE WHEN method IN ('tools/call','prompts/get','resources/read') THEN coalesce(target, '') ELSE '' END AS t,
           outcome, count(*) AS n, sum(bytes_in) AS bi, sum(bytes_out) AS bo FROM calls GROUP BY 1, 2, 3, 4`
      : `SELECT server, method, target AS t, outcome, sum(count) AS n, sum(bytes_in) AS bi, sum(bytes_out) AS bo
           FROM call_rollups JOIN rollup_series s ON s.id = series WHERE resolution = ${source} AND s.method <> '*' AND s.outcome <> '*' GROUP BY 1, 2, 3, 4`;
  return Object.fromEntries(
    db
      .prepare(sql)
      .all()
      .map((r) => [`${r.server}|${r.method}|${r.t}|${r.outcome}`, [Number(r.n), Number(r.bi), Number(r.bo)]]),
  );
}

/**
 * What each kind of summary series holds per bucket, beside the same sums over the operations' series:
 * the operation summaries (any outcome) per operation, the server summaries per server and ok/error, the
 * all-servers summary per ok/error.
 */
function summariesAgree(resolution: number): void {
  const sums = (select: string, where: string, group: string) =>
    db
      .prepare(
        `SELECT bucket_start, ${select} AS k, sum(count) AS n, sum(bytes_in) AS bi, sum(bytes_out) AS bo
         FROM call_rollups JOIN rollup_series s ON s.id = series WHERE resolution = ? AND ${where}
         GROUP BY bucket_start, ${group} ORDER BY 1, 2`,
      )
      .all(resolution);
  const ops = "s.method <> '*' AND s.outcome <> '*'";
  const kind = "CASE WHEN s.outcome = 'ok' THEN 'ok' ELSE 'error' END";
  expect(sums("s.server || s.method || s.target", "s.outcome = '*'", "k")).toEqual(
    sums("s.server || s.method || s.target", ops, "k"),
  );
  expect(sums(`s.server || ${kind}`, "s.method = '*' AND s.server <> '*'", "k")).toEqual(
    sums(`s.server || ${kind}`, ops, "k"),
  );
  expect(sums(kind, "s.method = '*' AND s.server = '*'", "k")).toEqual(sums(kind, ops, "k"));
}

describe("rollups", () => {
  it("fold every call exactly once into minutes, hours and days; a second collector finds nothing to do", () => {
    recordCalls(dir, mixedCalls(3000, NOW - 3 * DAY, NOW));
    const collector = new MetricsCollector(db, { foldBatch: 400 });
    expect(collector.collect()).toBe(3000);
    const raw = totals("raw");
    expect(Object.keys(raw).length).toBeGreaterThan(20);
    for (const resolution of [MINUTE, HOUR, DAY]) expect(totals(resolution)).toEqual(raw);
    const rows = (resolution: number) =>
      Number(db.prepare("SELECT count(*) AS n FROM call_rollups WHERE resolution = ?").get(resolution)?.n);
    expect(rows(MINUTE)).toBeGreaterThan(rows(HOUR));
    expect(rows(HOUR)).toBeGreaterThan(rows(DAY));
    const maxId = Number(db.prepare("SELECT max(id) AS id FROM calls").get()?.id);
    expect(readState(db, STATE.folded)).toBe(maxId);

    expect(collector.collect()).toBe(0);
    const other = openDb(databasePath(dir));
    expect(new MetricsCollector(other).collect()).toBe(0);
    // New calls, one of them late (started two days ago): folded into their old minute, hour and day.
    recordCalls(dir, [
      ...mixedCalls(50, NOW, NOW + MINUTE, 9),
      {
        server: "srv-0",
        method: "tools/call",
        target: "late",
        outcome: "ok",
        startedAt: NOW - 2 * DAY,
        durationMs: 5,
      },
    ]);
    expect(new MetricsCollector(other).collect()).toBe(51);
    other.close();
    expect(collector.collect()).toBe(0);
    for (const resolution of [MINUTE, HOUR, DAY]) {
      expect(totals(resolution)).toEqual(totals("raw"));
      summariesAgree(resolution);
    }
  });

  it("two collectors racing in other threads while wrappers write: every call counted once", async () => {
    const bundle = await bundleWorker(new URL("./fold-worker.ts", import.meta.url), dir);
    const workers = [0, 1].map(() => new Worker(bundle, { workerData: { dbPath: databasePath(dir) } }));
    const messages = workers.map((w) => {
      const queue: unknown[] = [];
      const waiting: ((m: unknown) => void)[] = [];
      w.on("message", (m) => (waiting.shift() ?? ((x: unknown) => queue.push(x)))(m));
      w.on("error", (e) => {
        throw e;
      });
      return () =>
        new Promise<unknown>((resolve) => (queue.length ? resolve(queue.shift()) : waiting.push(resolve)));
    });
    // Both collectors are running before the wrappers write.
    expect(await Promise.all(messages.map((next) => next()))).toEqual(["ready", "ready"]);
    let total = 0;
    for (let i = 0; i < 8; i++) {
      const calls = mixedCalls(250, NOW - DAY, NOW, 100 + i);
      recordCalls(dir, calls);
      total += calls.length;
      await new Promise((resolve) => setTimeout(resolve, 15));
    }
    for (const w of workers) w.postMessage("stop");
    const [a, b] = (await Promise.all(messages.map((next) => next()))) as {
      folded: number;
      transactions: number;
    }[];
    expect((a?.folded ?? 0) + (b?.folded ?? 0)).toBe(total);
    // Usually both fold part of it; SQLite's lock is not fair, so under load one may win every time.
    expect((a?.transactions ?? 0) + (b?.transactions ?? 0)).toBeGreaterThan(1);
    for (const resolution of [MINUTE, HOUR, DAY]) expect(totals(resolution)).toEqual(totals("raw"));
  });

  it("retention deletes in batches, only folded calls, never the newest; marks what stays complete", () => {
    recordCalls(dir, mixedCalls(2000, NOW - 10 * DAY, NOW - DAY));
    const retention = { rawCallsMs: 2 * DAY, minutesMs: 3 * DAY, hoursMs: 5 * DAY, daysMs: 8 * DAY };
    const collector = new MetricsCollector(db, { retention }, { now: () => NOW });
    // Nothing folded yet: no raw call may go.
    collector.enforceRetention();
    expect(Number(db.prepare("SELECT count(*) AS n FROM calls").get()?.n)).toBe(2000);

    collector.collect();
    expect(collector.enforceRetention()).toBeGreaterThan(1000);
    const oldest = (sql: string) => Number(db.prepare(sql).get()?.t);
    const maxId = Number(db.prepare("SELECT max(id) AS id FROM calls").get()?.id);
    expect(oldest(`SELECT min(started_at) AS t FROM calls WHERE id < ${maxId}`)).toBeGreaterThanOrEqual(
      NOW - 2 * DAY - MINUTE,
    );
    expect(
      oldest(`SELECT min(bucket_start) AS t FROM call_rollups WHERE resolution = ${MINUTE}`),
    ).toBeGreaterThanOrEqual(NOW - 3 * DAY - HOUR);
    expect(
      oldest(`SELECT min(bucket_start) AS t FROM call_rollups WHERE resolution = ${HOUR}`),
    ).toBeGreaterThanOrEqual(NOW - 5 * DAY - DAY);
    expect(
      oldest(`SELECT min(bucket_start) AS t FROM call_rollups WHERE resolution = ${DAY}`),
    ).toBeGreaterThanOrEqual(NOW - 9 * DAY);
    expect(readState(db, STATE.rawFrom)).toBe(Math.floor((NOW - 2 * DAY) / MINUTE) * MINUTE);
    expect(readState(db, STATE.minutesFrom)).toBe(Math.floor((NOW - 3 * DAY) / HOUR) * HOUR);
    expect(readState(db, STATE.hoursFrom)).toBe(Math.floor((NOW - 5 * DAY) / DAY) * DAY);
    expect(collector.enforceRetention()).toBe(0);
  });

  it("a series retention forgot is made again for its next call, not folded under its old id", () => {
    const retention = { rawCallsMs: 2 * DAY, minutesMs: 2 * DAY, hoursMs: 2 * DAY, daysMs: 2 * DAY };
    const collector = new MetricsCollector(db, { retention }, { now: () => NOW });
    recordCalls(dir, mixedCalls(300, NOW - 10 * DAY, NOW - 9 * DAY, 5));
    collector.collect();
    collector.enforceRetention();
    expect(Number(db.prepare("SELECT count(*) AS n FROM rollup_series").get()?.n)).toBe(0);
    // The same operations and outcomes again, folded by the same connection.
    recordCalls(dir, mixedCalls(300, NOW - HOUR, NOW, 5));
    collector.collect();
    const orphans = db
      .prepare("SELECT count(*) AS n FROM call_rollups WHERE series NOT IN (SELECT id FROM rollup_series)")
      .get();
    expect(Number(orphans?.n)).toBe(0);
    const folded = Object.values(totals(MINUTE)).reduce((n, [calls]) => n + calls, 0);
    expect(folded).toBe(300);
    summariesAgree(MINUTE);
  });

  it("the started collector folds on its interval and stops cleanly", async () => {
    const collector = new MetricsCollector(db, { collectionIntervalMs: 30 }, { now: () => NOW });
    collector.start();
    recordCalls(dir, mixedCalls(120, NOW - HOUR, NOW));
    expect(collector.backlog()).toBe(120);
    const deadline = Date.now() + CONDITION_MS;
    while (collector.backlog() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await collector.stop();
    expect([collector.backlog(), collector.folded, collector.failures]).toEqual([0, 120, 0]);
  });

  it("keeps the newest call so that ids never go back below the high-water mark", () => {
    recordCalls(dir, mixedCalls(30, NOW - 10 * DAY, NOW - 9 * DAY));
    const collector = new MetricsCollector(db, {}, { now: () => NOW });
    collector.collect();
    collector.enforceRetention();
    const left = db.prepare("SELECT count(*) AS n, max(id) AS id FROM calls").get();
    expect(Number(left?.n)).toBe(1);
    recordCalls(dir, mixedCalls(5, NOW - MINUTE, NOW, 4));
    expect(collector.collect()).toBe(5);
  });
});
