/**
 * A database left by an older mcpscope is upgraded where it is opened, and whoever waits is told first:
 * the engine's host hears the versions before its migrations run (`serve` prints them) and the events list
 * says what held the start, a CLI command says so in one stderr line and answers (a config change too,
 * before it edits the config); the next open, with nothing left to migrate, says nothing.
 */
import { execFile } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngine } from "../../electron/monitor/engine.js";
import { databasePath } from "../../electron/monitor/paths.js";
import { createBackup } from "../../electron/monitor/store/backup.js";
import { openRawDb } from "../../electron/monitor/store/db.js";
import { migrate, SCHEMA_VERSION } from "../../electron/monitor/store/migrations.js";
import type { EventRecord } from "../../shared/events.js";
import { cliAtTerminal } from "../helpers/cli-in-process.js";
import { MCPSCOPE, tempDir, waitFor } from "../helpers/mcp.js";

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(() => dir.cleanup());

/** A database as the previous schema version left it. */
function olderDatabase(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true });
  const db = openRawDb(databasePath(dataDir));
  db.exec("PRAGMA journal_mode = WAL");
  migrate(db, undefined, SCHEMA_VERSION - 1);
  db.close();
}

function schemaVersion(dataDir: string): number {
  const db = openRawDb(databasePath(dataDir), { readOnly: true });
  try {
    return Number(db.prepare("PRAGMA user_version").get()?.user_version);
  } finally {
    db.close();
  }
}

describe("upgrading a database from an older mcpscope", () => {
  it("tells the engine's host before the migrations run, and only when there are some", async () => {
    const dataDir = join(dir.path, "engine");
    olderDatabase(dataDir);
    const heard: Array<[number, number]> = [];
    const quiet = { inventory: false, alerts: false, remoteProxies: false } as const;
    const engine = await createEngine({ dataDir, ...quiet, upgrading: (from, to) => heard.push([from, to]) });
    try {
      expect(heard).toEqual([[SCHEMA_VERSION - 1, SCHEMA_VERSION]]);
      // The events list says what held this start.
      const event = await waitFor(async () =>
        ((await engine.invoke("events.list", { category: "system" })) as EventRecord[]).find(
          (e) => e.type === "storage.upgraded",
        ),
      );
      expect(event.message).toMatch(
        new RegExp(
          `upgraded from schema ${SCHEMA_VERSION - 1} to ${SCHEMA_VERSION} \\(\\d+ ms, by pid \\d+\\); the schema-${SCHEMA_VERSION - 1} database is kept as `,
        ),
      );
      expect(event.details).toMatchObject({ from: SCHEMA_VERSION - 1, to: SCHEMA_VERSION });
    } finally {
      await engine.close();
    }
    expect(schemaVersion(dataDir)).toBe(SCHEMA_VERSION);

    const again = await createEngine({ dataDir, ...quiet, upgrading: (from, to) => heard.push([from, to]) });
    await again.close();
    expect(heard).toHaveLength(1);
  });

  it("a CLI command says so in one stderr line, then answers", async () => {
    const dataDir = join(dir.path, "cli");
    olderDatabase(dataDir);
    const stats = () =>
      promisify(execFile)(process.execPath, [MCPSCOPE, "stats", "--json", "--data-dir", dataDir]);
    const first = await stats();
    expect(first.stderr.trim().split("\n")).toEqual([
      `mcpscope: upgrading the database from schema ${SCHEMA_VERSION - 1} to ${SCHEMA_VERSION}, keeping a copy of it in backups/ (once, after an update; a large database can take a minute)`,
    ]);
    expect(JSON.parse(first.stdout)).toHaveProperty("servers");
    const second = await stats();
    expect(second.stderr).toBe("");
  });

  it("`instrument` says so too, and `uninstrument` after it, with nothing left to upgrade, nothing", async () => {
    const dataDir = join(dir.path, "config-change");
    olderDatabase(dataDir);
    const home = join(dir.path, "home");
    mkdirSync(join(home, ".codex"), { recursive: true });
    const config = join(home, ".codex", "config.toml");
    writeFileSync(config, '[mcp_servers.files]\ncommand = "node"\nargs = ["server.js"]\n');
    const pick = ["--client", "codex", "--server", "files", "--home", home, "--data-dir", dataDir];
    const instrumented = await cliAtTerminal(["instrument", ...pick]);
    expect(instrumented.status).toBe(0);
    expect(instrumented.terminal).toBe(
      `mcpscope: upgrading the database from schema ${SCHEMA_VERSION - 1} to ${SCHEMA_VERSION}, keeping a copy of it in backups/ (once, after an update; a large database can take a minute)\n`,
    );
    expect(readFileSync(config, "utf8")).toContain("mcpscope");
    expect(schemaVersion(dataDir)).toBe(SCHEMA_VERSION);
    const undone = await cliAtTerminal(["uninstrument", ...pick]);
    expect([undone.status, undone.terminal]).toEqual([0, ""]);
  });

  it("`mcpscope restore` of an older backup says so too", async () => {
    const source = join(dir.path, "old-source");
    olderDatabase(source);
    const file = join(dir.path, "old.mcpscope-backup");
    const db = openRawDb(databasePath(source));
    try {
      await createBackup(db, file, { version: "0.0.1" });
    } finally {
      db.close();
    }
    const target = join(dir.path, "restored");
    const { stderr } = await promisify(execFile)(process.execPath, [
      MCPSCOPE,
      "restore",
      file,
      "--data-dir",
      target,
    ]);
    expect(stderr.split("\n")).toContain(
      `mcpscope: upgrading the database from schema ${SCHEMA_VERSION - 1} to ${SCHEMA_VERSION} (once, after an update; a large database can take a minute)`,
    );
    expect(schemaVersion(target)).toBe(SCHEMA_VERSION);
  });
});
