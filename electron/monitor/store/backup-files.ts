/**
 * Which backup files are whose. The schedule names its files `mcpscope-scheduled-<time>.mcpscope-backup`
 * and its rotation deletes only those, oldest by the time in the name: `backups/` is also where a user
 * puts a backup to restore in the app, and that file is theirs. The last backup written anywhere (the
 * app, the schedule, `mcpscope backup FILE` outside `backups/`) is remembered in `last-backup.json`.
 */
import { readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import type { BackupFile } from "../../../shared/storage.js";
import { readManifest } from "./backup.js";
import { writePrivateFileSync } from "./private-files.js";

export const BACKUP_SUFFIX = ".mcpscope-backup";

export function backupDir(dataDir: string): string {
  return join(dataDir, "backups");
}

const SCHEDULED_PREFIX = "mcpscope-scheduled-";
const BEFORE_RESTORE_PREFIX = "mcpscope-before-restore-";
const BEFORE_UPGRADE_PREFIX = "mcpscope-before-upgrade-from-";
/** How many copies kept before an upgrade stay: the last update's, and the one before in case it went wrong too. */
export const BEFORE_UPGRADE_KEEP = 2;
const LAST_BACKUP = "last-backup.json";
/** The time as it appears in a backup's name: ISO 8601 with `:` and `.` made `-` (file-name safe). */
const STAMP = /^(\d{4}-\d{2}-\d{2}T\d{2})-(\d{2})-(\d{2})-(\d{3})Z$/;

function stamp(now: number): string {
  return new Date(now).toISOString().replace(/[:.]/g, "-");
}

/** Where Back up now and `storage.backup` put a backup taken at `now`. */
export function backupFileName(now: number): string {
  return `mcpscope-${stamp(now)}${BACKUP_SUFFIX}`;
}

/** The name of a backup the schedule takes at `now`. */
export function scheduledBackupName(now: number): string {
  return `${SCHEDULED_PREFIX}${stamp(now)}${BACKUP_SUFFIX}`;
}

/**
 * The name of the backup an in-app restore makes of the database it replaces, so that the restore can be
 * undone with Restore… or `mcpscope restore`. It holds what was there before, not a copy of what is now:
 * it is no one's "last backup", and the schedule's rotation never deletes it.
 */
export function beforeRestoreBackupName(now: number): string {
  return `${BEFORE_RESTORE_PREFIX}${stamp(now)}${BACKUP_SUFFIX}`;
}

/**
 * The name of the copy of the database kept as it was before an upgrade from schema `from` (store/
 * before-upgrade.ts): what an older mcpscope can still restore. Like a before-restore backup, it is no
 * one's "last backup", and the schedule's rotation never deletes it; only the newest BEFORE_UPGRADE_KEEP stay.
 */
export function beforeUpgradeBackupName(from: number, now: number): string {
  return `${BEFORE_UPGRADE_PREFIX}${from}-${stamp(now)}${BACKUP_SUFFIX}`;
}

/** Deletes the copies kept before upgrades beyond the newest `keep` (by the time in their names). */
export function rotateBeforeUpgradeBackups(dataDir: string, keep = BEFORE_UPGRADE_KEEP): string[] {
  const dir = backupDir(dataDir);
  const kept = readdirSync(dir)
    .map((name) => ({ path: join(dir, name), time: beforeUpgradeTime(name) }))
    .filter((file): file is { path: string; time: number } => file.time !== null)
    .sort((a, b) => b.time - a.time);
  for (const old of kept.slice(keep)) rmSync(old.path, { force: true });
  return kept.slice(keep).map((old) => old.path);
}

function beforeUpgradeTime(name: string): number | null {
  const from = /^\d+-/.exec(name.slice(BEFORE_UPGRADE_PREFIX.length))?.[0] ?? "";
  return name.startsWith(BEFORE_UPGRADE_PREFIX) && from
    ? timeAfter(BEFORE_UPGRADE_PREFIX + from, name)
    : null;
}

function timeAfter(prefix: string, name: string): number | null {
  if (!name.startsWith(prefix) || !name.endsWith(BACKUP_SUFFIX)) return null;
  const match = STAMP.exec(name.slice(prefix.length, -BACKUP_SUFFIX.length));
  if (!match) return null;
  const time = Date.parse(`${match[1]}:${match[2]}:${match[3]}.${match[4]}Z`);
  return Number.isNaN(time) ? null : time;
}

/** The time in a scheduled backup's name, or null when the name is not the schedule's. */
export function scheduledBackupTime(name: string): number | null {
  return timeAfter(SCHEDULED_PREFIX, name);
}

/**
 * Whether a backup's time is after `now`: taken while the clock was ahead, copied from a machine whose clock
 * was, or read while this clock is behind. Which clock was wrong cannot be told, so such a backup is
 * neither fresh (the schedule does not wait for its date) nor old (rotation does not delete it). A minute
 * of slack keeps a small clock step from counting.
 */
export function datedAhead(time: number, now: number): boolean {
  return time > now + 60_000;
}

/**
 * Deletes the schedule's own backups in `dataDir`'s `backups/` beyond the newest `keep` (by the time in
 * their names) of those dated up to `now`: one dated after it is left alone (datedAhead). Returns the
 * files deleted, for the log.
 */
export function rotateScheduledBackups(dataDir: string, keep: number, now: number): string[] {
  const dir = backupDir(dataDir);
  const scheduled = readdirSync(dir)
    .map((name) => ({ path: join(dir, name), time: scheduledBackupTime(name) }))
    .filter((file): file is { path: string; time: number } => file.time !== null)
    .filter((file) => !datedAhead(file.time, now))
    .sort((a, b) => b.time - a.time);
  const deleted: string[] = [];
  for (const old of scheduled.slice(keep)) {
    rmSync(old.path, { force: true });
    deleted.push(old.path);
  }
  return deleted;
}

/** Remembers a backup just written (fails open: the backup itself is done). */
export function rememberBackup(dataDir: string, backup: BackupFile): void {
  try {
    writePrivateFileSync(join(dataDir, LAST_BACKUP), JSON.stringify(backup));
  } catch {}
}

function remembered(dataDir: string): BackupFile | null {
  try {
    const value = JSON.parse(readFileSync(join(dataDir, LAST_BACKUP), "utf8")) as Partial<BackupFile>;
    if (typeof value.file !== "string" || typeof value.time !== "number") return null;
    const stat = statSync(value.file, { throwIfNoEntry: false });
    return stat?.isFile() ? { file: value.file, time: value.time, bytes: stat.size } : null;
  } catch {
    return null;
  }
}

/** When the backup at `path` was taken, from its manifest; null when it is not a readable backup. */
function manifestTime(path: string): number | null {
  try {
    const { createdAt } = readManifest(path).manifest;
    return typeof createdAt === "number" ? createdAt : null;
  } catch {
    return null;
  }
}

/**
 * Every backup that counts for "the last backup": the files in `backups/` (each dated by the time in
 * mcpscope's own names or by its manifest, not by its mtime, which a copy may or may not keep) and the
 * last one remembered wherever it was written, if it is still there. A before-restore copy is no one's.
 */
export function datedBackups(dataDir: string): BackupFile[] {
  const dir = backupDir(dataDir);
  const found: BackupFile[] = [];
  const last = remembered(dataDir);
  if (last) found.push(last);
  let names: string[] = [];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith(BACKUP_SUFFIX));
  } catch {}
  for (const name of names) {
    const path = join(dir, name);
    const stat = statSync(path, { throwIfNoEntry: false });
    if (
      !stat?.isFile() ||
      name.startsWith(BEFORE_RESTORE_PREFIX) ||
      name.startsWith(BEFORE_UPGRADE_PREFIX) ||
      path === last?.file
    )
      continue;
    // mcpscope's own names carry the time they were taken: no need to read the file.
    const taken = scheduledBackupTime(name) ?? timeAfter("mcpscope-", name) ?? manifestTime(path);
    if (taken !== null) found.push({ file: path, time: taken, bytes: stat.size });
  }
  return found;
}

/** The newest backup (see datedBackups), whatever the clock says now. */
export function lastBackup(dataDir: string): BackupFile | null {
  let newest: BackupFile | null = null;
  for (const backup of datedBackups(dataDir)) if (!newest || backup.time > newest.time) newest = backup;
  return newest;
}
