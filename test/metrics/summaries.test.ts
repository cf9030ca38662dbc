/**
 * Charts of a server read each bucket from the servers' summary series, charts of everything from the
 * all-servers summary (a few rows per bucket) instead of every operation's, and stats take latency from
 * the operation summaries. On a database folded before a kind of summary existed, buckets before it began
 * are read as before: either way, every bucket and every operation counts exactly the calls stored in it,
 * the unfolded tail and the partial buckets at the range's edges included, and a bucket cached by one
 * read is read again once a late call was folded into it.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bucketCache, runsOf } from "../../electron/monitor/metrics/bucket-cache.js";
import { MetricsCollector } from "../../electron/monitor/metrics/collector.js";
import { MINUTE, readState, STATE } from "../../electron/monitor/metrics/rollups.js";
import { metricsSeries } from "../../electron/monitor/metrics/series.js";
import { percentile, statsDocument } from "../../electron/monitor/metrics/stats-document.js";
import { databasePath } from "../../electron/monitor/paths.js";
import { type Db, openDb } from "../../electron/monitor/store/db.js";
import { mixedCalls, recordCalls } from "./workload.js";

let dir: string;
let db: Db;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "mcpscope-summaries-"));
  db = openDb(databasePath(dir));
});
afterAll(async () => {
  db.close();
  await rm(dir, { recursive: true, force: true });
});

const NOW = Date.UTC(2026, 10, 25, 14, 37, 21, 500);
const HOUR = 3_600_000;
const STEP = 5 * MINUTE;

/** Calls and failed calls per 5-minute bucket, counted from the raw rows. */
function rawBuckets(server?: string): Map<number, [number, number]> {
  const rows = db
    .prepare(
      `SELECT started_at, outcome FROM calls WHERE started_at >= ? AND started_at <= ?${server ? " AND server = ?" : ""}`,
    )
    .all(NOW - 3 * HOUR, NOW, ...(server ? [server] : []));
  const out = new Map<number, [number, number]>();
  for (const row of rows) {
    const start = Math.floor(Number(row.started_at) / STEP) * STEP;
    const b = out.get(start) ?? [0, 0];
    b[0]++;
    if (row.outcome !== "ok") b[1]++;
    out.set(start, b);
  }
  return out;
}

function chart(server?: string): Map<number, [number, number]> {
  const doc = metricsSeries(
    db,
    { since: new Date(NOW - 3 * HOUR).toISOString(), until: new Date(NOW).toISOString(), step: "5m", server },
    NOW,
  );
  return new Map(
    doc.points.filter((p) => p.calls > 0).map((p) => [Date.parse(p.time), [p.calls, p.errors]] as const),
  );
}

/** Per operation from raw calls: calls, outcomes, bytes and exact nearest-rank latency. */
function rawStats(since: number, until: number) {
  const out = new Map<
    string,
    { calls: number; outcomes: Record<string, number>; bytes: number; durations: number[] }
  >();
  for (const row of db
    .prepare(
      `SELECT server, method, CASE WHEN method IN ('tools/call','prompts/get','resources/read') THEN coalesce(target, '') ELSE '' END AS t,
       outcome, duration_ms, bytes_in + bytes_out AS b FROM calls WHERE started_at >= ? AND started_at <= ?`,
    )
    .all(since, until)) {
    const key = `${row.server}|${row.method}|${row.t}`;
    const op = out.get(key) ?? { calls: 0, outcomes: {}, bytes: 0, durations: [] };
    op.calls++;
    op.outcomes[String(row.outcome)] = (op.outcomes[String(row.outcome)] ?? 0) + 1;
    op.bytes += Number(row.b);
    op.durations.push(Number(row.duration_ms));
    out.set(key, op);
  }
  return out;
}

function statsAgree(since: number, until: number): void {
  const raw = rawStats(since, until);
  const doc = statsDocument(db, { since, until });
  const seen = new Set<string>();
  for (const server of doc.servers)
    for (const op of server.operations) {
      const key = `${server.server}|${op.method}|${op.target ?? ""}`;
      seen.add(key);
      const want = raw.get(key);
      expect(want, key).toBeDefined();
      if (!want) continue;
      const outcomes = Object.fromEntries(Object.entries(op.outcomes).filter(([, n]) => n > 0));
      expect([op.calls, outcomes, op.bytes_in + op.bytes_out], key).toEqual([
        want.calls,
        want.outcomes,
        want.bytes,
      ]);
      const sorted = want.durations.sort((a, b) => a - b);
      // Rollups: DDSketch with 1% relative accuracy at the same rank.
      for (const [q, p] of [
        ["p50", 50],
        ["p95", 95],
        ["p99", 99],
      ] as const) {
        const exact = percentile(sorted, p);
        expect(Math.abs(op.latency_ms[q] - exact), `${key} ${q}`).toBeLessThanOrEqual(exact * 0.011 + 0.001);
      }
    }
  expect([...seen].sort()).toEqual([...raw.keys()].sort());
}

