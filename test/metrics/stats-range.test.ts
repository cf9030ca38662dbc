import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MetricsCollector } from "../../electron/monitor/metrics/collector.js";
import { type Piece, planRange } from "../../electron/monitor/metrics/range-plan.js";
import { readRange } from "../../electron/monitor/metrics/range-reader.js";
import { DAY, HOUR, MINUTE, operationTarget } from "../../electron/monitor/metrics/rollups.js";
import { percentile, statsDocument } from "../../electron/monitor/metrics/stats-document.js";
import { databasePath } from "../../electron/monitor/paths.js";
import { type Db, openDb } from "../../electron/monitor/store/db.js";
import type { StatsDocument } from "../../shared/domain.js";
import { mixedCalls, recordCalls, type TestCall } from "./workload.js";

const NOW = Date.UTC(2026, 10, 25, 14, 37, 21, 500);
let dir: string;
let db: Db;
let calls: TestCall[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "mcpscope-stats-"));
  calls = mixedCalls(6000, NOW - 4 * DAY, NOW);
  recordCalls(dir, calls);
  db = openDb(databasePath(dir));
  new MetricsCollector(db).collect();
  // Calls after the fold: a recent one, one exactly at a range's end, and a late one from two days ago.
  const tail: TestCall[] = [
    {
      server: "srv-1",
      method: "tools/call",
      target: "tool-1",
      outcome: "ok",
      startedAt: NOW - 5000,
      durationMs: 3,
    },
    {
      server: "srv-1",
      method: "tools/call",
      target: "tool-2",
      outcome: "timeout",
      startedAt: NOW - HOUR,
      durationMs: 60_000,
    },
    {
      server: "srv-2",
      method: "tools/list",
      target: null,
      outcome: "ok",
      startedAt: NOW - 2 * DAY + 7,
      durationMs: 9,
    },
  ];
  recordCalls(dir, tail);
  calls.push(...tail);
});
afterAll(async () => {
  db.close();
  await rm(dir, { recursive: true, force: true });
});

/** The stats document computed by hand from the workload: exact counts and nearest-rank latency. */
function expected(since: number, until: number) {
  const ops = new Map<
    string,
    { calls: number; outcomes: Record<string, number>; bytesIn: number; bytesOut: number; d: number[] }
  >();
  for (const c of calls) {
    if (c.startedAt < since || c.startedAt > until) continue;
    const key = `${c.server}|${c.method}|${operationTarget(c.method, c.target) ?? ""}`;
    const op = ops.get(key) ?? { calls: 0, outcomes: {}, bytesIn: 0, bytesOut: 0, d: [] };
    op.calls++;
    op.outcomes[c.outcome] = (op.outcomes[c.outcome] ?? 0) + 1;
    op.bytesIn += c.bytesIn ?? 100;
    op.bytesOut += c.bytesOut ?? 200;
    op.d.push(c.durationMs);
    ops.set(key, op);
  }
  return ops;
}

function check(doc: StatsDocument, since: number, until: number): void {
  const want = expected(since, until);
  let seen = 0;
  for (const s of doc.servers) {
    for (const op of s.operations) {
      const w = want.get(`${s.server}|${op.method}|${op.target ?? ""}`);
      expect(w, `${s.server} ${op.method} ${op.target}`).toBeDefined();
      if (!w) continue;
      seen++;
      expect(op.calls).toBe(w.calls);
      expect(Object.fromEntries(Object.entries(op.outcomes).filter(([, n]) => n > 0))).toEqual(w.outcomes);
      expect([op.bytes_in, op.bytes_out]).toEqual([w.bytesIn, w.bytesOut]);
      const sorted = w.d.sort((a, b) => a - b);
      for (const [p, got] of [
        [50, op.latency_ms.p50],
        [95, op.latency_ms.p95],
        [99, op.latency_ms.p99],
      ] as const) {
        const exact = percentile(sorted, p);
        // Within 1%, plus the document's rounding to 0.001 ms.
        expect(Math.abs(got - exact)).toBeLessThanOrEqual(exact * 0.01 + 0.0005);
      }
      expect(op.latency_ms.max).toBeCloseTo(sorted[sorted.length - 1] ?? 0, 3);
    }
  }
  expect(seen).toBe(want.size);
}

