/**
 * `mcpscope restore` (without --force) refuses while a wrapper records into the data dir from the wrapper's
 * very start, not only once its session row is written (its observer starts later: after the server's
 * first output, or never for a server that has said nothing yet). A real wrapper, a real server, the CLI.
 */
import { type ChildProcess, execFile, spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databasePath } from "../../electron/monitor/paths.js";
import { createBackup } from "../../electron/monitor/store/backup.js";
import { openDb } from "../../electron/monitor/store/db.js";
import { StorageService } from "../../electron/monitor/store/storage-service.js";
import { MCPSCOPE, tempDir, waitFor } from "../helpers/mcp.js";

let dir: Awaited<ReturnType<typeof tempDir>>;
let backup: string;
beforeAll(async () => {
  dir = await tempDir();
  backup = join(dir.path, "b.mcpscope-backup");
  const db = openDb(join(dir.path, "source.db"));
  await createBackup(db, backup, { version: "test" });
  db.close();
});
afterAll(() => dir.cleanup());

async function cli(args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    const { stderr } = await promisify(execFile)(process.execPath, [MCPSCOPE, ...args]);
    return { code: 0, stderr };
  } catch (error) {
    const e = error as { code: number; stderr: string };
    return { code: e.code, stderr: e.stderr };
  }
}

/** A server that says nothing, and marks a file once the first bytes from its client reach it. */
const SILENT_SERVER = `process.stdin.once("data", () => require("node:fs").writeFileSync(process.argv[1], "")); process.stdin.on("end", () => process.exit(0));`;

describe("restore and a wrapper that has just started", () => {
  it("refuses before the wrapper has written its session, and goes ahead once it has exited", async () => {
    const target = join(dir.path, "target");
    openDb(databasePath(target)).close();
    const reached = join(dir.path, "reached");
    const wrapper: ChildProcess = spawn(
      process.execPath,
      [
        MCPSCOPE,
        "run",
        "--name",
        "fresh",
        "--data-dir",
        target,
        "--",
        process.execPath,
        "-e",
        SILENT_SERVER,
        reached,
      ],
      { stdio: ["pipe", "ignore", "ignore"] },
    );
    try {
      // The client's first bytes reached the server through the wrapper: the wrapper is relaying.
      wrapper.stdin?.write("\n");
      await waitFor(() => existsSync(reached));
      const db = openDb(databasePath(target), { readOnly: true });
      expect(db.prepare("SELECT count(*) AS n FROM sessions").get()?.n).toBe(0);
      db.close();

      const refused = await cli(["restore", backup, "--data-dir", target]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/1 `mcpscope run` wrapper\(s\) are recording into .*or pass --force/);
    } finally {
      wrapper.stdin?.end();
      if (wrapper.exitCode === null) await once(wrapper, "exit");
    }
    // Gone: its mark went with it, and nothing holds the restore.
    expect(readdirSync(join(target, "wrappers"))).toEqual([]);
    expect((await cli(["restore", backup, "--data-dir", target])).code).toBe(0);
  });

  it("a killed wrapper's file holds nothing, and the engine's check for lost sessions removes it", async () => {
    const target = join(dir.path, "killed");
    openDb(databasePath(target)).close();
    const gone = spawnSync(process.execPath, ["-e", "0"]);
    mkdirSync(join(target, "wrappers"));
    const file = join(target, "wrappers", `${gone.pid}-1.json`);
    writeFileSync(file, JSON.stringify({ pid: gone.pid, startTicks: null, startedAt: Date.now() }));
    const db = openDb(databasePath(target));
    new StorageService(target, db).closeLostSessions();
    db.close();
    expect(existsSync(file)).toBe(false);
    expect((await cli(["restore", backup, "--data-dir", target])).code).toBe(0);
  });
});
