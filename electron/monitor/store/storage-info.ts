/**
 * What the database holds and what it costs: bytes per table (with its indexes, from SQLite's dbstat),
 * rows, bytes per stored call, growth per day, the recovery notice and the last backup.
 */
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import type { RecoveryNotice, StorageInfo, TableUsage } from "../../../shared/storage.js";
import { databasePath } from "../paths.js";
import { backupDir, lastBackup } from "./backup-files.js";
import { DAMAGED_MESSAGE, type Db } from "./db.js";
import { readLastCheck } from "./integrity.js";
import { retentionOverview } from "./retention-overview.js";
import { usedBytes } from "./size-cap.js";
import { readStorageSettings } from "./storage-settings.js";

const DAY = 86_400_000;
export const RECOVERED_EVENT = "storage.recovered";
export const SIZE_PRUNED_EVENT = "storage.size_pruned";
export const CHECK_FAILED_EVENT = "storage.check_failed";
export const UPGRADED_EVENT = "storage.upgraded";

function size(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** Bytes of every file under `dir` (symbolic links not followed). */
function treeBytes(dir: string): number {
  let total = 0;
  let entries: import("node:fs").Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += treeBytes(path);
    else if (entry.isFile()) total += size(path);
  }
  return total;
}

/** Rows and bytes per table, largest first; an index's pages count for its table. */
export function tableUsage(db: Db): TableUsage[] {
  const owner = new Map<string, string>();
  for (const r of db
    .prepare("SELECT name, tbl_name FROM sqlite_master WHERE type IN ('table', 'index')")
    .all())
    owner.set(String(r.name), String(r.tbl_name));
  const bytes = new Map<string, number>();
  for (const r of db.prepare("SELECT name, pgsize FROM dbstat WHERE aggregate = TRUE").all()) {
    const table = owner.get(String(r.name)) ?? String(r.name);
    bytes.set(table, (bytes.get(table) ?? 0) + Number(r.pgsize));
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
  try {
    return Number(db.prepare(`SELECT count(*) AS n FROM "${table.replace(/"/g, '""')}"`).get()?.n ?? 0);
  } catch (error) {
    // Damaged pages: the rest of the answer still shows, with the check that found them.
    if (DAMAGED_MESSAGE.test((error as Error).message)) return null;
    throw error;
  }
}

/** The newest recovery the engine reported (its event lives in the fresh database). */
export function recoveryNotice(db: Db): RecoveryNotice | null {
  const row = db
    .prepare("SELECT id, time, details FROM events WHERE type = ? ORDER BY id DESC LIMIT 1")
    .get(RECOVERED_EVENT);
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
  const row = db
    .prepare("SELECT time, message FROM events WHERE type = ? ORDER BY id DESC LIMIT 1")
    .get(SIZE_PRUNED_EVENT);
  return row ? { time: Number(row.time), message: String(row.message) } : null;
}

export function storageInfo(db: Db, dataDir: string, schemaVersion: number): StorageInfo {
  const { settings } = readStorageSettings(dataDir);
  const path = databasePath(dataDir);
  const tables = tableUsage(db);
  const files = { database: size(path), wal: size(`${path}-wal`), shm: size(`${path}-shm`), other: 0 };
  files.other = Math.max(0, treeBytes(dataDir) - files.database - files.wal - files.shm);
  const pageSize = Number(db.prepare("PRAGMA page_size").get()?.page_size ?? 4096);
  const freeBytes = Number(db.prepare("PRAGMA freelist_count").get()?.freelist_count ?? 0) * pageSize;
  const calls = tables.find((t) => t.name === "calls")?.rows ?? 0;
  const used = tables.reduce((n, t) => n + t.bytes, 0);
  const span = db
    .prepare(
      `SELECT min(f) AS f, max(t) AS t FROM (
         SELECT min(started_at) AS f, max(started_at) AS t FROM calls
         UNION ALL SELECT min(time), max(time) FROM logs
         UNION ALL SELECT min(time), max(time) FROM events
         UNION ALL SELECT min(time), max(time) FROM resource_samples)`,
    )
    .get();
  const oldest = span?.f == null ? null : Number(span.f);
  const newest = span?.t == null ? null : Number(span.t);
  const days = oldest !== null && newest !== null ? (newest - oldest) / DAY : 0;
  return {
    dataDir,
    database: path,
    schemaVersion,
    files,
    freeBytes,
    tables,
    calls,
    bytesPerCall: calls > 0 ? Math.round(used / calls) : null,
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
  };
}
