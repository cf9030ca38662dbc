/**
 * What an in-app restore keeps of the database it replaced: a backup in `backups/`, listed in the Storage
 * view with Restore… and accepted by `mcpscope restore`, so that restoring the wrong backup (or wanting
 * back the calls recorded since it) is undone in one step. When that backup cannot be written (a full
 * disk, a damaged database), the plain copy aside stays where it is and is named instead.
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { VERSION } from "../version.js";
import { createBackup } from "./backup.js";
import { backupDir, beforeRestoreBackupName } from "./backup-files.js";
import { openRawDb } from "./db.js";
import { ensurePrivateDir } from "./private-files.js";

/** Turns the copy aside at `copy` into a backup in `dataDir`'s `backups/`; returns where the data now is. */
export async function keepAsBackup(copy: string, dataDir: string, now: number): Promise<string> {
  const dir = backupDir(dataDir);
  const file = join(dir, beforeRestoreBackupName(now));
  try {
    ensurePrivateDir(dir);
    const db = openRawDb(copy);
    try {
      await createBackup(db, file, { version: VERSION, now });
    } finally {
      db.close();
    }
  } catch {
    return copy;
  }
  for (const suffix of ["", "-wal", "-shm", "-journal"]) rmSync(copy + suffix, { force: true });
  return file;
}
