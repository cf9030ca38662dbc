/**
 * The engine's side of the data dir's storage: at start, owner-only permissions and the database check
 * (a damaged database moved aside and reported); then retention, the size cap, backups and restore for the API
 * (sizes and integrity checks are store handlers: the CLI asks them too).
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import type {
  BackupFile,
  BackupListEntry,
  BackupResult,
  RestoreResult,
  RuntimePrune,
  StorageSettingInput,
} from "../../../shared/storage.js";
import { recordAdminAction } from "../audit/audit-log.js";
import { deadEngineFiles, presencePid } from "../engine-presence.js";
import { MonitoringError } from "../errors.js";
import type { TrackedEvent } from "../events/tracker.js";
import { databasePath } from "../paths.js";
import { parseDuration } from "../time.js";
import { VERSION } from "../version.js";
import { createBackup } from "./backup.js";
import {
  backupDir,
  backupFileName,
  rememberBackup,
  rotateScheduledBackups,
  scheduledBackupName,
} from "./backup-files.js";
import { backupDue, backupStanding, datedAheadLine, STORAGE_PASS_MS } from "./backup-schedule.js";
import { removeUnfinishedBackups } from "./backup-work.js";
import { takeCleanClose } from "./clean-close.js";
import type { Db, OpenOptions } from "./db.js";
import { clearLastCheck, readLastCheck, recordedCheck, writeLastCheck } from "./integrity.js";
import { closeLostSessions, type LostSession, recordingWrapperPids } from "./lost-sessions.js";
import { ensurePrivateDir, tightenDataDir } from "./private-files.js";
import { openCheckedDb, type Recovery } from "./recovery.js";
import { listBackups, restoreInPlace } from "./restore.js";
import { applyStorageRetention } from "./retention.js";
import { enforceSizeCap, reclaim } from "./size-cap.js";
import { backupAheadEvent, runtimePrunedEvent, sizePruneEvent } from "./storage-events.js";
import { BACKUP_AHEAD_EVENT, BACKUP_FAILED_EVENT, tableUsage } from "./storage-info.js";
import { recordAfterwards, recordBackup, recordRestore } from "./storage-records.js";
import {
  type BackupSchedule,
  readStorageSettings,
  writeBackupSchedule,
  writeStorageSetting,
} from "./storage-settings.js";

export interface StorageStart {
  db: Db;
  recovery: Recovery | null;
  /** Whether `quick_check` ran at open (the previous engine did not close cleanly, or found damage). */
  checkedAtOpen: boolean;
  /** The pids of engines that ended without closing (crashed or killed) since the last start; 0: unknown. */
  deadEngines: number[];
  /** Migrations run at this start: from and to which schema, and how long they held the start. */
  upgrade: { from: number; to: number; ms: number } | null;
  /** A database from before incremental auto-vacuum, converted now (VACUUM), or the error that stopped it. */
  vacuum: "converted" | string | null;
  /** Files and folders whose permissions were tightened to owner-only. */
  tightened: number;
}

/**
 * Makes the data dir owner-only, checks the database (recovering a damaged one) and opens it: the full
 * quick check only after an unclean close (no marker, or an engine's presence file left by a process that
 * died) or when the last check found damage (store/clean-close.ts). The caller has registered its own
 * presence first, so that an engine closing meanwhile does not leave the marker.
 */
export function startStorage(
  dataDir: string,
  now = Date.now(),
  told: Pick<OpenOptions, "upgrading" | "noUpgradeCopy"> = {},
): StorageStart {
  ensurePrivateDir(dataDir);
  const tightened = tightenDataDir(dataDir);
  // An engine that died (its presence file left behind) never closed the file, whatever marker another left.
  const dead = deadEngineFiles(dataDir);
  const quick = !takeCleanClose(dataDir) || dead.length > 0 || readLastCheck(dataDir)?.ok === false;
  const began: Array<{ from: number; to: number; at: number }> = [];
  const { db, recovery, checked } = openCheckedDb(databasePath(dataDir), now, quick, {
    upgrading: (from, to) => {
      told.upgrading?.(from, to);
      began.push({ from, to, at: performance.now() });
    },
    noUpgradeCopy: told.noUpgradeCopy,
  });
  const upgrade = began[0]
    ? { from: began[0].from, to: began[0].to, ms: Math.round(performance.now() - began[0].at) }
    : null;
  if (recovery) clearLastCheck(dataDir);
  if (checked) writeLastCheck(dataDir, recordedCheck(checked, "start", now));
  // Checked (or moved aside) now: those crashes are accounted for.
  for (const file of dead) rmSync(file, { force: true });
  return {
    db,
    recovery,
    checkedAtOpen: quick,
    deadEngines: dead.map(presencePid),
    upgrade,
    tightened,
    vacuum: convertToIncrementalVacuum(db),
  };
}

