/**
 * The engine's side of the data dir's storage: at start, owner-only permissions and the database check
 * (a damaged database moved aside and reported); then sizes, integrity checks and backups for the API.
 */
import { join } from "node:path";
import type { BackupResult, StorageCheck, StorageInfo } from "../../../shared/storage.js";
import type { TrackedEvent } from "../events/tracker.js";
import { databasePath } from "../paths.js";
import { VERSION } from "../version.js";
import { backupFileName, createBackup } from "./backup.js";
import type { Db } from "./db.js";
import { writeEngineLock } from "./engine-lock.js";
import { SCHEMA_VERSION } from "./migrations.js";
import { ensurePrivateDir, tightenDataDir } from "./private-files.js";
import { checkDatabase, openCheckedDb, type Recovery } from "./recovery.js";
import { backupDir, RECOVERED_EVENT, storageInfo } from "./storage-info.js";

export interface StorageStart {
  db: Db;
  recovery: Recovery | null;
  /** Files and folders whose permissions were tightened to owner-only. */
  tightened: number;
  releaseLock: () => void;
}

/** Makes the data dir owner-only, checks the database (recovering a damaged one) and opens it. */
export function startStorage(dataDir: string, now = Date.now()): StorageStart {
  ensurePrivateDir(dataDir);
  const tightened = tightenDataDir(dataDir);
  const { db, recovery } = openCheckedDb(databasePath(dataDir), now);
  return { db, recovery, tightened, releaseLock: writeEngineLock(dataDir) };
}

/** The error event that tells the user (events list, notifications, the app's banner) about a recovery. */
export function recoveryEvent(recovery: Recovery): TrackedEvent {
  return {
    category: "error",
    type: RECOVERED_EVENT,
    severity: "critical",
    message: `the database was damaged (${recovery.reason}); it was moved aside to ${recovery.movedTo} and a fresh one started`,
    time: recovery.time,
    details: { movedTo: recovery.movedTo, reason: recovery.reason },
  };
}

export class StorageService {
  private backingUp: Promise<BackupResult> | null = null;

  constructor(
    private readonly dataDir: string,
    private readonly db: Db,
  ) {}

  info(): StorageInfo {
    return storageInfo(this.db, this.dataDir, SCHEMA_VERSION);
  }

  check(full: boolean): StorageCheck {
    return checkDatabase(databasePath(this.dataDir), full);
  }

  /** Back up now: into `<dataDir>/backups/`; a second request while one runs shares it. */
  backup(now = Date.now()): Promise<BackupResult> {
    if (this.backingUp) return this.backingUp;
    const dir = backupDir(this.dataDir);
    ensurePrivateDir(dir);
    const file = join(dir, backupFileName(now));
    this.backingUp = createBackup(this.db, file, { version: VERSION, now })
      .then((m) => ({
        file,
        bytes: m.payloadBytes,
        schemaVersion: m.schemaVersion,
        rows: m.rows,
        databaseBytes: m.databaseBytes,
        sha256: m.sha256,
      }))
      .finally(() => {
        this.backingUp = null;
      });
    return this.backingUp;
  }
}
