/**
 * Deletion by retention (of logs, of metrics) leaves one admin audit record per run that deleted
 * something, in the chain, dated by the clock the pass ran with.
 */
import { afterEach, beforeEach, expect, it } from "vitest";
import { iterateAudit, verifyChain } from "../../electron/monitor/audit/audit-log.js";
import { resolveLogSettings } from "../../electron/monitor/logs/log-settings.js";
import { applyRetention } from "../../electron/monitor/logs/retention.js";
import { MetricsCollector } from "../../electron/monitor/metrics/collector.js";
import { DAY, HOUR } from "../../electron/monitor/metrics/rollups.js";
import { CONDITION_MS } from "../helpers/mcp.js";
import { insertLogs, tempStore } from "../logs/store.js";
import { mixedCalls, recordCalls } from "../metrics/workload.js";

const NOW = Date.parse("2026-11-25T12:00:00Z");
let store: Awaited<ReturnType<typeof tempStore>>;
beforeEach(async () => {
  store = await tempStore();
});
afterEach(() => store.cleanup());

it("audits a retention run that deleted logs, and not one that deleted nothing", async () => {
  const { db } = store;
  insertLogs(
    db,
    Array.from({ length: 30 }, (_, i) => ({
      time: NOW - 3 * 3_600_000 + i * 60_000,
      server: "files",
      message: `l${i}`,
    })),
  );
  insertLogs(db, [{ time: NOW - 1000, server: "files", message: "recent" }]);
  const settings = resolveLogSettings(store.dataDir, { retention: { servers: { files: { maxAge: "1h" } } } });
  const first = await applyRetention(db, settings, { now: NOW, pauseMs: 0 });
  expect(first.deletedByAge).toBe(30);
  await applyRetention(db, settings, { now: NOW, pauseMs: 0 });
  const rows = [...iterateAudit(db)];
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({
    kind: "admin",
    action: "retention_delete",
    actor: "retention",
    target: "logs",
  });
  expect(JSON.parse(String(rows[0]?.details))).toEqual({ deletedByAge: 30, deletedBySize: 0 });
  expect(verifyChain(db)).toEqual({ ok: true, records: 1 });
});

it("dates the record of a collector's retention pass by the collector's clock", async () => {
  // Years from the real date: a record dated by the real clock cannot pass for this one.
  const later = Date.parse("2031-03-14T09:26:53.589Z");
  recordCalls(store.dataDir, mixedCalls(40, later - 10 * DAY, later - 9 * DAY));
  const retention = { rawCallsMs: 2 * DAY, minutesMs: 2 * DAY, hoursMs: 2 * DAY, daysMs: 2 * DAY };
  const collector = new MetricsCollector(
    store.db,
    { retention, collectionIntervalMs: 30, retentionIntervalMs: HOUR },
    { now: () => later, worker: false },
  );
  const retentionRecords = () => [...iterateAudit(store.db)].filter((r) => r.action === "retention_delete");
  collector.start();
  const deadline = Date.now() + CONDITION_MS;
  while (retentionRecords().length === 0 && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 20));
  await collector.stop();
  const rows = retentionRecords();
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({ actor: "retention", target: "metrics", time: later });
  expect(collector.failures).toBe(0);
});
