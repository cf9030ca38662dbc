/**
 * Restores a backup into a data dir: verified first (complete, unaltered, a known schema), refused while an
 * engine uses the database unless forced, decompressed and checked beside the database, and only then
 * swapped in; the previous database stays aside as `mcpscope.db.before-restore-<time>`.
 */
import { existsSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import type { BackupListEntry } from "../../../shared/storage.js";
import { runningEngines } from "../engine-presence.js";
import { MonitoringError } from "../errors.js";
import { databasePath } from "../paths.js";
import { type BackupManifest, extractBackup, type Progress, readManifest, verifyBackup } from "./backup.js";
import { BACKUP_SUFFIX, backupDir } from "./backup-files.js";
import { keepAsBackup } from "./before-restore.js";
import { copyDatabase, type Db, openDb, openRawDb } from "./db.js";
import { clearLastCheck } from "./integrity.js";
import { liveWrapperPids, recordingWrapperPids } from "./lost-sessions.js";
import { SCHEMA_VERSION, UpgradeError, type UpgradeListener } from "./migrations.js";
import { ensurePrivateDir, ensurePrivateFile } from "./private-files.js";
import { asidePath, moveAside } from "./recovery.js";

export interface RestoreResult {
  manifest: BackupManifest;
  database: string;
  /** Where the database it replaced was moved, or null if there was none. */
  previous: string | null;
}

export async function restoreBackup(
  file: string,
  dataDir: string,
  options: { force?: boolean; now?: number; progress?: Progress; upgrading?: UpgradeListener } = {},
): Promise<RestoreResult> {
  const manifest = await verifyBackup(file, options.progress);
  if (!options.force) refuseWhileInUse(dataDir);
  ensurePrivateDir(dataDir);
  const path = databasePath(dataDir);
  const staged = `${path}.restoring-${process.pid}`;
  options.progress?.("restore", 0, 1);
  await extractBackup(file, staged, manifest);
  try {
    // An older schema is brought up to date before anything is moved: a migration that fails leaves the
    // data dir as it was.
    migrateStaged(file, staged, options.upgrading);
    // Again, just before the swap: a wrapper or engine may have started while the backup was extracted.
    if (!options.force) refuseWhileInUse(dataDir);
    const previous = existsSync(path) ? moveAside(path, options.now ?? Date.now(), "before-restore") : null;
    renameSync(staged, path);
    // What the last check found was about the file just replaced.
    clearLastCheck(dataDir);
    options.progress?.("restore", 1, 1);
    return { manifest, database: path, previous };
  } finally {
    for (const suffix of ["", "-wal", "-shm", "-journal"]) rmSync(staged + suffix, { force: true });
  }
}

/** Opens the staged copy migrated (WAL mode, the current schema), or refuses the restore in one line. */
function migrateStaged(file: string, staged: string, upgrading?: UpgradeListener): void {
  try {
    // The backup file is the copy of the database as it was: none is kept beside the staged one.
    openDb(staged, { upgrading, olderSchema: "upgrade-no-copy" }).close();
  } catch (error) {
    const why =
      error instanceof UpgradeError
        ? error.reason
        : (error as Error).message.replace(`cannot use the database ${staged}: `, "");
    throw MonitoringError.storage(
      `restore refused: the database in ${file} cannot be opened and upgraded to schema ${SCHEMA_VERSION} (${why}); nothing was changed`,
      error,
    );
  }
}

/** Refuses (one line) while an engine uses the data dir or `mcpscope run` wrappers record into it. */
function refuseWhileInUse(dataDir: string): void {
  const owner = runningEngines(dataDir).find((engine) => engine.pid !== process.pid);
  if (owner)
    throw MonitoringError.input(
      `an mcpscope engine (pid ${owner.pid}) is using ${dataDir}; put the file in ${backupDir(dataDir)} and use Restore… in the app's Storage view, or quit the app or stop \`mcpscope serve\` first, or pass --force`,
    );
  const recording = liveWrappers(dataDir);
  if (recording > 0)
    throw MonitoringError.input(
      `${recording} \`mcpscope run\` wrapper(s) are recording into ${dataDir}; swapping the file would stop their recording: put the file in ${backupDir(dataDir)} and use Restore… in the app's Storage view (it restores under them), or pass --force`,
    );
}

/**
 * Wrappers recording into the data dir: those whose presence file says so (from their start) and those
 * whose session is open and whose process is alive (older wrappers wrote no presence file).
 */
function liveWrappers(dataDir: string): number {
  const pids = new Set(recordingWrapperPids(dataDir));
  const path = databasePath(dataDir);
  if (existsSync(path)) {
    try {
      const db = openRawDb(path, { readOnly: true });
      try {
        for (const pid of liveWrapperPids(db)) pids.add(pid);
      } finally {
        db.close();
      }
    } catch {
      // a damaged or foreign file: verification and the swap say what is wrong with it
    }
  }
  return pids.size;
}

/**
 * Restores a backup into the database a running engine has open, without closing it. Every part of the
 * engine (metrics, logs, alerts, inventory, the batch writer) and every wrapper holds its own connection
 * to the file; closing and reopening them all would be a restart in all but name, and renaming the file
 * under them would leave them writing to an unlinked inode. Instead the verified, migrated copy is
 * written over the live database with SQLite's online backup in one step, as the sqlite3 shell's
 * `.restore` does: once a wrapper's batch has committed it takes the write lock (wrappers writing then
 * wait within their busy timeout, or hold telemetry), replaces every page in one transaction and bumps
 * the schema cookie, so every open connection simply
 * sees the restored content at its next statement. Before that, the current database is copied aside
 * the same way (a consistent snapshot while others write, through a connection of its own so that the
 * engine's queries go on meanwhile), then kept as a backup (keepAsBackup) so that
 * the restore can be undone like any other. Observations committed between that copy and the restore (a
 * moment) are in neither.
 */
export async function restoreInPlace(
  db: Db,
  file: string,
  options: { now?: number; lockWaitMs?: number } = {},
): Promise<RestoreResult> {
  const manifest = await verifyBackup(file);
  const path = db.path;
  const staged = `${path}.restoring-${process.pid}`;
  await extractBackup(file, staged, manifest);
  try {
    // Brought up to the current schema, in WAL mode, giving space back, before it replaces anything.
    migrateStaged(file, staged);
    const copy = openRawDb(staged);
    try {
      if (Number(copy.prepare("PRAGMA auto_vacuum").get()?.auto_vacuum ?? 0) !== 2)
        copy.exec("PRAGMA auto_vacuum = INCREMENTAL; VACUUM");
    } finally {
      copy.close();
    }
    const now = options.now ?? Date.now();
    const previous = asidePath(path, now, "before-restore");
    ensurePrivateFile(previous);
    try {
      await copyDatabase(path, previous);
      const source = openRawDb(staged);
      try {
        await whenUnlocked(() => source.backupTo(path), options.lockWaitMs ?? 10_000);
      } finally {
        source.close();
      }
    } catch (error) {
      // Nothing was replaced (the copy over the live database is one transaction): no copy aside either.
      for (const suffix of ["", "-wal", "-shm", "-journal"]) rmSync(previous + suffix, { force: true });
      throw MonitoringError.storage(
        `cannot restore into ${path}: ${(error as Error).message}; nothing was restored`,
        error,
      );
    }
    keepOpenSessions(db, previous);
    return { manifest, database: path, previous: await keepAsBackup(previous, dirname(path), now) };
  } finally {
    for (const suffix of ["", "-wal", "-shm", "-journal"]) rmSync(staged + suffix, { force: true });
  }
}

/**
 * What node:sqlite's backup reports when another connection holds the write lock: the connection it opens
 * on the destination has no busy handler, so the first step fails with SQLITE_BUSY before copying a page,
 * and node takes the message from that connection, which has none ("not an error").
 */
const LOCKED = /locked|busy|not an error/i;

/**
 * The copy over the live database needs its write lock, which a wrapper holds for one batch at a time.
 * Each try gives up at once, so the wait is `waitMs` on a monotonic clock, tried again every few ms with
 * the event loop free; only a statement elsewhere on this thread that itself waits on the same writer
 * (up to its busy timeout) can stretch it.
 */
async function whenUnlocked(copy: () => Promise<number>, waitMs: number): Promise<void> {
  const deadline = performance.now() + waitMs;
  for (;;) {
    try {
      await copy();
      return;
    } catch (error) {
      if (!LOCKED.test((error as Error).message)) throw error;
      if (performance.now() >= deadline)
        throw new Error(`the database stayed locked by another writer for ${waitMs / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

/**
 * Sessions still open at the restore (wrappers recording now) get their row back from the copy aside, so
 * the calls they go on recording stay attached to a session. Best effort: the restore itself is done.
 */
function keepOpenSessions(db: Db, previous: string): void {
  const columns = db
    .prepare("PRAGMA main.table_info(sessions)")
    .all()
    .map((c) => `"${String(c.name)}"`)
    .join(", ");
  try {
    db.exec(`ATTACH DATABASE '${previous.replace(/'/g, "''")}' AS previous`);
    try {
      db.exec(
        `INSERT OR IGNORE INTO main.sessions (${columns}) SELECT ${columns} FROM previous.sessions WHERE ended_at IS NULL`,
      );
    } finally {
      db.exec("DETACH DATABASE previous");
    }
  } catch {
    // A column the copy lacks or a busy lock: those sessions' calls are kept all the same.
  }
}

/** The backups in `dir`, newest first, each with its manifest or why it cannot be restored. */
export function listBackups(dir: string): BackupListEntry[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith(BACKUP_SUFFIX));
  } catch {
    return [];
  }
  const entries: BackupListEntry[] = [];
  for (const name of names) {
    const path = join(dir, name);
    const stat = statSync(path, { throwIfNoEntry: false });
    if (!stat?.isFile()) continue;
    const entry: BackupListEntry = {
      name,
      file: path,
      bytes: stat.size,
      time: stat.mtimeMs,
      schemaVersion: null,
      version: null,
      range: null,
      rows: {},
      problem: null,
    };
    try {
      const { manifest, offset, size } = readManifest(path);
      Object.assign(entry, {
        time: manifest.createdAt,
        schemaVersion: manifest.schemaVersion,
        version: manifest.version,
        range: manifest.range,
        rows: manifest.rows,
      });
      if (size - offset !== manifest.payloadBytes)
        entry.problem = `truncated or altered (${size - offset} of ${manifest.payloadBytes} bytes)`;
      else if (manifest.schemaVersion > SCHEMA_VERSION)
        entry.problem = `schema version ${manifest.schemaVersion} is newer than this mcpscope understands`;
    } catch (error) {
      entry.problem = (error as Error).message;
    }
    entries.push(entry);
  }
  return entries.sort((a, b) => b.time - a.time);
}
