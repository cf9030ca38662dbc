/**
 * What the database holds and what it costs: bytes per table (with its indexes, from SQLite's dbstat),
 * rows, bytes per stored call, growth per day, the recovery notice and the last backup.
 */
import type { RecoveryNotice, StorageInfo, TableUsage } from "../../../shared/storage.js";
import { MonitoringError } from "../errors.js";
import { runtimeCopies } from "../instrument/runtime-copies.js";
import { databasePath } from "../paths.js";
import { backupDir, lastBackup } from "./backup-files.js";
import { backupNotice, backupStanding } from "./backup-schedule.js";
import { noteDamage } from "./clean-close.js";
import { DAMAGED_ADVICE, DAMAGED_MESSAGE, type Db } from "./db.js";
import { fileBytes, treeBytes } from "./file-sizes.js";
import { readLastCheck } from "./integrity.js";
import { retentionOverview } from "./retention-overview.js";
import { usedBytes } from "./size-cap.js";
import { readStorageSettings } from "./storage-settings.js";

const DAY = 86_400_000;
export const RECOVERED_EVENT = "storage.recovered";
export const SIZE_PRUNED_EVENT = "storage.size_pruned";
/** Old copies of the CLI removed from the data dir's runtime folder (instrument/runtime-prune.ts). */
export const RUNTIME_PRUNED_EVENT = "storage.runtime_pruned";
export const CHECK_FAILED_EVENT = "storage.check_failed";
export { UPGRADED_EVENT } from "./before-upgrade.js";
export const BACKUP_FAILED_EVENT = "storage.backup_failed";
export const BACKUP_AHEAD_EVENT = "storage.backup_dated_ahead";
export const BACKED_UP_EVENT = "storage.backed_up";
export const RESTORED_EVENT = "storage.restored";

/**
 * What `read` returns, or `fallback` when it meets damaged pages: the rest of the answer still shows, with
 * the check that found them.
 */
function unlessDamaged<T>(read: () => T, fallback: T): T {
  try {
    return read();
  } catch (error) {
    if (DAMAGED_MESSAGE.test((error as Error).message)) return fallback;
    throw error;
  }
}

/** Bytes per table or index from dbstat; when a damaged b-tree stops the whole scan, object by object. */
function objectBytes(db: Db, names: string[]): Array<{ name: string; bytes: number }> {
  const all = "SELECT name, pgsize AS bytes FROM dbstat WHERE aggregate = TRUE";
  const whole = unlessDamaged(() => db.prepare(all).all(), null);
  if (whole) return whole.map((r) => ({ name: String(r.name), bytes: Number(r.bytes) }));
  const one = db.prepare(`${all} AND name = ?`);
  return names.map((name) => ({ name, bytes: unlessDamaged(() => Number(one.get(name)?.bytes ?? 0), 0) }));
}

/**
 * Rows and bytes per table, largest first; an index's pages count for its table. Damaged pages make a
 * table's rows null and leave its unreadable pages out of its bytes.
 */
export function tableUsage(db: Db): TableUsage[] {
  const owner = new Map<string, string>();
  for (const r of db
    .prepare("SELECT name, tbl_name FROM sqlite_master WHERE type IN ('table', 'index')")
    .all())
    owner.set(String(r.name), String(r.tbl_name));
  const bytes = new Map<string, number>();
  for (const r of objectBytes(db, [...owner.keys()])) {
    const table = owner.get(r.name) ?? r.name;
    bytes.set(table, (bytes.get(table) ?? 0) + r.bytes);
  }
  const tables = db
    .prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE 'CREATE VIRTUAL%'",
    )
    .all()
    .map((r) => String(r.name));
  return tables
    .map((name) => ({
      name,
      rows: rowCount(db, name),
      bytes: bytes.get(name) ?? 0,
    }))
    .sort((a, b) => b.bytes - a.bytes || a.name.localeCompare(b.name));
}

function rowCount(db: Db, table: string): number | null {
  return unlessDamaged(
    () => Number(db.prepare(`SELECT count(*) AS n FROM "${table.replace(/"/g, '""')}"`).get()?.n ?? 0),
    null,
  );
}

/** Oldest and newest time recorded, over the tables that can be read. */
function timeSpan(db: Db): { oldest: number | null; newest: number | null } {
  let oldest: number | null = null;
  let newest: number | null = null;
  for (const [table, column] of [
    ["calls", "started_at"],
    ["logs", "time"],
    ["events", "time"],
    ["resource_samples", "time"],
  ]) {
    const row = unlessDamaged(
      () => db.prepare(`SELECT min(${column}) AS f, max(${column}) AS t FROM ${table}`).get(),
      undefined,
    );
    if (row?.f == null || row.t == null) continue;
    oldest = oldest === null ? Number(row.f) : Math.min(oldest, Number(row.f));
    newest = newest === null ? Number(row.t) : Math.max(newest, Number(row.t));
  }
  return { oldest, newest };
}

