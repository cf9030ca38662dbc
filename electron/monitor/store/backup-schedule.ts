/**
 * When the schedule takes a backup, and what `db info` and the Storage view say of the newest one: one rule
 * for the engine and every front. Backups are dated by when they were taken (backup-files.ts) and read
 * against this machine's clock, which can be wrong either way; a backup dated after now (datedAhead) says
 * nothing about how fresh the data is, so the schedule counts from the newest one dated before now, and a
 * newest backup older than the schedule allows is said rather than waited out in silence.
 */
import type { BackupFile } from "../../../shared/storage.js";
import { formatDuration } from "../duration-text.js";
import { iso } from "../time.js";
import { datedAhead, datedBackups } from "./backup-files.js";
import type { BackupSchedule } from "./storage-settings.js";

/** How often the engine's storage pass runs: retention, the size cap and the backup schedule. */
export const STORAGE_PASS_MS = 600_000;

export interface BackupStanding {
  /** The newest backup dated up to now: what the schedule counts from. */
  newest: BackupFile | null;
  /** The newest backup dated after now, if any. */
  ahead: BackupFile | null;
}

export function backupStanding(dataDir: string, now: number): BackupStanding {
  let newest: BackupFile | null = null;
  let ahead: BackupFile | null = null;
  for (const backup of datedBackups(dataDir)) {
    if (datedAhead(backup.time, now)) {
      if (!ahead || backup.time > ahead.time) ahead = backup;
    } else if (!newest || backup.time > newest.time) newest = backup;
  }
  return { newest, ahead };
}

/** Whether the schedule takes a backup now: none dated up to now, or the newest older than `every`. */
export function backupDue(standing: BackupStanding, schedule: BackupSchedule, now: number): boolean {
  if (schedule.everyMs === null) return false;
  return !standing.newest || now - standing.newest.time >= schedule.everyMs;
}

/** What is said of a backup dated after now, in the engine's log and event and on every front. */
export function datedAheadLine(ahead: BackupFile, now: number): string {
  return `the newest backup, ${ahead.file}, is dated ${iso(ahead.time)}, after this machine's clock (${iso(now)}): the clock was ahead when it was taken, or is behind now; scheduled backups count from the newest backup dated before now, and rotation leaves that file alone`;
}

/**
 * What `db info` and the Storage view flag about backups, or null: a backup dated after now, and, while
 * backups are scheduled, a newest backup older than `every` allows (a pass late at most).
 */
export function backupNotice(standing: BackupStanding, schedule: BackupSchedule, now: number): string | null {
  const lines: string[] = [];
  if (standing.ahead) lines.push(datedAheadLine(standing.ahead, now));
  const { newest } = standing;
  if (schedule.everyMs !== null && newest && now - newest.time > schedule.everyMs + STORAGE_PASS_MS)
    lines.push(
      `${standing.ahead ? "the newest backup dated before now" : "the newest backup"} (${iso(newest.time)}) is ${formatDuration(now - newest.time)} old, older than the schedule's every ${formatDuration(schedule.everyMs)}: scheduled backups are taken only while the app or \`mcpscope serve\` runs; if it ran, its log and the storage.backup_failed events say why`,
    );
  return lines.length > 0 ? lines.join("; ") : null;
}
