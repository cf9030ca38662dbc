/**
 * What an upgrade keeps of the database it changes. The steps cannot be undone, and a database shared by
 * several installs (the app, a CLI, wrappers of either) would otherwise leave an older one that is
 * rolled back, or still installed, nothing to open: so before the first step, under the write lock the
 * upgrade holds (nothing can change meanwhile), the database as it is is copied, and once the upgrade
 * has committed the copy becomes a backup in `backups/`, named for the schema it holds, that
 * `mcpscope restore` and the app's Restore… take (the newest BEFORE_UPGRADE_KEEP stay). The upgrade is
 * recorded as a `storage.upgraded` event whoever ran it.
 *
 * Wrappers do not upgrade: the copy and the steps hold the write lock for seconds per hundred MB,
 * every other writer waiting, and a wrapper cannot tell anyone why. A wrapper meeting an older schema
 * records nothing and tries again every few seconds; the app, `mcpscope serve` or any command upgrades
 * it, saying so on their terminal.
 *
 * Nor does anyone upgrade under a running engine of an older mcpscope (the app or `mcpscope serve`, by
 * its presence file): it would go on writing the tables as it knows them, its own sessions refused by
 * the upgraded schema, and nothing would tell its user. The upgrade is refused in one line until that
 * engine is quit or updated.
 */
import { dirname, join } from "node:path";
import { type EnginePresence, olderSchemaEngine } from "../engine-presence.js";
import { MonitoringError } from "../errors.js";
import { insertEvent, type TrackedEvent } from "../events/tracker.js";
import { VERSION } from "../version.js";
import { writeBackupSync } from "./backup.js";
import { backupDir, beforeUpgradeBackupName, rotateBeforeUpgradeBackups } from "./backup-files.js";
import { type BackupWork, startBackupWork, sweepUnfinishedBackups } from "./backup-work.js";
import { type Db, type OpenOptions, openRawDb } from "./db.js";
import { liveSessions } from "./lost-sessions.js";
import { BATCHED_AUDIT_SCHEMA, type UpgradeListener } from "./migrations.js";
import { ensurePrivateDir } from "./private-files.js";

export const UPGRADED_EVENT = "storage.upgraded";
export const UNAUDITED_SESSION_EVENT = "audit.session_unaudited";

/**
 * What opening does with a database an older mcpscope left: upgrade it after keeping a copy (the
 * default), upgrade it without one (a restore's staged copy: the backup file is the copy), or refuse it
 * (wrappers).
 */
export type OlderSchema = "upgrade" | "upgrade-no-copy" | "refuse";

export interface UpgradeKeeper {
  /** Given to `migrate`: runs under the write lock, before the first step. */
  listener: UpgradeListener;
  /** Once the upgrade has committed: the copy becomes a backup, the upgrade an event. */
  finish(db: Db): void;
  /** The open failed (the upgrade rolled back): the copy goes. */
  abandon(): void;
}

interface Pending {
  from: number;
  to: number;
  began: number;
  work: BackupWork | null;
  problem: string | null;
  /** The database already held the batched audit chain: its writers, whatever its version, write it. */
  batchedAudit: boolean;
}

/** Keeps the upgrade of `db` (opened, not yet migrated) as `options` say: what to do, whom to tell. */
export function keepingUpgrade(
  db: Db,
  options: Pick<OpenOptions, "olderSchema" | "upgrading" | "noUpgradeCopy">,
): UpgradeKeeper {
  const { path } = db;
  const mode = options.olderSchema ?? "upgrade";
  let pending: Pending | null = null;
  const abandon = () => {
    pending?.work?.remove();
    pending = null;
  };
  return {
    listener(from, to) {
      if (mode === "refuse") throw new OlderSchemaRefused(path, from, to);
      // Read under the write lock: an older engine starting now finds the schema already newer and stops.
      if (mode === "upgrade") refuseUnderOlderEngine(path, from, to);
      options.upgrading?.(from, to);
      // A try that met a lock and is made again copies again.
      abandon();
      // Schema 14 is two things: builds of the batched audit chain ran it as step 14 (their wrappers
      // write it), later ones moved it to step 15. What the database holds tells them apart.
      const batchedAudit = hasTable(db, "audit_links");
      pending = { from, to, began: performance.now(), work: null, problem: null, batchedAudit };
      if (mode === "upgrade") {
        try {
          pending.work = copyAsItIs(path);
        } catch (error) {
          // No room for the copy: the upgrade goes on (refusing it would stop all recording), and says so.
          pending.problem = (error as Error).message;
        }
      }
    },
    finish(db) {
      const done = pending;
      pending = null;
      if (!done) return;
      let backup: string | null = null;
      let problem = done.problem;
      if (done.work) {
        try {
          const dataDir = dirname(path);
          const now = Date.now();
          backup = join(backupDir(dataDir), beforeUpgradeBackupName(done.from, now));
          writeBackupSync(join(done.work.dir, "database"), backup, { version: VERSION, now });
          rotateBeforeUpgradeBackups(dataDir);
        } catch (error) {
          backup = null;
          problem = (error as Error).message;
        } finally {
          done.work.remove();
        }
      }
      const ms = Math.round(performance.now() - done.began);
      try {
        insertEvent(db, upgradeEvent({ from: done.from, to: done.to, ms, backup, problem }));
        if (done.from < BATCHED_AUDIT_SCHEMA && !done.batchedAudit)
          for (const session of liveSessions(db)) insertEvent(db, unauditedSessionEvent(session));
      } catch {
        // Busy past the timeout: the upgrade stands; the engine's log still says it happened when it ran it.
      }
      // Whoever was told a copy is kept is told it was not, the way back to the older install being gone.
      if (problem !== null) options.noUpgradeCopy?.(noUpgradeCopyLine(done.from, done.to, problem));
    },
    abandon,
  };
}

