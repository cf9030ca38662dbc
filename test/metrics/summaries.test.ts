/**
 * Charts of a server or of everything read each bucket from the servers' summary series (a few rows per
 * bucket) instead of every operation's. On a database folded before summaries existed, buckets before
 * they began are read from the operations' rows: either way, every bucket counts exactly the calls
 * stored in it.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MetricsCollector } from "../../electron/monitor/metrics/collector.js";
import { MINUTE, readState, STATE } from "../../electron/monitor/metrics/rollups.js";
import { metricsSeries } from "../../electron/monitor/metrics/series.js";
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

describe("server summaries", () => {
  it("count every call of a bucket, before and after they began on an older database", async () => {
    // Folded by a version without summaries: its summary rows and mark do not exist.
    recordCalls(dir, mixedCalls(3000, NOW - 3 * HOUR, NOW - 2 * HOUR, 21));
    await new MetricsCollector(db).catchUp();
    db.exec(`DELETE FROM call_rollups WHERE series IN (SELECT id FROM rollup_series WHERE method = '*');
             DELETE FROM rollup_series WHERE method = '*';
             DELETE FROM metrics_state WHERE key = '${STATE.summariesFrom}';`);
    // Then this version folds newer calls, and a few are left unfolded.
    recordCalls(dir, mixedCalls(3000, NOW - 2 * HOUR, NOW - 10 * MINUTE, 22));
    await new MetricsCollector(db).catchUp();
    recordCalls(dir, mixedCalls(200, NOW - 10 * MINUTE, NOW, 23));

    const newestOld = Number(
      db.prepare("SELECT max(started_at) AS t FROM calls WHERE id <= 3000").get()?.t ?? Number.NaN,
    );
    expect(readState(db, STATE.summariesFrom)).toBe(Math.floor(newestOld / MINUTE) * MINUTE + MINUTE);
    const summaryRows = Number(
      db
        .prepare(
          "SELECT count(*) AS n FROM call_rollups WHERE series IN (SELECT id FROM rollup_series WHERE method = '*')",
        )
        .get()?.n,
    );
    expect(summaryRows).toBeGreaterThan(0);

    expect(chart()).toEqual(rawBuckets());
    expect(chart("srv-1")).toEqual(rawBuckets("srv-1"));
  });
});
