/**
 * What a backup and a restore leave behind, whichever front made them (the CLI, the app, a schedule):
 * a system event for the Events view and an admin record in the audit chain, written together. A restore
 * rewinds the audit chain to the backup's end, and the chain cannot tell that its newest records were
 * cut off; this record, written into the restored database, is what says it happened and to where.
 */
import { recordAdminAction } from "../audit/audit-log.js";
import { insertEvent } from "../events/tracker.js";
import type { BackupManifest } from "./backup.js";
import type { Db } from "./db.js";
import { BACKED_UP_EVENT, RESTORED_EVENT } from "./storage-info.js";

const total = (rows: Record<string, number>) => Object.values(rows).reduce((a, b) => a + b, 0);

export interface StorageAction {
  /** Who: the local user (CLI), `app` (the app or browser UI), `schedule`. */
  actor: string;
  file: string;
  manifest: BackupManifest;
  time: number;
}

/**
 * Writes a backup's or a restore's record after the thing itself is done: a record that cannot be
 * written (a database locked past the busy timeout, a full disk) must not turn a finished backup or
 * restore into a failure the user would retry or undo. The line to tell, or null when it was written.
 */
export function recordAfterwards(write: () => void): string | null {
  try {
    write();
    return null;
  } catch (error) {
    return `its record could not be written: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** Records a restore into the restored database; `previous` is where the replaced database went. */
export function recordRestore(db: Db, action: StorageAction & { previous: string | null }): void {
  const { manifest } = action;
  const backedUpAt = new Date(manifest.createdAt).toISOString();
  const details = {
    file: action.file,
    previous: action.previous,
    backupCreatedAt: backedUpAt,
    sha256: manifest.sha256,
    rows: total(manifest.rows),
  };
  db.transaction(() => {
    insertEvent(db, {
      category: "system",
      type: RESTORED_EVENT,
      severity: "medium",
      message: `the database was restored from ${action.file} (a backup of ${backedUpAt}): what was recorded after that is not in it${action.previous ? `; the database it replaced is at ${action.previous}` : ""}`,
      time: action.time,
      details: { ...details, actor: action.actor },
    });
    recordAdminAction(db, {
      action: "restore",
      actor: action.actor,
      target: "storage",
      details,
      time: action.time,
    });
  });
}

/** Records a backup written (into the database it copied: the backup itself holds what came before). */
export function recordBackup(db: Db, action: StorageAction): void {
  const { manifest } = action;
  const details = {
    file: action.file,
    sha256: manifest.sha256,
    rows: total(manifest.rows),
    bytes: manifest.payloadBytes,
  };
  db.transaction(() => {
    insertEvent(db, {
      category: "system",
      type: BACKED_UP_EVENT,
      severity: "info",
      message: `backed up ${details.rows} rows to ${action.file}`,
      time: action.time,
      details: { ...details, actor: action.actor },
    });
    recordAdminAction(db, {
      action: "backup",
      actor: action.actor,
      target: "storage",
      details,
      time: action.time,
    });
  });
}