describe("stats over rollups", () => {
  const ranges: [string, number, number][] = [
    ["the last hour", NOW - HOUR, NOW],
    ["24 h, unaligned edges", NOW - 25 * HOUR + 17_321, NOW - 2 * HOUR + 4_003],
    ["4 days", NOW - 4 * DAY, NOW],
    ["aligned to whole days, ending on a boundary", Date.UTC(2026, 10, 22), Date.UTC(2026, 10, 24)],
    ["within one minute", NOW - 50_000, NOW - 10_000],
  ];
  for (const [name, since, until] of ranges) {
    it(`${name}: exact counts, outcomes and bytes; percentiles within 1%`, () => {
      check(statsDocument(db, { since, until }), since, until);
    });
  }

  it("long ranges read whole days and hours from rollups, and only the edges from raw calls", () => {
    const pieces = planRange(NOW - 4 * DAY + 1234, NOW, { rawFrom: 0, minutesFrom: 0, hoursFrom: 0 });
    expect(pieces.map((p) => (p.kind === "rollup" ? p.resolution : p.kind))).toEqual([
      "raw",
      MINUTE,
      HOUR,
      DAY,
      HOUR,
      MINUTE,
      "raw",
    ]);
    const raw = pieces.filter((p): p is Extract<Piece, { kind: "raw" }> => p.kind === "raw");
    expect(raw.every((p) => p.end - p.start < MINUTE)).toBe(true);
    expect(raw.at(-1)?.inclusive).toBe(true);
    for (let i = 1; i < pieces.length; i++) expect(pieces[i]?.start).toBe(pieces[i - 1]?.end);
    const data = readRange(db, NOW - 4 * DAY, NOW);
    expect([...data.values()].every((ops) => [...ops.values()].every((op) => op.fromRollups))).toBe(true);
  });

  it("a range of raw calls only keeps exact nearest-rank percentiles", () => {
    const doc = statsDocument(db, { since: NOW - 50_000, until: NOW - 10_000 });
    const want = expected(NOW - 50_000, NOW - 10_000);
    for (const s of doc.servers)
      for (const op of s.operations) {
        const d = want.get(`${s.server}|${op.method}|${op.target ?? ""}`)?.d.sort((a, b) => a - b) ?? [];
        expect(op.latency_ms.p95).toBe(Math.round(percentile(d, 95) * 1000) / 1000);
      }
  });

  it("collectMetrics(): the metric set over the last window, percentiles from merged sketches", () => {
    const collector = new MetricsCollector(db, { collectionIntervalMs: 15_000 }, { now: () => NOW });
    const set = collector.collectMetrics(6 * HOUR);
    expect(collector.metrics).toBe(set);
    expect(set.until - set.since).toBe(6 * HOUR);
    const want = expected(NOW - 6 * HOUR, NOW);
    expect(set.series).toHaveLength(want.size);
    for (const m of set.series) {
      const w = want.get(`${m.server}|${m.method}|${m.target ?? ""}`);
      expect(m.calls).toBe(w?.calls);
      expect(m.errors).toBe((w?.calls ?? 0) - (w?.outcomes.ok ?? 0));
      expect(m.errorRate).toBeCloseTo(m.errors / m.calls, 12);
      const exact = percentile(w?.d.sort((a, b) => a - b) ?? [], 95);
      expect(Math.abs(m.latencyMs.p95 - exact)).toBeLessThanOrEqual(exact * 0.01 + 1e-9);
    }
    expect(collector.collectMetrics().until - collector.collectMetrics().since).toBe(15_000);
  });

  it("where minutes and raw calls were deleted, rounds the range inward to the hours still kept", () => {
    const marks = { rawFrom: NOW - DAY, minutesFrom: NOW - DAY, hoursFrom: 0 };
    const since = NOW - 3 * DAY - 20 * MINUTE;
    const pieces = planRange(since, NOW, marks);
    expect(pieces[0]).toMatchObject({ kind: "none", start: since, end: Math.ceil(since / HOUR) * HOUR });
    expect(pieces.filter((p) => p.kind === "none")).toHaveLength(1);
    expect(pieces.find((p) => p.kind === "raw")?.start).toBeGreaterThanOrEqual(NOW - DAY);
  });
});
