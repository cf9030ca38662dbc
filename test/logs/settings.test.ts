/** The `logs` settings: minimum level per server applied when writing, from every write path. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  LogSettingsSource,
  readLogSettings,
  resolveLogSettings,
} from "../../electron/monitor/logs/log-settings.js";
import { MonitoringSystem } from "../../electron/monitor/monitoring-system.js";
import { databasePath } from "../../electron/monitor/paths.js";
import { BatchWriter } from "../../electron/monitor/store/batch-writer.js";
import { openDb } from "../../electron/monitor/store/db.js";
import { SessionRecorder } from "../../electron/monitor/store/session-recorder.js";
import { tempStore } from "./store.js";

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
const stored = () =>
  store.db
    .prepare("SELECT server, level, source, message FROM logs ORDER BY id")
    .all()
    .map((r) => `${r.server} ${r.source} ${r.level} ${r.message}`);

describe("log settings", () => {
  it("defaults: debug everywhere, 14 days and 200 MB, no files", () => {
    const { settings, problem } = readLogSettings(store.dataDir);
    expect(problem).toBeNull();
    expect(settings.minLevel).toEqual({ default: "debug", servers: {} });
    expect(settings.retention.default).toEqual({ maxAgeMs: 14 * 86_400_000, maxBytes: 200 * 1024 * 1024 });
    expect(settings.files).toMatchObject({ enabled: false, dir: join(store.dataDir, "logs"), keep: 10 });
  });

  it("resolves per-server values over the defaults", () => {
    const settings = resolveLogSettings(store.dataDir, {
      minLevel: { "*": "info", files: "error" },
      retention: { maxAge: "7d", servers: { files: { maxBytes: "50MB" } } },
      files: { enabled: ["files"], maxBytes: "1MB", rotateEvery: "1h", keep: 3 },
    });
    expect(settings.minLevel).toEqual({ default: "info", servers: { files: "error" } });
    expect(settings.retention).toEqual({
      default: { maxAgeMs: 7 * 86_400_000, maxBytes: 200 * 1024 * 1024 },
      servers: { files: { maxBytes: 50 * 1024 * 1024 } },
    });
    expect(settings.files).toMatchObject({
      enabled: ["files"],
      maxBytes: 1024 * 1024,
      rotateEveryMs: 3_600_000,
      keep: 3,
    });
  });

  it("an invalid value means its default and one line that says what is wrong", () => {
    writeSettings({ logs: { minLevel: { files: "loud" } } });
    const { settings, problem } = readLogSettings(store.dataDir);
    expect(settings.minLevel.servers).toEqual({});
    expect(problem).toMatch(
      /^settings\.json: logs\.minLevel\.files: .*; it uses its default, the other settings apply$/,
    );
    writeSettings("{ nope");
    expect(readLogSettings(store.dataDir).problem).toMatch(/is not valid JSON/);
  });

  it("a wrong value is named by its path, with what was expected", () => {
    const problems: [unknown, string][] = [
      [
        { minLevel: { files: "loud" } },
        'logs.minLevel.files: "loud" is not a level: use one of debug, info,',
      ],
      [{ minLevel: 3 }, "logs.minLevel: 3 is not a level: use one of debug"],
      [{ extra: 1 }, "logs.extra: unknown key, ignored (known here: minLevel, retention, files)"],
      [
        { retention: { maxAge: "7x" } },
        'logs.retention.maxAge: "7x" is not a duration; use a number and a unit, like 30s',
      ],
      [
        { retention: { maxBytes: -1 } },
        "logs.retention.maxBytes: -1 is not a size; use a whole number of bytes",
      ],
      [{ retention: { servers: { a: { nope: 1 } } } }, "logs.retention.servers.a.nope: unknown key, ignored"],
      [{ files: { enabled: ["a", 1] } }, "logs.files.enabled.1: 1 is a number, not a server name"],
      [
        { files: { keep: 1001 } },
        "logs.files.keep: 1001 is not a file count: use a whole number from 1 to 1000",
      ],
      [{ files: { keep: 2.5 } }, "logs.files.keep: 2.5 is not a file count"],
      [[], "logs: [] is a list, not an object"],
    ];
    for (const [logs, message] of problems) {
      writeSettings({ logs });
      expect(readLogSettings(store.dataDir).problem).toContain(`settings.json: ${message}`);
    }
    writeSettings({
      logs: {
        minLevel: { "*": "info" },
        retention: { maxAge: "7d", maxBytes: "50MB", servers: { f: { maxBytes: 5 } } },
        files: { enabled: true, dir: "/x", maxBytes: "1 mb", rotateEvery: "1h", keep: 3 },
      },
    });
    expect(readLogSettings(store.dataDir)).toMatchObject({ problem: null, settings: { files: { keep: 3 } } });
  });

  it("the wrapper's write path drops records below the server's minimum level, stderr and MCP alike", () => {
    writeSettings({ logs: { minLevel: { "*": "info", files: "warning" } } });
    const writer = new BatchWriter({ open: () => openDb(databasePath(store.dataDir)) });
    const recorder = (server: string) =>
      new SessionRecorder(
        writer,
        { sessionId: `s-${server}`, server, command: "x", startedAt: 0, pid: null, wrapperPid: 1 },
        undefined,
        new LogSettingsSource(store.dataDir),
      );
    const files = recorder("files");
    const memory = recorder("memory");
    for (const r of [files, memory]) {
      r.stderrLine("DEBUG: noisy", 1);
      r.stderrLine("INFO: ready", 2);
      r.stderrLine("WARNING: slow", 3);
      r.log({
        time: 4,
        level: "notice",
        source: "mcp",
        logger: null,
        message: "mcp notice",
        fields: null,
        requestId: "7",
      });
      r.log({
        time: 5,
        level: "error",
        source: "mcp",
        logger: null,
        message: "mcp error",
        fields: null,
        requestId: null,
      });
    }
    writer.close();
    expect(stored()).toEqual([
      "files stderr warning WARNING: slow",
      "files mcp error mcp error",
      "memory stderr info INFO: ready",
      "memory stderr warning WARNING: slow",
      "memory mcp notice mcp notice",
      "memory mcp error mcp error",
    ]);
    expect(files.logs.filtered).toBe(3);
  });

  it("re-reads the file when it changes", () => {
    const source = new LogSettingsSource(store.dataDir, () => {}, 0);
    expect(source.current().minLevel.default).toBe("debug");
    writeSettings({ logs: { minLevel: "error" } });
    expect(source.current().minLevel.default).toBe("error");
  });

  it("MonitoringSystem.logEvent() goes through the same path (minimum level, masking)", () => {
    writeSettings({ logs: { minLevel: { mcpscope: "warning" } } });
    const system = MonitoringSystem.open(store.dataDir);
    system.logEvent({ level: "info", message: "dropped" });
    system.logEvent({
      level: "error",
      message: "kept password=hunter22",
      logger: "test",
      fields: { token: "abc" },
    });
    system.flush();
    system.close();
    const rows = store.db.prepare("SELECT server, source, level, logger, message, fields FROM logs").all();
    expect(rows).toEqual([
      {
        server: "mcpscope",
        source: "mcpscope",
        level: "error",
        logger: "test",
        message: expect.not.stringContaining("hunter22"),
        fields: expect.not.stringContaining("abc"),
      },
    ]);
  });
});
