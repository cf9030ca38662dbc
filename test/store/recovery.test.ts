/**
 * Recovery from a damaged database, with real files and real wrappers: random bytes are detected when
 * the engine starts, moved aside and replaced, the user is told, and a session through the wrapper still
 * relays byte for byte; damaged pages are reported by `db check`; a newer schema is refused with one
 * line; a wrapper whose database vanishes or is damaged stops recording with one stderr line while its
 * traffic goes on.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  closeSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createEngine } from "../../electron/monitor/engine.js";
import { databasePath } from "../../electron/monitor/paths.js";
import { openDb, openRawDb } from "../../electron/monitor/store/db.js";
import type { EventRecord } from "../../shared/events.js";
import type { StorageInfo } from "../../shared/storage.js";
import { killAll, startRaw } from "../fixtures/raw-client.js";
import { MCPSCOPE, tempDir, waitFor } from "../helpers/mcp.js";
import { seedLogRows } from "../helpers/seed-database.js";

const SERVER = join(import.meta.dirname, "..", "fixtures", "misbehaving-server.mjs");
const INPUT = [
  {
    jsonrpc: "2.0",
    id: 1,
    method: "initialize",
    params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "1" } },
  },
  { jsonrpc: "2.0", method: "notifications/initialized" },
  { jsonrpc: "2.0", id: 2, method: "tools/list" },
  { jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: "echo", arguments: { text: "héllo" } } },
]
  .map((m) => `${JSON.stringify(m)}\n`)
  .join("");

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  dir = await tempDir();
});
afterEach(() => killAll());
afterAll(() => dir.cleanup());

function wrapper(dataDir: string) {
  return startRaw(process.execPath, [
    MCPSCOPE,
    "run",
    "--name",
    "rec",
    "--data-dir",
    dataDir,
    "--",
    process.execPath,
    SERVER,
  ]);
}

/** Runs INPUT through `process` and returns its stdout once it has answered request 3 and exited. */
async function session(
  process_: ReturnType<typeof startRaw>,
): Promise<{ stdout: Buffer; stderr: string; code: number | null }> {
  await process_.write(INPUT);
  await process_.waitForStdout('"id":3');
  process_.end();
  const result = await process_.done;
  return { stdout: result.stdout, stderr: result.stderr.toString("utf8"), code: result.code };
}

