/**
 * A fold reads and merges its batch before it takes the write lock, so what happens in between must not
 * change what is counted: another engine folding first, retention deleting rows the batch adds to, and a
 * write that fails half-way (as a crash would end it) leave every call counted once, in every resolution
 * and summary, as raw reads count them.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MetricsCollector } from "../../electron/monitor/metrics/collector.js";
import { commitPlan, foldOnce, planFold } from "../../electron/monitor/metrics/fold.js";
import { DAY, HOUR, MINUTE, readState, STATE } from "../../electron/monitor/metrics/rollups.js";
import { databasePath } from "../../electron/monitor/paths.js";
import { type Db, openDb } from "../../electron/monitor/store/db.js";
import { mixedCalls, recordCalls } from "./workload.js";

let dir: string;
let db: Db;
let other: Db;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "mcpscope-fold-plan-"));
  db = openDb(databasePath(dir));
  other = openDb(databasePath(dir));
});
afterEach(async () => {
  db.close();
  other.close();
  await rm(dir, { recursive: true, force: true });
});

const NOW = Date.UTC(2026, 10, 25, 14, 37, 21, 500);
const CALLS = 3000;

/** Calls, bytes and the latency sketch's count per series and bucket of one resolution (operations only). */
function rollupTotals(resolution: number, where = ""): Record<string, number[]> {
  return Object.fromEntries(
    db
      .prepare(
        `SELECT s.server, s.method, s.target, s.outcome, sum(count) AS n, sum(bytes_in) AS bi, sum(bytes_out) AS bo
         FROM call_rollups JOIN rollup_series s ON s.id = series
         WHERE resolution = ? AND s.method <> '*' AND s.outcome <> '*' ${where} GROUP BY 1, 2, 3, 4`,
      )
      .all(resolution)
      .map((r) => [`${r.server}|${r.method}|${r.target}|${r.outcome}`, [r.n, r.bi, r.bo].map(Number)]),
  );
}

function rawTotals(where = ""): Record<string, number[]> {
  return Object.fromEntries(
    db
      .prepare(
        `SELECT server, method, CASE WHEN method IN ('tools/call','prompts/get','resources/read') THEN coalesce(target, '') ELSE '' END AS t,
           outcome, count(*) AS n, sum(bytes_in) AS bi, sum(bytes_out) AS bo FROM calls ${where} GROUP BY 1, 2, 3, 4`,
      )
      .all()
      .map((r) => [`${r.server}|${r.method}|${r.t}|${r.outcome}`, [r.n, r.bi, r.bo].map(Number)]),
  );
}

/** Every bucket's calls in the all-servers summary, per resolution: the sum of its operations' calls. */
function summaryTotal(resolution: number): number {
  const row = db
    .prepare(
      `SELECT sum(count) AS n FROM call_rollups JOIN rollup_series s ON s.id = series
       WHERE resolution = ? AND s.server = '*' AND s.method = '*'`,
    )
    .get(resolution);
  return Number(row?.n ?? 0);
}

function expectEveryCallOnce(): void {
  const raw = rawTotals();
  for (const resolution of [MINUTE, HOUR, DAY]) {
    expect(rollupTotals(resolution), `resolution ${resolution}`).toEqual(raw);
    expect(summaryTotal(resolution)).toBe(CALLS);
  }
}