/**
 * Databases made before incremental auto-vacuum never give space back: switch once with a VACUUM (it
 * cannot run inside a migration's transaction). Wrappers writing meanwhile wait, then hold or drop
 * telemetry as with any lock; if it fails (busy), it is tried again at the next start.
 */
function convertToIncrementalVacuum(db: Db): "converted" | string | null {
  if (Number(db.prepare("PRAGMA auto_vacuum").get()?.auto_vacuum ?? 0) === 2) return null;
  try {
    db.exec("PRAGMA auto_vacuum = INCREMENTAL");
    db.exec("VACUUM");
    return "converted";
  } catch (error) {
    return `cannot switch the database to incremental auto-vacuum: ${(error as Error).message}; trying again at the next start`;
  }
}

export interface StorageServiceOptions {
  /** Reports an event (size pruning). */
  track?: (event: TrackedEvent) => void;
  warn?: (problem: string) => void;
  /** Notes what the service did to files (a scheduled backup written, old ones deleted) in the engine's log. */
  info?: (message: string, details: Record<string, unknown>) => void;
  /** How often retention, the size cap and space reclaim run (default STORAGE_PASS_MS; first pass after 1 min). */
  intervalMs?: number;
  /** How often open sessions are checked for a wrapper that is gone (default 1 min; and at start). */
  lostSessionsMs?: number;
  /** Removes the CLI copies in `runtime/` nothing runs (instrument/runtime-prune.ts), once a pass. */
  pruneRuntime?: (now: number) => Promise<RuntimePrune | null>;
  /** The clock of the passes, lost sessions, backups and restores when no time is given; default `Date.now`. */
  now?: () => number;
}

export class StorageService {
  private backingUp: Promise<BackupResult> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private lostTimer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private closed = false;
  private restoring = false;
  /** Backups dated after now already said, by file (an earlier engine's event counts too). */
  private readonly saidAhead = new Set<string>();
  /** Why old CLI copies were last kept, as last noted. */
  private runtimeHeldBack: string | null = null;
  private readonly now: () => number;