/** The newest recovery the engine reported (its event lives in the fresh database). */
export function recoveryNotice(db: Db): RecoveryNotice | null {
  const row = unlessDamaged(
    () =>
      db
        .prepare("SELECT id, time, details FROM events WHERE type = ? ORDER BY id DESC LIMIT 1")
        .get(RECOVERED_EVENT),
    undefined,
  );
  if (!row) return null;
  let details: { movedTo?: unknown; reason?: unknown } = {};
  try {
    details = JSON.parse(String(row.details ?? "{}"));
  } catch {}
  return {
    eventId: Number(row.id),
    time: Number(row.time),
    movedTo: String(details.movedTo ?? ""),
    reason: String(details.reason ?? ""),
  };
}

function lastSizePrune(db: Db): { time: number; message: string } | null {
  const row = unlessDamaged(
    () =>
      db
        .prepare("SELECT time, message FROM events WHERE type = ? ORDER BY id DESC LIMIT 1")
        .get(SIZE_PRUNED_EVENT),
    undefined,
  );
  return row ? { time: Number(row.time), message: String(row.message) } : null;
}

/** What `db info` and the Storage view show; damage that stops even that is one line with what to do. */
export function storageInfo(db: Db, dataDir: string, schemaVersion: number, now = Date.now()): StorageInfo {
  try {
    return readStorageInfo(db, dataDir, schemaVersion, now);
  } catch (error) {
    const message = (error as Error).message;
    if (!DAMAGED_MESSAGE.test(message)) throw error;
    throw MonitoringError.storage(
      // An open that met the damage has already said what to do.
      message.includes(DAMAGED_ADVICE)
        ? message
        : `cannot read the database ${databasePath(dataDir)}: ${message}${DAMAGED_ADVICE}`,
      error,
    );
  }
}

function readStorageInfo(db: Db, dataDir: string, schemaVersion: number, now: number): StorageInfo {
  const { settings } = readStorageSettings(dataDir);
  const path = databasePath(dataDir);
  const tables = tableUsage(db);
  const files = {
    database: fileBytes(path),
    wal: fileBytes(`${path}-wal`),
    shm: fileBytes(`${path}-shm`),
    other: 0,
  };
  files.other = Math.max(0, treeBytes(dataDir) - files.database - files.wal - files.shm);
  const pageSize = Number(db.prepare("PRAGMA page_size").get()?.page_size ?? 4096);
  const freeBytes = Number(db.prepare("PRAGMA freelist_count").get()?.freelist_count ?? 0) * pageSize;
  // Damage met here is damage all the same: recorded as a check that found it (as a writer that meets it
  // does), so that this answer and the next start say so instead of an older "ok".
  const unreadable = tables.filter((t) => t.rows === null).map((t) => t.name);
  if (unreadable.length > 0)
    noteDamage(
      dataDir,
      `reading ${unreadable.join(", ")} met damaged pages (database disk image is malformed)`,
    );
  // Null, not 0, when the calls table cannot be read to the end: how many there are is not known.
  const callsTable = tables.find((t) => t.name === "calls");
  const calls = callsTable ? callsTable.rows : 0;
  const used = tables.reduce((n, t) => n + t.bytes, 0);
  const { oldest, newest } = timeSpan(db);
  const days = oldest !== null && newest !== null ? (newest - oldest) / DAY : 0;
  return {
    dataDir,
    database: path,
    schemaVersion,
    files,
    freeBytes,
    tables,
    calls,
    bytesPerCall: calls !== null && calls > 0 ? Math.round(used / calls) : null,
    growthPerDay: days >= 1 ? Math.round(used / days) : null,
    oldest,
    newest,
    recovery: recoveryNotice(db),
    lastCheck: readLastCheck(dataDir),
    usedBytes: usedBytes(db),
    maxBytes: settings.maxBytes,
    lastSizePrune: lastSizePrune(db),
    retention: retentionOverview(dataDir, settings),
    lastBackup: lastBackup(dataDir),
    backupDir: backupDir(dataDir),
    backupSchedule: settings.backup,
    backupNotice: backupNotice(backupStanding(dataDir, now), settings.backup, now),
    runtime: runtimeCopies(dataDir),
  };
}