const summaryRows = (where: string) =>
  Number(
    db
      .prepare(
        `SELECT count(*) AS n FROM call_rollups WHERE series IN (SELECT id FROM rollup_series s WHERE ${where})`,
      )
      .get()?.n,
  );

describe("summary series", () => {
  it("count every call of a bucket and operation, before and after each kind began on an older database", async () => {
    // Folded by a version without summaries: no summary rows, no marks.
    recordCalls(dir, mixedCalls(3000, NOW - 3 * HOUR, NOW - 2 * HOUR, 21));
    await new MetricsCollector(db).catchUp();
    db.exec(`DELETE FROM call_rollups WHERE series IN (SELECT id FROM rollup_series WHERE method = '*' OR outcome = '*');
             DELETE FROM rollup_series WHERE method = '*' OR outcome = '*';
             DELETE FROM metrics_state WHERE key IN ('${STATE.summariesFrom}', '${STATE.totalsFrom}');`);
    // Then by a version with server summaries only.
    recordCalls(dir, mixedCalls(3000, NOW - 2 * HOUR, NOW - HOUR, 22));
    await new MetricsCollector(db).catchUp();
    db.exec(`DELETE FROM call_rollups WHERE series IN (SELECT id FROM rollup_series WHERE server = '*' OR outcome = '*');
             DELETE FROM rollup_series WHERE server = '*' OR outcome = '*';
             DELETE FROM metrics_state WHERE key = '${STATE.totalsFrom}';`);
    // Then this version folds newer calls, and a few are left unfolded.
    recordCalls(dir, mixedCalls(3000, NOW - HOUR, NOW - 10 * MINUTE, 23));
    await new MetricsCollector(db).catchUp();
    recordCalls(dir, mixedCalls(200, NOW - 10 * MINUTE, NOW, 24));

    const minuteAfter = (id: number) =>
      Math.floor(
        Number(db.prepare("SELECT max(started_at) AS t FROM calls WHERE id <= ?").get(id)?.t) / MINUTE,
      ) *
        MINUTE +
      MINUTE;
    expect(readState(db, STATE.summariesFrom)).toBe(minuteAfter(3000));
    expect(readState(db, STATE.totalsFrom)).toBe(minuteAfter(6000));
    expect(summaryRows("method = '*' AND server <> '*'")).toBeGreaterThan(0);
    expect(summaryRows("server = '*'")).toBeGreaterThan(0);
    expect(summaryRows("outcome = '*'")).toBeGreaterThan(0);

    expect(chart()).toEqual(rawBuckets());
    expect(chart("srv-1")).toEqual(rawBuckets("srv-1"));
    // Ranges over each kind, across the marks, with partial minutes and hours at both edges.
    for (const [since, until] of [
      [NOW - 3 * HOUR, NOW],
      [NOW - 150 * MINUTE + 7_000, NOW - 30 * MINUTE - 3_000],
      [NOW - 55 * MINUTE - 500, NOW],
    ] as const)
      statsAgree(since, until);

    // Ranges moving a minute at a time, as the Overview's refreshes do: their runs of buckets are merged
    // from halves the reads before cached, or read afresh, and count exactly the calls in range.
    const moving = () => {
      for (let m = 0; m < 5; m++)
        statsAgree(NOW - 3 * HOUR + m * MINUTE + 1_000, NOW - 20 * MINUTE + m * MINUTE);
    };
    moving();

    // Those reads cached whole buckets and runs; calls folded late into some of them (long requests, stored
    // after their minute and hour were read) make those entries stale, and the next reads must count them.
    expect(bucketCache(db).size).toBeGreaterThan(0);
    recordCalls(dir, [
      ...mixedCalls(40, NOW - 50 * MINUTE, NOW - 49 * MINUTE, 25),
      ...mixedCalls(40, NOW - 150 * MINUTE, NOW - 140 * MINUTE, 26),
      ...mixedCalls(5, NOW - 170 * MINUTE, NOW - 169 * MINUTE, 27),
    ]);
    await new MetricsCollector(db).catchUp();
    for (const [since, until] of [
      [NOW - 3 * HOUR, NOW],
      [NOW - 55 * MINUTE - 500, NOW],
    ] as const)
      statsAgree(since, until);
    moving();
  });

  it("split a range into runs aligned within the hour (minutes) and the day (hours)", () => {
    const at = Date.UTC(2026, 10, 25, 11, 38);
    expect(runsOf(MINUTE, at, at + 22 * MINUTE).map(([start, n]) => [(start - at) / MINUTE, n])).toEqual([
      [0, 2],
      [2, 8],
      [10, 8],
      [18, 4],
    ]);
    const day = Date.UTC(2026, 10, 25);
    expect(
      runsOf(HOUR, day + 3 * HOUR, day + 27 * HOUR).map(([start, n]) => [(start - day) / HOUR, n]),
    ).toEqual([
      [3, 1],
      [4, 4],
      [8, 8],
      [16, 8],
      [24, 2],
      [26, 1],
    ]);
  });
});