describe("a fold planned before its write transaction", () => {
  it("is read again when another engine folded first, so nothing counts twice", () => {
    // Over three days in random order: every batch spans hours and days.
    recordCalls(dir, mixedCalls(CALLS, NOW - 3 * DAY, NOW, 11));
    const plan = planFold(db, 500);
    expect(plan?.batch.calls).toBe(500);
    // Another engine's collector folds the same calls and more before this one writes.
    expect(foldOnce(other, 800).folded).toBe(800);
    if (!plan) return;
    expect(commitPlan(db, plan)).toBeNull();
    expect(readState(db, STATE.folded)).toBe(800);

    expect(new MetricsCollector(db, { foldBatch: 700 }).collect()).toBe(CALLS - 800);
    expectEveryCallOnce();
  });

  it("writes only the batch's own values into a row retention deleted meanwhile", () => {
    recordCalls(dir, mixedCalls(CALLS, NOW - 3 * DAY, NOW, 12));
    const collector = new MetricsCollector(db, { foldBatch: 1000 });
    const first = foldOnce(db, 1000).highWater;
    const plan = planFold(db, 1000);
    if (!plan) throw new Error("no plan");
    // Retention (another connection) deletes the hours of the oldest day, most of which the plan adds to.
    const cutoff = Math.floor((NOW - 2 * DAY) / DAY) * DAY;
    const deleted = other
      .prepare("DELETE FROM call_rollups WHERE resolution = ? AND bucket_start < ?")
      .run(HOUR, cutoff).changes;
    expect(Number(deleted)).toBeGreaterThan(0);
    expect(commitPlan(db, plan)?.folded).toBe(1000);
    collector.collect();

    // Hours before the cutoff hold only what was folded after the deletion; the rest hold every call.
    expect(rollupTotals(HOUR, `AND bucket_start < ${cutoff}`)).toEqual(
      rawTotals(`WHERE started_at < ${cutoff} AND id > ${first}`),
    );
    expect(rollupTotals(HOUR, `AND bucket_start >= ${cutoff}`)).toEqual(
      rawTotals(`WHERE started_at >= ${cutoff}`),
    );
    for (const resolution of [MINUTE, DAY]) expect(rollupTotals(resolution)).toEqual(rawTotals());
  });

  it("leaves nothing behind when its write fails half-way; the next fold counts every call once", () => {
    recordCalls(dir, mixedCalls(CALLS, NOW - 3 * DAY, NOW, 13));
    expect(foldOnce(db, 1000).folded).toBe(1000);
    const before = db.prepare("SELECT count(*) AS n, sum(count) AS calls FROM call_rollups").get();
    // The write fails at its first day row: its minutes and hours are written by then.
    db.exec(`CREATE TEMP TRIGGER crash BEFORE UPDATE ON main.call_rollups WHEN NEW.resolution = ${DAY}
      BEGIN SELECT RAISE(ABORT, 'crash'); END`);
    expect(() => foldOnce(db, 1000)).toThrow(/crash/);
    db.exec("DROP TRIGGER crash");
    expect(readState(db, STATE.folded)).toBe(1000);
    expect(db.prepare("SELECT count(*) AS n, sum(count) AS calls FROM call_rollups").get()).toEqual(before);

    expect(new MetricsCollector(db, { foldBatch: 1000 }).collect()).toBe(CALLS - 1000);
    expectEveryCallOnce();
  });

  it("looks series ids up again after retention deleted series whose ids a new series took", () => {
    const calls = (server: string, at: number, n: number) =>
      Array.from({ length: n }, (_, i) => ({
        server,
        method: "tools/call",
        target: "echo",
        outcome: "ok" as const,
        startedAt: at + i * 1000,
        durationMs: 5,
      }));
    recordCalls(dir, calls("kept", NOW - HOUR, 5));
    new MetricsCollector(db).collect();
    recordCalls(dir, calls("old", NOW - 800 * DAY, 5));
    new MetricsCollector(db).collect(); // db knows the ids of both servers' series, the old one's highest
    const print = () => db.prepare("SELECT count(*) AS n, max(id) AS top FROM rollup_series").get();
    const before = print();
    // Retention (another connection) deletes the old server's series: the highest ids.
    expect(new MetricsCollector(other, {}, { now: () => NOW }).enforceRetention()).toBeGreaterThan(0);
    // Another engine folds a new server of the same shape: it is given the same ids back.
    recordCalls(dir, calls("new", NOW - 30 * MINUTE, 5));
    new MetricsCollector(other).collect();
    expect(print()).toEqual(before);

    // The old server comes back; this connection must not count it under the ids it remembers.
    recordCalls(dir, calls("old", NOW - 10 * MINUTE, 3));
    new MetricsCollector(db).collect();
    const minutes = rollupTotals(MINUTE);
    expect(minutes["old|tools/call|echo|ok"]?.[0]).toBe(3);
    expect(minutes["new|tools/call|echo|ok"]?.[0]).toBe(5);
  });
});
