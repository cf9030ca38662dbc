/**
 * One rule for every duration and size in settings.json (logs, storage, metrics, events): positive, at
 * most ten years. A value outside it costs only that key, with a problem line; it never stops the
 * engine or a wrapper, and never resolves to zero (which would delete every log at the next pass).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readEventRetention } from "../../electron/monitor/events/event-settings.js";
import { LogSettingsSource, readLogSettings } from "../../electron/monitor/logs/log-settings.js";
import { LoggingSystem } from "../../electron/monitor/logs/logging-system.js";
import {
  readMetricsRetention,
  readMetricsSettings,
} from "../../electron/monitor/metrics/metrics-settings.js";
import { databasePath } from "../../electron/monitor/paths.js";
import { openDb } from "../../electron/monitor/store/db.js";
import { readStorageSettings } from "../../electron/monitor/store/storage-settings.js";
import { killAll, startRaw } from "../fixtures/raw-client.js";
import { MCPSCOPE } from "../helpers/mcp.js";
import { tempStore } from "./store.js";

const DAY = 86_400_000;
let store: Awaited<ReturnType<typeof tempStore>>;
beforeEach(async () => {
  store = await tempStore();
});
afterEach(() => {
  killAll();
  store.cleanup();
});

const writeSettings = (value: unknown) =>
  writeFileSync(join(store.dataDir, "settings.json"), JSON.stringify(value));

describe("a log duration longer than ten years", () => {
  it("costs only its key: the settings source starts, with the default and a problem", () => {
    writeSettings({
      logs: { minLevel: "info", retention: { maxAge: "99999d" }, files: { rotateEvery: "4000d" } },
    });
    const problems: string[] = [];
    const source = new LogSettingsSource(store.dataDir, (m) => problems.push(m));
    const settings = source.current();
    expect(settings.minLevel.default).toBe("info");
    expect(settings.retention.default.maxAgeMs).toBe(14 * DAY);
    expect(settings.files.rotateEveryMs).toBe(DAY);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('logs.retention.maxAge: "99999d" is too long; the most is 3650d');
    expect(problems[0]).toContain('logs.files.rotateEvery: "4000d" is too long');
  });
});

describe("a wrapper under a settings.json with a log duration longer than ten years", () => {
  it("still records its server's stderr: the setting costs only its key", async () => {
    const dataDir = join(store.dataDir, "wrapped");
    mkdirSync(dataDir);
    writeFileSync(
      join(dataDir, "settings.json"),
      JSON.stringify({ logs: { retention: { maxAge: "99999d" } } }),
    );
    const wrapper = startRaw(process.execPath, [
      MCPSCOPE,
      "run",
      "--name",
      "kept",
      "--data-dir",
      dataDir,
      "--",
      process.execPath,
      "-e",
      'process.stderr.write("server started\\n")',
    ]);
    wrapper.end();
    const result = await wrapper.done;
    expect(result.code).toBe(0);
    expect(result.stderr.toString()).not.toContain("observation stopped");
    const db = openDb(databasePath(dataDir), { readOnly: true });
    try {
      const rows = db.prepare("SELECT message FROM logs WHERE server = 'kept'").all();
      expect(rows.map((r) => r.message)).toEqual(["server started"]);
    } finally {
      db.close();
    }
  });
});

describe("a zero log retention, size or rotation", () => {
  it("is refused like the other sections refuse it: each uses its default", () => {
    writeSettings({
      logs: {
        retention: { maxAge: "0s", maxBytes: "0MB", servers: { a: { maxBytes: "0.0001KB" } } },
        files: { rotateEvery: "0ms", maxBytes: 0 },
      },
    });
    const { settings, problem } = readLogSettings(store.dataDir);
    expect(settings.retention.default).toEqual({ maxAgeMs: 14 * DAY, maxBytes: 200 * 1024 * 1024 });
    expect(settings.retention.servers.a?.maxBytes).toBeUndefined();
    expect(settings.files.rotateEveryMs).toBe(DAY);
    expect(settings.files.maxBytes).toBe(10 * 1024 * 1024);
    expect(problem).toContain('logs.retention.maxAge: "0s" is no time at all');
    expect(problem).toContain('logs.retention.maxBytes: "0MB" is no size at all');
    expect(problem).toContain('logs.retention.servers.a.maxBytes: "0.0001KB" is no size at all');
    expect(problem).toContain('logs.files.rotateEvery: "0ms" is no time at all');
    expect(problem).toContain("logs.files.maxBytes: 0 is no size at all");
  });

  it("accepts durations in parts, as every other section does", () => {
    writeSettings({ logs: { retention: { maxAge: "1d12h" }, files: { rotateEvery: "2m30s" } } });
    const { settings, problem } = readLogSettings(store.dataDir);
    expect(problem).toBeNull();
    expect(settings.retention.default.maxAgeMs).toBe(1.5 * DAY);
    expect(settings.files.rotateEveryMs).toBe(150_000);
  });
});

describe("every section words the same rule the same way", () => {
  it("names a too-long and a zero duration, and a zero size, and keeps the defaults", () => {
    writeSettings({
      storage: { maxSize: "0gb", retention: { audit: "4000d", payloads: "0s" } },
      metrics: { retention: { calls: "4000d", minutes: "0s" } },
      events: { retention: { audit: "4000d", error: "0s" } },
      logs: { retention: { maxAge: "4000d" } },
    });
    const storage = readStorageSettings(store.dataDir);
    expect(storage.settings.maxBytes).toBe(1024 ** 3);
    expect(storage.settings.retention.audit).toBe(365 * DAY);
    expect(storage.settings.retention.payloads).toBe(7 * DAY);
    const metrics = readMetricsSettings(store.dataDir);
    expect(metrics.settings.retention?.rawCallsMs).toBe(7 * DAY);
    const events = readEventRetention(store.dataDir);
    expect(events.days).toEqual({});
    const logs = readLogSettings(store.dataDir);

    const tooLong = '"4000d" is too long; the most is 3650d (ten years)';
    const noTime = '"0s" is no time at all; give a positive duration';
    expect(storage.problem).toContain(`storage.retention.audit: ${tooLong}`);
    expect(storage.problem).toContain(`storage.retention.payloads: ${noTime}`);
    expect(storage.problem).toContain('storage.maxSize: "0gb" is no size at all');
    expect(metrics.problem).toContain(`metrics.retention.calls: ${tooLong}`);
    expect(metrics.problem).toContain(`metrics.retention.minutes: ${noTime}`);
    expect(events.problem).toContain(`events.retention.audit: ${tooLong}`);
    expect(events.problem).toContain(`events.retention.error: ${noTime}`);
    expect(logs.problem).toContain(`logs.retention.maxAge: ${tooLong}`);
  });
});

describe("a settings problem that appears while the engine runs", () => {
  it("is reported by the metrics retention read that applies the default in its place", () => {
    writeSettings({ metrics: { retention: { calls: "30d" } } });
    const heard: string[] = [];
    expect(readMetricsRetention(store.dataDir, (p) => heard.push(p))?.rawCallsMs).toBe(30 * DAY);
    expect(heard).toEqual([]);
    writeSettings({ metrics: { retention: { calls: "400 days" } } });
    expect(readMetricsRetention(store.dataDir, (p) => heard.push(p))?.rawCallsMs).toBe(7 * DAY);
    expect(heard).toHaveLength(1);
    expect(heard[0]).toContain('metrics.retention.calls: "400 days" is not a duration');
  });

  it("is logged once per text, and one section's problem never hides another's", async () => {
    const logging = new LoggingSystem({ dataDir: store.dataDir, db: store.db });
    const metrics = "settings.json: metrics.retention.calls: bad; it uses its default";
    const events = "settings.json: events.retention.audit: bad; it uses its default";
    logging.settingsProblem(metrics);
    logging.settingsProblem(events);
    logging.settingsProblem(metrics);
    logging.flush();
    await logging.close();
    const rows = store.db
      .prepare(
        "SELECT message FROM logs WHERE server = 'mcpscope' AND message LIKE 'settings.json:%' ORDER BY id",
      )
      .all();
    expect(rows.map((r) => r.message)).toEqual([metrics, events]);
  });
});

describe("a problem line", () => {
  it("echoes a bounded part of a large invalid value, however large", () => {
    const huge = Array.from({ length: 10_000 }, (_, i) => i);
    writeSettings({
      logs: { retention: huge, files: { rotateEvery: "9".repeat(100_000) } },
      storage: { maxSize: "1".repeat(100_000) },
    });
    const logs = readLogSettings(store.dataDir).problem ?? "";
    expect(logs).toContain("logs.retention: [0,1,2,3,");
    expect(logs).toContain("… is a list, not an object");
    expect(logs).toContain('logs.files.rotateEvery: "99999');
    expect(logs.length).toBeLessThan(400);
    const storage = readStorageSettings(store.dataDir).problem ?? "";
    expect(storage).toContain('storage.maxSize: "1111');
    expect(storage.length).toBeLessThan(400);
  });

  it("names ten problems at most, then how many more", () => {
    const wrong = Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`kind${i}`, "1d"]));
    writeSettings({ storage: { retention: { ...wrong, audit: "730d" } } });
    const { settings, problem } = readStorageSettings(store.dataDir);
    expect(settings.retention.audit).toBe(730 * DAY);
    expect(problem?.match(/unknown key, ignored/g)).toHaveLength(10);
    expect(problem).toContain("storage.retention.kind9: unknown key, ignored; and 15 more;");
  });
});
