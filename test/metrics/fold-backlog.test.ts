/**
 * A backlog far larger than one transaction (as after days of wrappers recording with no engine running)
 * is folded by one collector run, in short transactions, and the stats read afterwards from rollups are
 * the stats read before from raw calls: same calls, outcomes and bytes per operation, latency within the
 * sketches' 1%.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MetricsCollector } from "../../electron/monitor/metrics/collector.js";
import { DAY } from "../../electron/monitor/metrics/rollups.js";
import { statsDocument } from "../../electron/monitor/metrics/stats-document.js";
import { databasePath } from "../../electron/monitor/paths.js";
import { type Db, openDb } from "../../electron/monitor/store/db.js";
import { listServers } from "../../electron/monitor/store/queries.js";
import type { StatsDocument } from "../../shared/domain.js";
import { mixedCalls, recordCalls } from "./workload.js";

let dir: string;
let db: Db;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "mcpscope-fold-backlog-"));
  db = openDb(databasePath(dir));
});
afterAll(async () => {
  db.close();
  await rm(dir, { recursive: true, force: true });
});

const NOW = Date.UTC(2026, 10, 25, 14, 37, 21, 500);
const CALLS = 12_000;

/** Per server and operation: calls, outcomes, bytes, and latency. */
function flatten(doc: StatsDocument) {
  return Object.fromEntries(
    doc.servers.flatMap((s) =>
      s.operations.map((op) => [`${s.server}|${op.method}|${op.target ?? ""}`, op] as const),
    ),
  );
}

describe("folding a large backlog", () => {
  it("clears it in one run of small transactions, and reads give the same stats as raw calls did", async () => {
    recordCalls(dir, mixedCalls(CALLS, NOW - 3 * DAY, NOW, 5));
    const range = { since: NOW - 4 * DAY, until: NOW };
    // Nothing folded yet: this reads every call raw.
    const raw = flatten(statsDocument(db, range));

    // Transactions start at 100 calls: the backlog is 120 of them. The old collector stopped after 50
    // transactions per tick.
    const collector = new MetricsCollector(db, { foldBatch: 100 });
    expect(collector.backlog()).toBe(CALLS);
    expect(await collector.catchUp()).toBe(CALLS);
    expect(collector.backlog()).toBe(0);

    const folded = flatten(statsDocument(db, range));
    expect(Object.keys(folded).sort()).toEqual(Object.keys(raw).sort());
    let total = 0;
    for (const [key, op] of Object.entries(raw)) {
      const after = folded[key];
      expect(after, key).toBeDefined();
      if (!after) continue;
      total += after.calls;
      expect([after.calls, after.errors, after.outcomes, after.bytes_in, after.bytes_out], key).toEqual([
        op.calls,
        op.errors,
        op.outcomes,
        op.bytes_in,
        op.bytes_out,
      ]);
      // Raw: exact nearest rank; rollups: DDSketch with 1% relative accuracy.
      for (const q of ["p50", "p95", "p99"] as const)
        expect(Math.abs(after.latency_ms[q] - op.latency_ms[q]), `${key} ${q}`).toBeLessThanOrEqual(
          op.latency_ms[q] * 0.011 + 0.001,
        );
    }
    expect(total).toBe(CALLS);
  });

  it("servers.list counts each server's calls from rollups and the unfolded tail, as count(*) would", () => {
    // Calls after the fold above: a tail the collector has not folded yet.
    recordCalls(dir, mixedCalls(700, NOW, NOW + 60_000, 8));
    const raw = Object.fromEntries(
      db
        .prepare("SELECT server, count(*) AS n FROM calls GROUP BY server")
        .all()
        .map((row) => [String(row.server), Number(row.n)]),
    );
    const listed = Object.fromEntries(listServers(db).map((s) => [s.name, s.calls]));
    expect(listed).toEqual(raw);
    expect(Object.values(listed).reduce((a, b) => a + b, 0)).toBe(CALLS + 700);
  });
});
