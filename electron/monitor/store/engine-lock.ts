/**
 * `<dataDir>/engine.lock` holds the pid of the engine using the data dir (the app or `mcpscope serve`), so
 * that a restore does not pull the database from under it. Advisory: a lock whose process is gone is stale.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PRIVATE_FILE_MODE } from "./private-files.js";

export function engineLockPath(dataDir: string): string {
  return join(dataDir, "engine.lock");
}

export function writeEngineLock(dataDir: string): () => void {
  const path = engineLockPath(dataDir);
  try {
    writeFileSync(path, `${process.pid}\n`, { mode: PRIVATE_FILE_MODE });
  } catch {
    return () => {};
  }
  return () => {
    try {
      if (readFileSync(path, "utf8").trim() === String(process.pid)) rmSync(path, { force: true });
    } catch {}
  };
}

/** The pid of a live engine using `dataDir`, or null. */
export function runningEngine(dataDir: string): number | null {
  let pid: number;
  try {
    pid = Number(readFileSync(engineLockPath(dataDir), "utf8").trim());
  } catch {
    return null;
  }
  if (!Number.isInteger(pid) || pid <= 0) return null;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM" ? pid : null;
  }
}
