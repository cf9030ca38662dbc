/**
 * Restores a backup into a data dir: verified first (complete, unaltered, a known schema), refused while an
 * engine uses the database unless forced, decompressed and checked beside the database, and only then
 * swapped in; the previous database stays aside as `mcpscope.db.before-restore-<time>`.
 */
import { existsSync, renameSync, rmSync } from "node:fs";
import { runningEngines } from "../engine-presence.js";
import { MonitoringError } from "../errors.js";
import { databasePath } from "../paths.js";
import { type BackupManifest, extractBackup, type Progress, verifyBackup } from "./backup.js";
import { openDb } from "./db.js";
import { ensurePrivateDir } from "./private-files.js";
import { moveAside } from "./recovery.js";

export interface RestoreResult {
  manifest: BackupManifest;
  database: string;
  /** Where the database it replaced was moved, or null if there was none. */
  previous: string | null;
}

export async function restoreBackup(
  file: string,
  dataDir: string,
  options: { force?: boolean; now?: number; progress?: Progress } = {},
): Promise<RestoreResult> {
  const manifest = await verifyBackup(file, options.progress);
  const owner = runningEngines(dataDir).find((engine) => engine.pid !== process.pid);
  if (owner && !options.force)
    throw MonitoringError.input(
      `an mcpscope engine (pid ${owner.pid}) is using ${dataDir}; quit the app or stop \`mcpscope serve\` first, or pass --force`,
    );
  ensurePrivateDir(dataDir);
  const path = databasePath(dataDir);
  const staged = `${path}.restoring-${process.pid}`;
  options.progress?.("restore", 0, 1);
  await extractBackup(file, staged, manifest);
  try {
    const previous = existsSync(path) ? moveAside(path, options.now ?? Date.now(), "before-restore") : null;
    renameSync(staged, path);
    // An older schema is brought up to date now rather than by the next wrapper.
    openDb(path).close();
    options.progress?.("restore", 1, 1);
    return { manifest, database: path, previous };
  } finally {
    for (const suffix of ["", "-wal", "-shm", "-journal"]) rmSync(staged + suffix, { force: true });
  }
}
