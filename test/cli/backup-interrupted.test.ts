/**
 * `mcpscope backup` keeps the whole database uncompressed for a while: that copy is never readable by
 * others while it is written, and Ctrl-C (or a kill) leaves nothing of it behind; what a process killed
 * outright left is removed by the next backup into that folder.
 */
import { spawn } from "node:child_process";
import { mkdir, readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { recordAdminAction } from "../../electron/monitor/audit/audit-log.js";
import { databasePath } from "../../electron/monitor/paths.js";
import { openDb } from "../../electron/monitor/store/db.js";
import { MCPSCOPE, ROOT, RUNTIME, tempDir } from "../helpers/mcp.js";

let dir: Awaited<ReturnType<typeof tempDir>>;
let data: string;
let umask: number;
beforeAll(async () => {
  // The usual umask: files a process makes are readable by others unless it says otherwise.
  umask = process.umask(0o022);
  dir = await tempDir("mcpscope-backup-int-");
  data = join(dir.path, "data");
  const db = openDb(databasePath(data));
  db.transaction(() => {
    for (let i = 0; i < 30_000; i++)
      recordAdminAction(db, {
        action: "test",
        actor: "me",
        target: `t${i}`,
        time: Date.UTC(2026, 0, 1) + i,
        details: { pad: "x".repeat(400) },
      });
  });
  db.close();
});
afterAll(async () => {
  process.umask(umask);
  await dir.cleanup();
});

/** Every file under `folder` (one level of folders down) with its mode and the mode of its folder. */
async function files(
  folder: string,
): Promise<{ path: string; size: number; mode: number; folderMode: number }[]> {
  const found = [];
  const folderMode = (await stat(folder)).mode & 0o777;
  for (const name of await readdir(folder)) {
    const path = join(folder, name);
    const info = await stat(path).catch(() => null);
    if (info?.isDirectory()) found.push(...(await files(path)));
    else if (info) found.push({ path, size: info.size, mode: info.mode & 0o777, folderMode });
  }
  return found;
}

/** Starts `backup` into `out` and stops it (SIGSTOP) once the copy of the database has some bytes. */
async function stoppedMidCopy(out: string) {
  const child = spawn(RUNTIME, [MCPSCOPE, "backup", "--data-dir", data, join(out, "b.mcpscope-backup")], {
    cwd: ROOT,
    stdio: "ignore",
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  // Checked as the folder changes, not on a timer.
  for (;;) {
    const written = (await files(out).catch(() => [])).filter((f) => f.size > 0);
    if (written.length) break;
    await new Promise((resolve) => setImmediate(resolve));
  }
  child.kill("SIGSTOP");
  return { child, exited };
}

it.skipIf(process.platform === "win32")(
  "keeps the copy of the database owner-only, and SIGINT mid-copy removes it and exits 130",
  async () => {
    const out = join(dir.path, "out");
    await mkdir(out);
    const { child, exited } = await stoppedMidCopy(out);
    const during = await files(out);
    expect(during.length).toBeGreaterThan(0);
    // No other user can open it, even for the moment before a chmod: its folder (or itself) is owner-only.
    for (const file of during)
      expect([file, file.folderMode === 0o700 || file.mode === 0o600]).toEqual([file, true]);
    child.kill("SIGINT");
    child.kill("SIGCONT");
    expect(await exited).toBe(130);
    expect(await readdir(out)).toEqual([]);
  },
  120_000,
);

it.skipIf(process.platform === "win32")(
  "the next backup into the folder removes what a backup killed outright left",
  async () => {
    const out = join(dir.path, "killed");
    await mkdir(out);
    const { child, exited } = await stoppedMidCopy(out);
    child.kill("SIGKILL");
    await exited;
    expect((await readdir(out)).length).toBeGreaterThan(0);
    const next = spawn(RUNTIME, [MCPSCOPE, "backup", "--data-dir", data, join(out, "c.mcpscope-backup")], {
      cwd: ROOT,
      stdio: "ignore",
    });
    expect(await new Promise((resolve) => next.once("exit", resolve))).toBe(0);
    expect(await readdir(out)).toEqual(["c.mcpscope-backup"]);
  },
  120_000,
);
