/**
 * Backup and restore with real processes: a backup taken while a wrapper keeps writing restores with
 * exactly the row counts of its manifest (and the restore's own record); a truncated or altered backup is refused with one line and
 * nothing changes; a data dir in use by an engine is refused without --force, and the replaced database
 * is kept aside.
 */
import { execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { copyFileSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createEngine } from "../../electron/monitor/engine.js";
import { databasePath } from "../../electron/monitor/paths.js";
import { type BackupManifest, rowCounts } from "../../electron/monitor/store/backup.js";
import { openDb } from "../../electron/monitor/store/db.js";
import type { BackupResult, StorageInfo } from "../../shared/storage.js";
import { killAll, startRaw } from "../fixtures/raw-client.js";
import { MCPSCOPE, tempDir, waitFor } from "../helpers/mcp.js";

const SERVER = join(import.meta.dirname, "..", "fixtures", "misbehaving-server.mjs");

let dir: Awaited<ReturnType<typeof tempDir>>;
let source: string;
let backup: string;
let manifest: BackupManifest;
beforeAll(async () => {
  dir = await tempDir();
  source = join(dir.path, "source");
  backup = join(dir.path, "during-load.mcpscope-backup");
});
afterEach(() => killAll());
afterAll(() => dir.cleanup());

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [MCPSCOPE, ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function counts(dataDir: string): Record<string, number> {
  const db = openDb(databasePath(dataDir), { readOnly: true });
  try {
    return rowCounts(db);
  } finally {
    db.close();
  }
}

/**
 * The manifest's counts plus what the restore records of itself in the restored database: one event,
 * one audit record (with its subject and its link).
 */
function withRestoreRecord(rows: Record<string, number>): Record<string, number> {
  const plus = (table: string) => (rows[table] ?? 0) + 1;
  return {
    ...rows,
    events: plus("events"),
    audit_records: plus("audit_records"),
    audit_subjects: plus("audit_subjects"),
    audit_links: plus("audit_links"),
  };
}

function calls(dataDir: string): number {
  try {
    return counts(dataDir).calls ?? 0;
  } catch {
    return 0; // not created or not migrated yet
  }
}

describe("backup and restore", () => {
  it("a backup taken while a wrapper writes restores with its manifest's counts", async () => {
    const wrapper = startRaw(process.execPath, [
      MCPSCOPE,
      "run",
      "--name",
      "load",
      "--data-dir",
      source,
      "--",
      process.execPath,
      SERVER,
    ]);
    let id = 0;
    let stop = false;
    const load = (async () => {
      while (!stop) {
        const batch = Array.from({ length: 50 }, () => ({ jsonrpc: "2.0", id: ++id, method: "ping" }));
        await wrapper.write(batch.map((m) => `${JSON.stringify(m)}\n`).join(""));
        await wrapper.waitForStdout(`"id":${id},`);
      }
    })();
    await waitFor(() => calls(source) >= 200);
    const result = await cli(["backup", backup, "--json", "--data-dir", source]);
    const during = calls(source);
    stop = true;
    await load;
    wrapper.end();
    expect((await wrapper.done).code).toBe(0);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/mcpscope backup: compressing 100%/);
    manifest = JSON.parse(result.stdout) as BackupManifest;
    expect(manifest.rows.calls).toBeGreaterThanOrEqual(200);
    expect(manifest.rows.calls).toBeLessThanOrEqual(during);
    expect(manifest.range).not.toBeNull();
    expect(statSync(backup).mode & 0o777).toBe(0o600);

    const target = join(dir.path, "restored");
    const restored = await cli(["restore", backup, "--data-dir", target]);
    expect(restored.code).toBe(0);
    expect(counts(target)).toEqual(withRestoreRecord(manifest.rows));
    expect((await cli(["db", "check", "--data-dir", target])).code).toBe(0);

    const info = await cli(["db", "info", "--json", "--data-dir", target]);
    expect(info.code).toBe(0);
    const doc = JSON.parse(info.stdout) as StorageInfo;
    expect(doc.calls).toBe(manifest.rows.calls);
    expect(doc.tables.find((t) => t.name === "calls")).toMatchObject({ rows: manifest.rows.calls });
    expect(doc.tables.find((t) => t.name === "calls")?.bytes).toBeGreaterThan(0);
    expect(doc.bytesPerCall).toBeGreaterThan(0);
    expect(doc.retention.map((r) => r.key)).toContain("storage.retention.audit");
  });

  it("refuses a truncated or altered backup with one line and changes nothing", async () => {
    const target = join(dir.path, "refusing");
    openDb(databasePath(target)).close();
    const before = readFileSync(databasePath(target));
    const truncated = join(dir.path, "truncated.mcpscope-backup");
    copyFileSync(backup, truncated);
    truncateSync(truncated, statSync(backup).size - 100);
    const altered = join(dir.path, "altered.mcpscope-backup");
    const bytes = readFileSync(backup);
    bytes[bytes.length - 500] = (bytes[bytes.length - 500] ?? 0) ^ 0xff;
    writeFileSync(altered, bytes);
    const forged = join(dir.path, "forged.mcpscope-backup");
    writeFileSync(forged, readFileSync(backup, "latin1").replace(/"calls":\d+/, '"calls":1'), "latin1");

    for (const [file, why] of [
      [truncated, /is truncated \(\d+ of \d+ bytes\); nothing was restored/],
      [altered, /does not match its checksum; it was altered or damaged/],
      [forged, /row counts differ from its manifest; it was altered or damaged/],
      [join(dir.path, "none"), /: \/.+\/none does not exist; name a backup file$/],
      [dir.path, /: \/.+ is a folder; name a backup file$/],
    ] as const) {
      const result = await cli(["restore", file, "--data-dir", target]);
      expect(result.code).toBe(1);
      const lines = result.stderr
        .trim()
        .split("\n")
        .filter((l) => !/: (verifying|decompressing)/.test(l));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(why);
    }
    expect(readFileSync(databasePath(target)).equals(before)).toBe(true);
    expect(readdirSync(target).filter((f) => f.includes("restor"))).toEqual([]);
  });

  it("refuses a data dir an engine uses unless --force, and keeps the previous database aside", async () => {
    const target = join(dir.path, "in-use");
    const engine = await createEngine({ dataDir: target, inventory: false, alerts: false });
    try {
      const refused = await cli(["restore", backup, "--data-dir", target]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/an mcpscope engine \(pid \d+\) is using .*or pass --force/);
      const own = (await engine.invoke("storage.backup", {})) as BackupResult;
      expect(own.file.startsWith(join(target, "backups"))).toBe(true);
    } finally {
      await engine.close();
    }
    const forced = await cli(["restore", backup, "--force", "--json", "--data-dir", target]);
    expect(forced.code).toBe(0);
    const { previous } = JSON.parse(forced.stdout) as { previous: string };
    expect(previous).toMatch(/mcpscope\.db\.before-restore-/);
    expect(statSync(previous).size).toBeGreaterThan(0);
    expect(counts(target)).toEqual(withRestoreRecord(manifest.rows));
  });
  it("refuses while a wrapper is recording into the database, unless --force", async () => {
    const target = join(dir.path, "recording");
    const wrapper = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
    try {
      await once(wrapper, "spawn");
      const db = openDb(databasePath(target));
      // Its session started after the process did, as a wrapper's does.
      db.prepare(
        "INSERT INTO sessions (id, server, command, started_at, wrapper_pid) VALUES ('live', 'x', 'x', ?, ?)",
      ).run(Date.now(), wrapper.pid ?? 0);
      db.close();
      const refused = await cli(["restore", backup, "--data-dir", target]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/1 `mcpscope run` wrapper\(s\) are recording into .*or pass --force/);
      expect(calls(target)).toBe(0);
    } finally {
      wrapper.kill();
    }
    await once(wrapper, "exit");
    const after = await cli(["restore", backup, "--data-dir", target]);
    expect(after.code).toBe(0);
  });
  it("is not held by an open session whose wrapper died and whose pid another process now has", async (context) => {
    if (process.platform !== "linux") context.skip(); // process start times come from /proc
    const target = join(dir.path, "pid-reused");
    const other = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
    try {
      await once(other, "spawn");
      const db = openDb(databasePath(target));
      // A session an hour old whose wrapper was killed; its pid now belongs to a process started since.
      db.prepare(
        "INSERT INTO sessions (id, server, command, started_at, wrapper_pid) VALUES ('dead', 'x', 'x', ?, ?)",
      ).run(Date.now() - 3_600_000, other.pid ?? 0);
      db.close();
      const restored = await cli(["restore", backup, "--data-dir", target]);
      expect(restored.stderr).not.toMatch(/recording into/);
      expect(restored.code).toBe(0);
    } finally {
      other.kill();
    }
  });
});
