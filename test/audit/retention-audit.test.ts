/** Deletion by log retention leaves one admin audit record per run that deleted something, in the chain. */
import { afterEach, beforeEach, expect, it } from "vitest";
import { iterateAudit, verifyChain } from "../../electron/monitor/audit/audit-log.js";
import { resolveLogSettings } from "../../electron/monitor/logs/log-settings.js";
import { applyRetention } from "../../electron/monitor/logs/retention.js";
import { insertLogs, tempStore } from "../logs/store.js";

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
