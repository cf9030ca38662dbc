/**
 * Where a backup under way keeps its intermediate files: the uncompressed copy of the whole database and
 * its gzip. They live in a folder of their own beside the backup (same file system; made 0700 by
 * mkdtemp, so no other user can open the copy while SQLite writes it, whatever the umask or the folder
 * the user chose), named with the pid of the process writing it. A stop signal removes it through
 * `removeUnfinishedBackups` (the CLI's handler, the engine's close); a process killed outright leaves it,
 * and `sweepUnfinishedBackups` removes such leftovers of processes that are gone.
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { atomicTempOwner } from "../instrument/atomic-file.js";
import { processAlive } from "../process-alive.js";

const WORK_PREFIX = ".mcpscope-backup-";
const WORK_NAME = /^\.mcpscope-backup-(\d+)-/;

/** Paths of backups under way in this process: work folders and the temp file of the backup itself. */
const unfinished = new Set<string>();

export interface BackupWork {
  /** The private folder for the intermediate files. */
  dir: string;
  /** Also removed on a stop: the temp file the finished backup is written to before it is put in place. */
  track(path: string): void;
  /** Removes the folder and what was tracked (the backup is done, or failed). */
  remove(): void;
}

/** Makes the private work folder in `folder` (where the backup goes). */
export function startBackupWork(folder: string): BackupWork {
  const dir = mkdtempSync(join(folder, `${WORK_PREFIX}${process.pid}-`));
  const mine = [dir];
  unfinished.add(dir);
  return {
    dir,
    track(path) {
      mine.push(path);
      unfinished.add(path);
    },
    remove() {
      for (const path of mine) {
        rmSync(path, { recursive: true, force: true });
        unfinished.delete(path);
      }
    },
  };
}

/** Removes what every backup under way in this process has written so far (synchronous: for a stop signal). */
export function removeUnfinishedBackups(): void {
  for (const path of unfinished) rmSync(path, { recursive: true, force: true });
  unfinished.clear();
}

/** Removes, in `folder`, what backups of processes that are gone left behind. Returns the names removed. */
export function sweepUnfinishedBackups(folder: string): string[] {
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const pid = Number(WORK_NAME.exec(name)?.[1] ?? atomicTempOwner(name) ?? 0);
    if (!pid || pid === process.pid || processAlive(pid)) continue;
    rmSync(join(folder, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}
