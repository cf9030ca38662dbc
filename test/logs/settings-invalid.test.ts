/**
 * An invalid value in settings.json costs only itself, and a half-saved file is not "no settings":
 * retention never deletes with values the user did not choose.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readEventRetention } from "../../electron/monitor/events/event-settings.js";
import { LogSettingsSource, readLogSettings } from "../../electron/monitor/logs/log-settings.js";
import { LoggingSystem } from "../../electron/monitor/logs/logging-system.js";
import { applyRetention } from "../../electron/monitor/logs/retention.js";
import {
  readMetricsRetention,
  readMetricsSettings,
} from "../../electron/monitor/metrics/metrics-settings.js";
import { readSchedules } from "../../electron/monitor/reports/schedule-file.js";
import { readStorageSettings } from "../../electron/monitor/store/storage-settings.js";
import { insertLogs, tempStore } from "./store.js";

const DAY = 86_400_000;
let store: Awaited<ReturnType<typeof tempStore>>;
beforeEach(async () => {
  store = await tempStore();
});
afterEach(() => store.cleanup());

const writeSettings = (value: unknown) =>
  writeFileSync(
    join(store.dataDir, "settings.json"),
    typeof value === "string" ? value : JSON.stringify(value),
  );

describe("an invalid log setting", () => {
  it("keeps every valid key: retention keeps what maxAge keeps, files and per-server levels apply", async () => {
    writeSettings({ logs: { minLevel: "warn", retention: { maxAge: "90d" }, files: { enabled: true } } });
    const { settings, problem } = readLogSettings(store.dataDir);
    expect(settings.retention.default.maxAgeMs).toBe(90 * DAY);
    expect(settings.files.enabled).toBe(true);
    expect(settings.minLevel.default).toBe("debug");
    expect(problem).toContain(
      'logs.minLevel: "warn" is not a level: use one of debug, info, notice, warning, error, critical, alert, emergency',
    );

    const now = Date.now();
    const [old] = insertLogs(store.db, [
      { time: now - 20 * DAY, server: "old", message: "from 20 days ago" },
    ]);
    insertLogs(store.db, [{ time: now, server: "new", message: "now" }]);
    await applyRetention(store.db, settings, { now, pauseMs: 0 });
    expect(store.db.prepare("SELECT id FROM logs WHERE id = ?").get(old ?? 0)).toBeTruthy();
  });

  it("names every problem, and keeps the valid entries beside an invalid one", () => {
    writeSettings({
      logs: {
        minLevel: { "*": "verbose", memory: "warning" },
        retention: { maxAge: "forever", maxBytes: "5MB" },
      },
    });
    const { settings, problem } = readLogSettings(store.dataDir);
    expect(settings.minLevel).toEqual({ default: "debug", servers: { memory: "warning" } });
    expect(settings.retention.default).toEqual({ maxAgeMs: 14 * DAY, maxBytes: 5 * 1024 * 1024 });
    expect(problem).toContain('logs.minLevel.*: "verbose" is not a level');
    expect(problem).toContain('logs.retention.maxAge: "forever" is not a duration');
  });

  it("while the file does not parse, the last good settings stay", () => {
    writeSettings({ logs: { retention: { maxAge: "90d" } } });
    const source = new LogSettingsSource(store.dataDir, () => {}, 0);
    expect(source.current().retention.default.maxAgeMs).toBe(90 * DAY);
    writeSettings('{ "logs": { "retention": { "maxAge": "9');
    expect(source.current().retention.default.maxAgeMs).toBe(90 * DAY);
    expect(source.chosenSettings()).not.toBeNull();
    expect(readLogSettings(store.dataDir).problem).toMatch(
      /is not valid JSON .*keeping the settings read before/,
    );
  });

  it("log retention waits when the file has never parsed", async () => {
    writeSettings('{ "logs": { "retention": { "maxAge": "9');
    const now = Date.now();
    const [old] = insertLogs(store.db, [
      { time: now - 20 * DAY, server: "old", message: "from 20 days ago" },
    ]);
    insertLogs(store.db, [{ time: now, server: "new", message: "now" }]);
    const logging = new LoggingSystem({ dataDir: store.dataDir, db: store.db });
    expect(await logging.retain()).toBeNull();
    await logging.close();
    expect(store.db.prepare("SELECT id FROM logs WHERE id = ?").get(old ?? 0)).toBeTruthy();
  });
});

describe("the other settings sections", () => {
  it("keep their valid keys beside an invalid one, and name each problem", () => {
    writeSettings({
      storage: { maxSize: "2gb", retention: { audit: "forever", payloads: "30d" }, nope: 1 },
      metrics: { collectionInterval: "often", retention: { calls: "60d" } },
      events: { retention: { audit: "730d", error: "soon", gossip: "1d" } },
      reports: { schedules: [{ name: 3 }] },
    });
    const storage = readStorageSettings(store.dataDir);
    expect(storage.settings.maxBytes).toBe(2 * 1024 ** 3);
    expect(storage.settings.retention.payloads).toBe(30 * DAY);
    expect(storage.settings.retention.audit).toBe(365 * DAY);
    expect(storage.problem).toContain("storage.retention.audit:");
    expect(storage.problem).toContain("storage.nope: unknown key");

    const metrics = readMetricsSettings(store.dataDir);
    expect(metrics.settings.retention?.rawCallsMs).toBe(60 * DAY);
    expect(metrics.problem).toContain("metrics.collectionInterval:");

    const events = readEventRetention(store.dataDir);
    expect(events.days).toEqual({ audit: 730 });
    expect(events.problem).toContain('events.retention.error: "soon" is not a duration');
    expect(events.problem).toContain("events.retention.gossip: unknown category");
  });

  it("while the file does not parse, keep the last good values, or wait when there are none", () => {
    writeSettings("{ half");
    expect(readStorageSettings(store.dataDir).chosen).toBe(false);
    expect(readMetricsSettings(store.dataDir).chosen).toBe(false);
    expect(readEventRetention(store.dataDir).chosen).toBe(false);
    // The metrics collector reads its periods at each pass: none yet, so it skips the pass.
    expect(readMetricsRetention(store.dataDir)).toBeNull();

    const schedule = { name: "weekly", period: "week", at: "08:00", folder: "/tmp/reports" };
    writeSettings({ storage: { retention: { audit: "730d" } }, reports: { schedules: [schedule] } });
    expect(readStorageSettings(store.dataDir).settings.retention.audit).toBe(730 * DAY);
    expect(readMetricsRetention(store.dataDir)?.rawCallsMs).toBe(7 * DAY);
    const before = readSchedules(store.dataDir).schedules;
    writeSettings('{ "storage": ');
    const storage = readStorageSettings(store.dataDir);
    expect(storage).toMatchObject({ chosen: true, settings: { retention: { audit: 730 * DAY } } });
    expect(storage.problem).toMatch(/is not valid JSON/);
    expect(before).toHaveLength(1);
    expect(readSchedules(store.dataDir).schedules).toEqual(before);
  });
});
