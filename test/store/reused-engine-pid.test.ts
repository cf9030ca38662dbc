/**
 * A crashed engine's presence file whose pid another process has since got (after a reboot or a pid
 * wrap) is a dead engine, not a running one: `restore` goes ahead, the next engine reports the crash,
 * takes the file away and leaves the clean-close marker when it closes. Real engines, a real live process
 * holding the pid.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngine } from "../../electron/monitor/engine.js";
import { runningEngines } from "../../electron/monitor/engine-presence.js";
import { databasePath } from "../../electron/monitor/paths.js";
import { processStartTicks } from "../../electron/monitor/process-start.js";
import { createBackup } from "../../electron/monitor/store/backup.js";
import { openDb } from "../../electron/monitor/store/db.js";
import { restoreBackup } from "../../electron/monitor/store/restore.js";
import { tempDir } from "../helpers/mcp.js";

let dir: Awaited<ReturnType<typeof tempDir>>;
let other: ChildProcess;
beforeAll(async () => {
  dir = await tempDir();
  other = spawn(process.execPath, ["-e", "setInterval(() => {}, 1e6)"], { stdio: "ignore" });
  await new Promise((resolve) => other.once("spawn", resolve));
});
afterAll(() => {
  other.kill();
  return dir.cleanup();
});

const quiet = { inventory: false, alerts: false, remoteProxies: false } as const;

/** The file a crashed engine left, its pid now another process's (`ticks`: the engine's start ticks). */
function stalePresence(dataDir: string, ticks: "earlier" | "none"): string {
  const pid = other.pid as number;
  const file = join(dataDir, "engines", `${pid}-crashed.json`);
  mkdirSync(join(dataDir, "engines"), { recursive: true });
  const own = processStartTicks(pid);
  const presence =
    ticks === "earlier"
      ? { pid, startTicks: (own ?? 1000) - 500, startedAt: new Date().toISOString(), alerts: true }
      : { pid, startedAt: new Date(Date.now() - 3_600_000).toISOString(), alerts: true }; // an older engine's file
  writeFileSync(file, JSON.stringify(presence));
  return file;
}

describe.runIf(process.platform === "linux")("an engine's pid reused by another process", () => {
  for (const ticks of ["earlier", "none"] as const) {
    it(`does not count as a running engine (start ticks: ${ticks})`, async () => {
      const dataDir = join(dir.path, ticks);
      const db = openDb(databasePath(dataDir));
      const backup = join(dir.path, `${ticks}.mcpscope-backup`);
      await createBackup(db, backup, { version: "test" });
      db.close();
      const stale = stalePresence(dataDir, ticks);
      expect(runningEngines(dataDir)).toEqual([]);
      await expect(restoreBackup(backup, dataDir)).resolves.toMatchObject({
        database: databasePath(dataDir),
      });

      const engine = await createEngine({ dataDir, ...quiet });
      expect(existsSync(stale)).toBe(false);
      await engine.close();
      const after = openDb(databasePath(dataDir));
      const crashed = after.prepare("SELECT message FROM events WHERE type = 'engine.crashed'").all();
      after.close();
      expect(crashed.map((e) => e.message)).toEqual([
        `the mcpscope engine before this one (pid ${other.pid}) ended without closing: it crashed or was killed`,
      ]);
      expect(existsSync(join(dataDir, "db-clean-close"))).toBe(true);
    });
  }
});