  constructor(
    private readonly dataDir: string,
    private readonly db: Db,
    private readonly options: StorageServiceOptions = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  start(): void {
    this.closeLostSessions();
    this.lostTimer = setInterval(() => this.closeLostSessions(), this.options.lostSessionsMs ?? 60_000);
    this.lostTimer.unref();
    const interval = this.options.intervalMs ?? STORAGE_PASS_MS;
    const first = setTimeout(() => void this.pass(), Math.min(60_000, interval));
    first.unref();
    this.timer = setInterval(() => void this.pass(), interval);
    this.timer.unref();
  }

  /** Closes the open sessions whose wrapper is gone (store/lost-sessions.ts). Never throws. */
  closeLostSessions(now = this.now()): LostSession[] {
    if (this.closed || this.restoring) return [];
    try {
      // Also removes the presence files wrappers that were killed left in wrappers/.
      recordingWrapperPids(this.dataDir);
      return closeLostSessions(this.db, now);
    } catch (error) {
      this.options.warn?.(
        `cannot close the sessions of wrappers that are gone: ${(error as Error).message}; retrying in a minute`,
      );
      return [];
    }
  }

  /** One pass: retention of every table here, the size cap, space returned. Never throws. */
  pass(now = this.now()): Promise<void> {
    if (this.running) return this.running;
    if (this.restoring) return Promise.resolve();
    this.running = this.runPass(now).finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async runPass(now: number): Promise<void> {
    await this.retentionPass(now);
    await this.runtimePass(now);
  }

  /**
   * Old copies of the CLI: what went is an event; why copies were kept is noted in the engine's log when it
   * changes (a config that stays unreadable would otherwise say it at every pass).
   */
  private async runtimePass(now: number): Promise<void> {
    if (!this.options.pruneRuntime || this.closed) return;
    try {
      const prune = await this.options.pruneRuntime(now);
      const event = runtimePrunedEvent(prune, now);
      if (event) this.options.track?.(event);
      const heldBack = prune?.heldBack ?? null;
      if (heldBack && heldBack !== this.runtimeHeldBack)
        this.options.info?.(`old copies of the mcpscope CLI kept: ${heldBack}`, { dir: prune?.dir });
      this.runtimeHeldBack = heldBack;
    } catch (error) {
      this.options.warn?.(
        `cannot remove old copies of the mcpscope CLI: ${(error as Error).message}; retrying at the next pass`,
      );
    }
  }

  private async retentionPass(now: number): Promise<void> {
    const stopped = () => this.closed;
    try {
      const { settings, problem, chosen } = readStorageSettings(this.dataDir);
      if (problem) this.options.warn?.(problem);
      if (!chosen) return;
      const counts = await applyStorageRetention(this.db, settings.retention, { now, stopped });
      if (Object.keys(counts).length > 0)
        recordAdminAction(this.db, {
          action: "retention_delete",
          actor: "retention",
          target: "storage",
          details: counts,
          time: now,
        });
      const prune = await enforceSizeCap(this.db, settings.maxBytes, { stopped, now });
      if (prune) this.options.track?.(sizePruneEvent(prune, now, tableUsage(this.db)));
      else await reclaim(this.db);
      await this.scheduledBackup(settings.backup, now);
    } catch (error) {
      if (!this.closed)
        this.options.warn?.(
          `storage retention failed: ${(error as Error).message}; retrying at the next pass`,
        );
    }
  }

  /**
   * A backup when the newest dated up to now is older than the schedule says (backup-schedule.ts); then
   * only the newest `keep` of the schedule's own files stay (backup-files.ts), each deletion noted in the
   * engine's log.
   */
  private async scheduledBackup(schedule: BackupSchedule, now: number): Promise<void> {
    if (schedule.everyMs === null || this.closed) return;
    const standing = backupStanding(this.dataDir, now);
    if (standing.ahead) this.sayAhead(standing.ahead, now);
    if (!backupDue(standing, schedule, now)) return;
    let written: BackupResult;
    try {
      written = await this.backup(now, scheduledBackupName(now), "schedule");
    } catch (error) {
      if (this.closed) return;
      const why = (error as Error).message;
      this.options.warn?.(`scheduled backup failed: ${why}; trying again at the next pass`);
      this.options.track?.({
        category: "error",
        type: BACKUP_FAILED_EVENT,
        severity: "high",
        message: `the scheduled backup failed: ${why}; trying again at the next pass`,
        time: now,
        details: { error: why },
      });
      return;
    }
    this.options.info?.("scheduled backup written", { file: written.file, bytes: written.bytes });
    for (const file of rotateScheduledBackups(this.dataDir, schedule.keep, now))
      this.options.info?.(`scheduled backup rotation deleted ${file}`, { file, keep: schedule.keep });
  }

  /** Says once per file, in the log and as an event, that the newest backup is dated after now. */
  private sayAhead(ahead: BackupFile, now: number): void {
    if (this.saidAhead.has(ahead.file)) return;
    this.saidAhead.add(ahead.file);
    let said = false;
    try {
      said = !!this.db
        .prepare("SELECT 1 AS x FROM events WHERE type = ? AND json_extract(details, '$.file') = ? LIMIT 1")
        .get(BACKUP_AHEAD_EVENT, ahead.file);
    } catch {
      // Events that cannot be read (a busy or damaged database) must not hold the backup: say it again.
    }
    if (said) return;
    this.options.warn?.(datedAheadLine(ahead, now));
    this.options.track?.(backupAheadEvent(ahead, now));
  }

  /** Sets the backup schedule (from the app); an invalid duration is an answer, not a failure. */
  async schedule(every: string | null, keep: number): Promise<{ ok: boolean; message: string }> {
    if (every !== null) {
      let ms = Number.NaN;
      try {
        ms = parseDuration(every);
      } catch {}
      if (!(ms >= 60_000))
        return { ok: false, message: `"${every}" is not a duration of a minute or more (like 12h or 1d)` };
    }
    await writeBackupSchedule(this.dataDir, every, keep);
    return {
      ok: true,
      message: every === null ? "scheduled backups off" : `a backup every ${every}, the newest ${keep} kept`,
    };
  }

  /** Sets one storage setting (from the app); a value the schema refuses is an answer, not a failure. */
  async setting(input: StorageSettingInput): Promise<{ ok: boolean; message: string }> {
    try {
      await writeStorageSetting(this.dataDir, input);
    } catch (error) {
      if (error instanceof MonitoringError) return { ok: false, message: error.message };
      throw error;
    }
    const name = input.key === "maxSize" ? "storage.maxSize" : `storage.retention.${input.key}`;
    return {
      ok: true,
      message: input.value === null ? `${name}: back to the default` : `${name}: ${input.value}`,
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    // A backup still copying is not waited for (it can take minutes): what it wrote so far goes.
    removeUnfinishedBackups();
    if (this.timer) clearInterval(this.timer);
    if (this.lostTimer) clearInterval(this.lostTimer);
    await this.running;
  }

  /** The backups in backups/, newest first. */
  backups(): BackupListEntry[] {
    return listBackups(backupDir(this.dataDir));
  }

  /**
   * Restores the backup named `name` in backups/ into the open database (see restoreInPlace), after any
   * retention pass or backup under way has finished and with none starting meanwhile. A backup that
   * fails verification is an answer; nothing has changed then.
   */
  async restore(name: string, now = this.now()): Promise<RestoreResult> {
    const entry = this.backups().find((b) => b.name === name);
    if (!entry)
      return {
        ok: false,
        message: `no backup named ${name} in ${backupDir(this.dataDir)}`,
        previous: null,
        rows: {},
      };
    if (this.restoring)
      return { ok: false, message: "a restore is already under way", previous: null, rows: {} };
    this.restoring = true;
    try {
      await this.running;
      await this.backingUp;
      const result = await restoreInPlace(this.db, entry.file, { now });
      // What the last check found was about the file just replaced.
      clearLastCheck(this.dataDir);
      const unrecorded = recordAfterwards(() =>
        recordRestore(this.db, {
          actor: "app",
          file: entry.file,
          previous: result.previous,
          manifest: result.manifest,
          time: now,
        }),
      );
      return {
        ok: true,
        message: `restored ${entry.file}; the database it replaced is at ${result.previous}${unrecorded ? `; ${unrecorded}` : ""}`,
        previous: result.previous,
        rows: result.manifest.rows,
      };
    } catch (error) {
      // A backup that fails verification, or a database that stayed locked: nothing changed.
      if (error instanceof MonitoringError)
        return { ok: false, message: error.message, previous: null, rows: {} };
      throw error;
    } finally {
      this.restoring = false;
    }
  }

  /** Back up now: into `<dataDir>/backups/`; a second request while one runs shares it. */
  backup(now = this.now(), name = backupFileName(now), actor = "app"): Promise<BackupResult> {
    if (this.backingUp) return this.backingUp;
    if (this.restoring)
      return Promise.reject(MonitoringError.input("a restore is under way; back up after it"));
    const dir = backupDir(this.dataDir);
    ensurePrivateDir(dir);
    const file = join(dir, name);
    this.backingUp = createBackup(this.db, file, { version: VERSION, now })
      .then((m) => {
        rememberBackup(this.dataDir, { file, time: m.createdAt, bytes: m.payloadBytes });
        // The backup is whole and kept: a database too busy to take its record does not undo it.
        recordAfterwards(() => recordBackup(this.db, { actor, file, manifest: m, time: now }));
        return {
          file,
          bytes: m.payloadBytes,
          schemaVersion: m.schemaVersion,
          rows: m.rows,
          databaseBytes: m.databaseBytes,
          sha256: m.sha256,
        };
      })
      .finally(() => {
        this.backingUp = null;
      });
    return this.backingUp;
  }
}