/** The database as it is, copied (compact, self-contained) by a reader of its own while the upgrade holds the lock. */
function copyAsItIs(path: string): BackupWork {
  const folder = backupDir(dirname(path));
  ensurePrivateDir(folder);
  sweepUnfinishedBackups(folder);
  const work = startBackupWork(folder);
  try {
    const reader = openRawDb(path, { readOnly: true });
    try {
      reader.exec(`VACUUM INTO '${join(work.dir, "database").replace(/'/g, "''")}'`);
    } finally {
      reader.close();
    }
    return work;
  } catch (error) {
    work.remove();
    throw error;
  }
}

function hasTable(db: Db, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
}

/**
 * An upgrade refused because an engine of an older mcpscope has the database open, in one line; nothing
 * was changed. Its own class: a command that only records beside its work (a config change) goes on
 * without its record for other failures, not for this one.
 */
export class OlderEngineRunning extends MonitoringError {
  /** `from`: the schema of the database, or why it cannot be read (then it is not moved aside either). */
  constructor(path: string, from: number | { unreadable: string }, engine: EnginePresence) {
    const held =
      typeof from === "number"
        ? `(schema ${from}) is open in an older mcpscope (the app or \`mcpscope serve\`, pid ${engine.pid}): upgrading it would stop that one's recording`
        : `cannot be read (${from.unreadable}) and is open in an older mcpscope (the app or \`mcpscope serve\`, pid ${engine.pid}): moving it aside would take it from under that one`;
    super(
      "storage",
      `the database ${path} ${held}; quit it or update it, then run this again (nothing was changed)`,
      false,
    );
  }
}

/**
 * Throws OlderEngineRunning when upgrading the database at `path` from schema `from` to `to` would change
 * it under a running engine of an older mcpscope. The upgrade asks under its lock; an engine's start asks
 * again before its integrity check, which would read every page of a database it may not open.
 */
export function refuseUnderOlderEngine(path: string, from: number, to: number): void {
  if (from >= to) return;
  const older = olderSchemaEngine(dirname(path), to);
  if (older) throw new OlderEngineRunning(path, from, older);
}

/** What a terminal is told after an upgrade it was told would keep a copy, when none could be kept. */
export function noUpgradeCopyLine(from: number, to: number, problem: string): string {
  return `mcpscope: no copy of the schema-${from} database could be kept in backups/ (${problem}); it was upgraded to schema ${to} all the same, and an older mcpscope can no longer open it`;
}

/**
 * A wrapper's refusal of an older schema, in one line (the wrapper adds what it does meanwhile). Its own
 * class: the batch writer holds what it records until the upgrade, as for a lock, rather than dropping it.
 */
export class OlderSchemaRefused extends MonitoringError {
  constructor(path: string, from: number, to: number) {
    super(
      "storage",
      `the database ${path} has schema version ${from}, older than this mcpscope's (${to}): it records once the app, \`mcpscope serve\` or any mcpscope command has upgraded it (keeping a copy in backups/)`,
      true,
    );
  }
}

/** The event that says an update's migrations ran, how long they held the database, and what was kept. */
export function upgradeEvent(upgrade: {
  from: number;
  to: number;
  ms: number;
  /** The backup holding the database as it was, or null. */
  backup: string | null;
  /** Why no such backup could be kept, or null. */
  problem: string | null;
}): TrackedEvent {
  const kept = upgrade.backup
    ? `; the schema-${upgrade.from} database is kept as ${upgrade.backup}`
    : upgrade.problem
      ? `; no copy of the schema-${upgrade.from} database could be kept: ${upgrade.problem}`
      : "";
  return {
    category: "system",
    type: UPGRADED_EVENT,
    severity: upgrade.problem ? "medium" : "info",
    message: `the database was upgraded from schema ${upgrade.from} to ${upgrade.to} (${upgrade.ms} ms, by pid ${process.pid})${kept}`,
    details: { ...upgrade, pid: process.pid },
  };
}

/**
 * A session still recording across an upgrade past the batched audit chain: its wrapper, an older
 * mcpscope, writes the per-record audit log this schema closed, so its calls go on being stored but none
 * reaches the audit trail, and `audit verify` cannot see what is not there. Said once, at the upgrade.
 */
export function unauditedSessionEvent(session: {
  id: string;
  server: string;
  wrapperPid: number;
}): TrackedEvent {
  return {
    // Kept as long as the audit trail it is about (audit events: 365 days).
    category: "audit",
    type: UNAUDITED_SESSION_EVENT,
    severity: "medium",
    server: session.server,
    session: session.id,
    message: `${session.server}: the calls of this session from the upgrade on are recorded but not audited: its wrapper (pid ${session.wrapperPid}) runs an older mcpscope that cannot write this audit trail; restart the MCP client, and if the entry still launches an older mcpscope, re-point it (\`mcpscope instrument --repair\`)`,
    details: { wrapperPid: session.wrapperPid },
  };
}