function callCount(dataDir: string): number {
  const db = openDb(databasePath(dataDir), { readOnly: true });
  try {
    return Number(db.prepare("SELECT count(*) AS n FROM calls").get()?.n ?? 0);
  } finally {
    db.close();
  }
}

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [MCPSCOPE, ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe("a damaged database", () => {
  it("random bytes: detected at start, moved aside, replaced, reported, and sessions still relay byte for byte", async () => {
    const dataDir = join(dir.path, "random");
    mkdirSync(dataDir);
    const garbage = randomBytes(64 * 1024);
    writeFileSync(databasePath(dataDir), garbage);

    const stats = await cli(["stats", "--data-dir", dataDir]);
    expect(stats.code).toBe(1);
    expect(stats.stderr.trim().split("\n")).toHaveLength(1);
    expect(stats.stderr).toMatch(/damaged: start the app or `mcpscope serve` to move it aside/);

    // What `serve` says on its terminal: told once, with where the damaged file went.
    const told: { movedTo: string; reason: string }[] = [];
    const engine = await createEngine({
      dataDir,
      inventory: false,
      alerts: false,
      recovered: (recovery) => told.push(recovery),
    });
    try {
      const aside = readdirSync(dataDir).filter((f) => /^mcpscope\.db\.corrupt-[\dTZ-]+$/.test(f));
      expect(aside).toHaveLength(1);
      expect(told.map((r) => r.movedTo)).toEqual([join(dataDir, aside[0] ?? "")]);
      expect(readFileSync(join(dataDir, aside[0] ?? "")).equals(garbage)).toBe(true);
      expect(await engine.invoke("storage.check", { full: true })).toMatchObject({ ok: true });
      const info = (await engine.invoke("storage.info", {})) as StorageInfo;
      expect(info.recovery?.movedTo).toBe(join(dataDir, aside[0] ?? ""));
      expect(info.recovery?.reason).toMatch(/not a database/);
      const events = (await engine.invoke("events.list", { category: "error" })) as EventRecord[];
      expect(events.map((e) => e.type)).toContain("storage.recovered");
    } finally {
      await engine.close();
    }

    const direct = await session(startRaw(process.execPath, [SERVER]));
    const wrapped = await session(wrapper(dataDir));
    expect(wrapped.code).toBe(0);
    expect(wrapped.stdout.equals(direct.stdout)).toBe(true);
    expect(wrapped.stderr).not.toMatch(/^mcpscope:/m);
    expect(callCount(dataDir)).toBe(3);
  });

  it("a recovery fires the built-in database-recovered alert", async () => {
    const dataDir = join(dir.path, "alerting");
    mkdirSync(dataDir);
    writeFileSync(databasePath(dataDir), randomBytes(8 * 1024));
    writeFileSync(join(dataDir, "alerts.yaml"), "evaluation_interval: 200ms\n");
    const engine = await createEngine({ dataDir, inventory: false, alerts: { tickMs: 100 } });
    try {
      const firing = await waitFor(async () => {
        const alerts = (await engine.invoke("alerts.list", {})) as Array<{
          rule: string;
          state: string;
          severity: string;
        }>;
        return alerts.find((a) => a.rule === "database-recovered" && a.state === "firing");
      });
      expect(firing.severity).toBe("critical");
    } finally {
      await engine.close();
    }
  });

  it("damaged pages: `db check` lists them and exits 1; the engine moves the file aside", async () => {
    const dataDir = join(dir.path, "pages");
    seedLogRows(dataDir);
    const fd = openSync(databasePath(dataDir), "r+");
    writeSync(fd, randomBytes(2 * 4096), 0, 2 * 4096, 40 * 4096);
    closeSync(fd);

    const check = await cli(["db", "check", "--data-dir", dataDir]);
    expect(check.code).toBe(1);
    expect(check.stdout).toMatch(/damaged/);

    const engine = await createEngine({ dataDir, inventory: false, alerts: false });
    try {
      expect(readdirSync(dataDir).some((f) => f.startsWith("mcpscope.db.corrupt-"))).toBe(true);
      expect(((await engine.invoke("storage.info", {})) as StorageInfo).recovery).not.toBeNull();
    } finally {
      await engine.close();
    }
    expect((await cli(["db", "check", "--data-dir", dataDir])).code).toBe(0);
  });

  it("a migration that fails leaves the database as it was", async () => {
    const dataDir = join(dir.path, "failed-migration");
    const path = databasePath(dataDir);
    const db = openDb(path);
    db.exec(
      "INSERT INTO events (time, category, type, severity, message) VALUES (1, 'system', 'kept', 'info', 'kept')",
    );
    // Version 0 without the sessions table: the first migration creates it, then fails on the next table,
    // which exists; everything it did must be undone.
    db.exec("DROP TABLE sessions; PRAGMA user_version = 0");
    db.close();
    expect(() => openDb(path)).toThrow(/cannot use the database .*already exists/);
    const after = openRawDb(path, { readOnly: true });
    try {
      expect(Number(after.prepare("PRAGMA user_version").get()?.user_version)).toBe(0);
      expect(after.prepare("SELECT name FROM sqlite_master WHERE name LIKE 'sessions%'").all()).toEqual([]);
      expect(after.prepare("SELECT type FROM events").all()).toEqual([{ type: "kept" }]);
    } finally {
      after.close();
    }
  });

  it("a schema newer than this mcpscope is refused with one line", async () => {
    const dataDir = join(dir.path, "newer");
    const db = openDb(databasePath(dataDir));
    db.exec("PRAGMA user_version = 9999");
    db.close();
    await expect(createEngine({ dataDir, inventory: false, alerts: false })).rejects.toThrow(
      /schema version 9999, newer than this mcpscope understands/,
    );
    const stats = await cli(["stats", "--data-dir", dataDir]);
    expect(stats.code).toBe(1);
    expect(stats.stderr.trim().split("\n")).toHaveLength(1);
    expect(stats.stderr).toMatch(/newer than this mcpscope/);
  });
});

describe("a wrapper whose database goes bad", () => {
  it("vanished data dir: one stderr line, recording stops, traffic unaffected", async () => {
    const dataDir = join(dir.path, "vanish");
    const run = wrapper(dataDir);
    await run.write(`${JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" })}\n`);
    await run.waitForStdout('"id":1');
    await waitFor(() => {
      try {
        return callCount(dataDir) === 1;
      } catch {
        return false; // not created or not migrated yet
      }
    });
    rmSync(dataDir, { recursive: true, force: true });
    for (let id = 2; id <= 4; id++) {
      await run.write(`${JSON.stringify({ jsonrpc: "2.0", id, method: "ping" })}\n`);
      await run.waitForStdout(`"id":${id}`);
    }
    await run.waitForStderr("recording stopped");
    run.end();
    const result = await run.done;
    expect(result.code).toBe(0);
    const ours = result.stderr
      .toString("utf8")
      .split("\n")
      .filter((l) => l.startsWith("mcpscope:"));
    expect(
      ours.filter((l) => /was removed while recording; recording stopped, traffic unaffected/.test(l)),
    ).toHaveLength(1);
  });

  it("damaged database: one stderr line, traffic unaffected", async () => {
    const dataDir = join(dir.path, "damaged-wrapper");
    mkdirSync(dataDir);
    writeFileSync(databasePath(dataDir), randomBytes(16 * 1024));
    const direct = await session(startRaw(process.execPath, [SERVER]));
    const wrapped = await session(wrapper(dataDir));
    expect(wrapped.code).toBe(0);
    expect(wrapped.stdout.equals(direct.stdout)).toBe(true);
    const ours = wrapped.stderr.split("\n").filter((l) => l.startsWith("mcpscope:"));
    expect(ours.filter((l) => /recording stopped, traffic unaffected/.test(l))).toHaveLength(1);
  });
});
