/** Retention deletes the oldest first, by age and by size, in small batches, and keeps the newest. */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { resolveLogSettings } from "../../electron/monitor/logs/log-settings.js";
import { applyRetention } from "../../electron/monitor/logs/retention.js";
import type { Db } from "../../electron/monitor/store/db.js";
import { insertLogs, tempStore } from "./store.js";

const NOW = Date.parse("2026-11-25T12:00:00Z");
const HOUR = 3_600_000;

let store: Awaited<ReturnType<typeof tempStore>>;
let db: Db;
beforeEach(async () => {
  store = await tempStore();
  db = store.db;
});
afterEach(() => store.cleanup());

const ids = (server: string) =>
  db
    .prepare("SELECT id FROM logs WHERE server = ? ORDER BY id")
    .all(server)
    .map((r) => Number(r.id));
const usage = (server: string) =>
  db.prepare("SELECT rows, bytes FROM log_usage WHERE server = ?").get(server);

describe("log retention", () => {
  it("deletes by age, oldest first, in batches, per server settings", async () => {
    // 180 records a minute apart over the last 3 hours, for two servers; `files` keeps 1 hour.
    const times = Array.from({ length: 180 }, (_, i) => NOW - 3 * HOUR + i * 60_000 + 30_000);
    const filesIds = insertLogs(
      db,
      times.map((time, i) => ({ time, server: "files", message: `line ${i}` })),
    );
    insertLogs(
      db,
      times.map((time, i) => ({ time, server: "memory", message: `line ${i}` })),
    );
    const settings = resolveLogSettings(store.dataDir, {
      retention: { servers: { files: { maxAge: "1h" } } },
    });

    const result = await applyRetention(db, settings, { now: NOW, batchRows: 25, pauseMs: 0 });

    expect(ids("files")).toEqual(filesIds.slice(120)); // the newest 60 minutes
    expect(ids("memory")).toHaveLength(180); // default 14 days
    expect(result.deletedByAge).toBe(120);
    expect(result.batches).toBeGreaterThanOrEqual(120 / 25);
    expect(usage("files")?.rows).toBe(60);
    // Per-minute counts go with the age limit too; they outlive size-based deletion.
    const minutes = db.prepare("SELECT min(minute) AS m FROM log_minutes WHERE server = 'files'").get();
    expect(Number(minutes?.m) * 60_000).toBeGreaterThanOrEqual(NOW - HOUR);
  });

  it("deletes by size, oldest first, until the newest fit under the cap", async () => {
    const message = "x".repeat(1000);
    const memoryIds = insertLogs(
      db,
      Array.from({ length: 100 }, (_, i) => ({ time: NOW - 100_000 + i * 1000, server: "memory", message })),
    );
    insertLogs(db, [{ time: NOW, server: "files", message }]);
    const perRow = Number(usage("memory")?.bytes) / 100;
    const settings = resolveLogSettings(store.dataDir, {
      retention: { servers: { memory: { maxBytes: Math.floor(perRow * 20.5) } } },
    });

    const result = await applyRetention(db, settings, { now: NOW, batchRows: 7, pauseMs: 0 });

    expect(ids("memory")).toEqual(memoryIds.slice(80));
    expect(Number(usage("memory")?.bytes)).toBeLessThanOrEqual(perRow * 20.5);
    expect(result.deletedBySize).toBe(80);
    expect(ids("files")).toHaveLength(1);
  });

  it("never deletes the newest record, so ids never restart", async () => {
    const [, newest] = insertLogs(db, [
      { time: NOW - 30 * 24 * HOUR, message: "ancient" },
      { time: NOW - 20 * 24 * HOUR, message: "old but newest" },
    ]);
    await applyRetention(db, resolveLogSettings(store.dataDir, {}), { now: NOW, pauseMs: 0 });
    expect(ids("files")).toEqual([newest]);
    const [next] = insertLogs(db, [{ message: "new" }]);
    expect(next).toBeGreaterThan(newest!);
  });

  it("stops between batches when asked", async () => {
    insertLogs(
      db,
      Array.from({ length: 50 }, (_, i) => ({ time: NOW - 30 * 24 * HOUR + i, message: `m ${i}` })),
    );
    insertLogs(db, [{ time: NOW, message: "keep" }]);
    let batches = 0;
    const result = await applyRetention(db, resolveLogSettings(store.dataDir, {}), {
      now: NOW,
      batchRows: 10,
      pauseMs: 0,
      stopped: () => ++batches > 2,
    });
    expect(result.deletedByAge).toBe(10); // one batch, then it stopped
  });
});
