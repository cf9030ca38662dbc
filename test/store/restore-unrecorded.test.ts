/**
 * A restore that has replaced the database is done, even when its own record then cannot be written
 * (the database locked past the busy timeout, a full disk): the command says so and exits 0, so that
 * neither a user nor a script retries or undoes a restore that happened.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { createEngine } from "../../electron/monitor/engine.js";
import { databasePath } from "../../electron/monitor/paths.js";
import { openDb } from "../../electron/monitor/store/db.js";
import type { BackupResult, RestoreResult } from "../../shared/storage.js";
import { MCPSCOPE, tempDir } from "../helpers/mcp.js";

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [MCPSCOPE, ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** A database that refuses the restore's record, as a disk that the restored database filled would. */
function refuseRestoreRecord(dataDir: string): void {
  const db = openDb(databasePath(dataDir));
  try {
    db.exec(`CREATE TRIGGER refuse_restored BEFORE INSERT ON events WHEN NEW.type = 'storage.restored'
      BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`);
  } finally {
    db.close();
  }
}

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

describe("restore whose record cannot be written", () => {
  it("reports the restore done, says the record is missing, and exits 0", async () => {
    const dir = await tempDir();
    cleanups.push(dir.cleanup);
    const source = join(dir.path, "source");
    const target = join(dir.path, "target");
    refuseRestoreRecord(source);
    openDb(databasePath(target)).close();
    const file = join(dir.path, "one.mcpscope-backup");
    expect((await cli(["backup", file, "--data-dir", source])).code).toBe(0);

    const restore = await cli(["restore", file, "--data-dir", target]);
    expect(restore.stdout).toMatch(/^restored \d+ rows into .*mcpscope\.db; the previous database is at /);
    // After the progress lines, one line.
    expect(restore.stderr).toMatch(
      /\nmcpscope restore: the restore is done, but its record could not be written: database or disk is full\n$/,
    );
    expect(restore.code).toBe(0);
    const previous = restore.stdout.match(/the previous database is at (\S+)\n$/)?.[1] ?? "";
    expect(existsSync(previous)).toBe(true);
  });

  it("in the app: answers ok, saying the record is missing", async () => {
    const dir = await tempDir();
    cleanups.push(dir.cleanup);
    const dataDir = join(dir.path, "data");
    const engine = await createEngine({ dataDir, inventory: false, alerts: false, remoteProxies: false });
    cleanups.push(() => engine.close());
    refuseRestoreRecord(dataDir);
    const backup = (await engine.invoke("storage.backup", {})) as BackupResult;
    const name = backup.file.split(/[\\/]/).at(-1);
    const result = (await engine.invoke("storage.restore", { name })) as RestoreResult;
    expect(result.ok, result.message).toBe(true);
    expect(result.message).toMatch(
      /^restored .*; the database it replaced is at .*; its record could not be written: database or disk is full$/,
    );
    expect(existsSync(result.previous ?? "")).toBe(true);
  });
});
