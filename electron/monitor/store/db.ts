/**
 * The engine's small database interface over Node's built-in `node:sqlite`. Everything above this file
 * sees `Db`, so the binding can change without touching queries.
 */
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { MonitoringError } from "../errors.js";
import { makeDirs } from "../make-dirs.js";
import { recordingNeedsNode } from "../node-requirement.js";
import { keepingUpgrade, type OlderSchema } from "./before-upgrade.js";
import { noteDamageAt } from "./clean-close.js";
import { CURRENT_WRITER_FUNCTION, migrate, type UpgradeListener } from "./migrations.js";
import { ensurePrivateFile, PRIVATE_DIR_MODE } from "./private-files.js";
import { statementCache } from "./statement-cache.js";

export type SqlValue = null | number | bigint | string | Uint8Array;
export type Row = Record<string, SqlValue>;

export interface Statement {
  run(...params: SqlValue[]): { changes: number | bigint; lastInsertRowid: number | bigint };
  get(...params: SqlValue[]): Row | undefined;
  all(...params: SqlValue[]): Row[];
  iterate(...params: SqlValue[]): IterableIterator<Row>;
  /** Rows as arrays of column values instead of objects: cheaper for hot, wide reads. */
  setReturnArrays(enabled: boolean): void;
}

export interface Db {
  readonly path: string;
  exec(sql: string): void;
  prepare(sql: string): Statement;
  /** Runs `fn` in one IMMEDIATE transaction; rolls back if it throws. */
  transaction<T>(fn: () => T): T;
  /**
   * Whether a transaction is open: after a failed statement, whether SQLite undid that statement alone
   * (a constraint it broke) or the whole transaction (some I/O and memory errors).
   */
  inTransaction(): boolean;
  /**
   * SQLite's online backup into `destination`, in one step: in WAL mode that holds a read snapshot only,
   * so other processes keep writing, and it cannot restart over and over as a page-by-page copy does
   * whenever another process commits between its steps. Resolves to the pages copied.
   */
  backupTo(destination: string): Promise<number>;
  /** Registers a deterministic SQL function of this connection. */
  defineFunction(name: string, fn: (...args: SqlValue[]) => SqlValue): void;
  close(): void;
}

export interface OpenOptions {
  /** How long a writer waits for another process's lock, in ms. */
  busyTimeoutMs?: number;
  readOnly?: boolean;
  /** Told before migrations run on an existing database (they can take a while on a large one). */
  upgrading?: UpgradeListener;
  /** What to do with a database an older mcpscope left (store/before-upgrade.ts); "upgrade" by default. */
  olderSchema?: OlderSchema;
  /** Told, in one line, when an upgrade went on without the copy of the older database it keeps. */
  noUpgradeCopy?: (line: string) => void;
}

type RawDatabase = {
  readonly isTransaction: boolean;
  exec(sql: string): void;
  function(name: string, options: { deterministic?: boolean }, fn: (...args: SqlValue[]) => SqlValue): void;
  prepare(sql: string): Statement;
  close(): void;
};

type DatabaseSyncCtor = new (
  path: string,
  options?: { readOnly?: boolean; timeout?: number; open?: boolean },
) => RawDatabase;

type BackupFn = (source: RawDatabase, destination: string, options?: { rate?: number }) => Promise<number>;

let sqlite: { DatabaseSync: DatabaseSyncCtor; backup: BackupFn } | undefined;

/** Loads node:sqlite lazily, with its ExperimentalWarning kept off stderr (the wrapper's stderr is sacred). */
function loadSqlite(): { DatabaseSync: DatabaseSyncCtor; backup: BackupFn } {
  if (sqlite) return sqlite;
  const original = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === "string" ? warning : warning.message;
    if (/SQLite/i.test(text)) return;
    return (original as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    const require = createRequire(import.meta.url);
    sqlite = require("node:sqlite") as { DatabaseSync: DatabaseSyncCtor; backup: BackupFn };
    return sqlite;
  } catch (error) {
    // A tap loaded by a program on an older Node: say what it needs, not Node's words for the module.
    if ((error as NodeJS.ErrnoException).code !== "ERR_UNKNOWN_BUILTIN_MODULE") throw error;
    throw MonitoringError.storage(recordingNeedsNode(), error);
  } finally {
    process.emitWarning = original;
  }
}

/** A damaged file: say what to do, not only SQLite's words. */
function openFailure(path: string, verb: string, error: unknown): MonitoringError {
  const message = (error as Error).message;
  const damaged = DAMAGED_MESSAGE.test(message);
  // Whoever meets the damage (a wrapper, the CLI, the engine) tells the next start to check and move it aside.
  if (damaged) noteDamageAt(path, message);
  const advice = damaged ? DAMAGED_ADVICE : "";
  return MonitoringError.storage(`cannot ${verb} the database ${path}: ${message}${advice}`, error);
}

/** What to do about a damaged database, after the one line that says so. */
export const DAMAGED_ADVICE =
  "; the file is damaged: start the app or `mcpscope serve` to move it aside and start a fresh one (`mcpscope db check` shows the damage)";

/** SQLite's messages for a file that is not (or no longer) a sound database. */
export const DAMAGED_MESSAGE = /malformed|not a database|SQLITE_CORRUPT|SQLITE_NOTADB/i;

/** Opens the file as it is: no pragmas, no migration (checks, backups, restores). */
export function openRawDb(path: string, options: OpenOptions = {}): Db {
  const { DatabaseSync: Ctor, backup } = loadSqlite();
  let raw: RawDatabase;
  try {
    raw = new Ctor(path, { readOnly: options.readOnly ?? false, timeout: options.busyTimeoutMs ?? 5000 });
  } catch (error) {
    throw openFailure(path, "open", error);
  }
  // What tells this mcpscope's writers from the first release's (migrations.ts): a no-op here.
  raw.function(CURRENT_WRITER_FUNCTION, { deterministic: true }, () => null);
  let depth = 0;
  const statements = statementCache((sql) => raw.prepare(sql));
  return {
    path,
    exec: (sql) => raw.exec(sql),
    prepare: (sql) => statements.prepare(sql),
    transaction(fn) {
      if (depth > 0) return fn();
      raw.exec("BEGIN IMMEDIATE");
      depth++;
      try {
        const result = fn();
        raw.exec("COMMIT");
        return result;
      } catch (error) {
        try {
          raw.exec("ROLLBACK");
        } catch {
          // The failed statement may already have ended the transaction.
        }
        throw error;
      } finally {
        depth--;
      }
    },
    inTransaction: () => raw.isTransaction,
    backupTo: (destination) => backup(raw, destination, { rate: 2 ** 31 - 1 }),
    defineFunction: (name, fn) => raw.function(name, { deterministic: true }, fn),
    close() {
      statements.clear();
      raw.close();
    },
  };
}

/**
 * Copies the database at `path` to `destination` (SQLite's online backup, in one step) through a connection
 * of its own: the step runs on a worker thread that holds its source connection for the whole copy, so a
 * copy through the engine's connection would stop every query the engine makes until it is done (seconds
 * per hundred MB). In WAL mode the new connection reads one snapshot, as the engine's would.
 */
export async function copyDatabase(path: string, destination: string): Promise<number> {
  const own = openRawDb(path);
  try {
    return await own.backupTo(destination);
  } finally {
    own.close();
  }
}

/** Opens (creating if needed) the database at `path`, in WAL mode, migrated to the current schema. */
export function openDb(path: string, options: OpenOptions = {}): Db {
  if (!options.readOnly) {
    try {
      makeDirs(dirname(path), PRIVATE_DIR_MODE);
      ensurePrivateFile(path);
    } catch (error) {
      // makeDirs makes one level at a time, so a read-only disk is said as EROFS at the folder it refused.
      throw openFailure(path, "open", error);
    }
  }
  const db = openRawDb(path, options);
  const upgrade = keepingUpgrade(db, options);
  try {
    if (!options.readOnly) {
      setUp(db, upgrade.listener, Date.now() + (options.busyTimeoutMs ?? 5000));
      upgrade.finish(db);
    }
  } catch (error) {
    upgrade.abandon();
    try {
      db.close();
    } catch {}
    if (error instanceof MonitoringError) throw error;
    throw openFailure(path, "use", error);
  }
  return db;
}

/**
 * The pragmas and migrations of a writable connection. Several processes opening a new file at once (six
 * wrappers a client starts together) can find it locked while one of them creates it or switches it to
 * WAL, where SQLite answers at once rather than through its busy timeout: each step is idempotent, so the
 * whole is tried again until `deadline`.
 */
function setUp(db: Db, upgrading: UpgradeListener, deadline: number): void {
  for (;;) {
    try {
      // A new database: incremental auto-vacuum (space freed by retention goes back to the file system)
      // can only be chosen before the first table exists and before the switch to WAL.
      if (Number(db.prepare("SELECT count(*) AS n FROM sqlite_master").get()?.n ?? 0) === 0)
        db.exec("PRAGMA auto_vacuum = INCREMENTAL");
      db.exec("PRAGMA journal_mode = WAL");
      // NORMAL in WAL mode: a committed transaction survives a process crash (kill -9); only an OS crash
      // or power loss can lose the last commits.
      db.exec("PRAGMA synchronous = NORMAL");
      // After a checkpoint resets the WAL, it is truncated to this size instead of keeping its peak.
      db.exec("PRAGMA journal_size_limit = 16777216");
      // Checkpoint when the WAL reaches that size too, not at SQLite's 4 MiB: a busy wrapper's commits
      // then wait on a checkpoint's sync a quarter as often (bench/load).
      db.exec("PRAGMA wal_autocheckpoint = 4096");
      db.exec("PRAGMA foreign_keys = ON");
      migrate(db, upgrading);
      return;
    } catch (error) {
      if (!/database is locked|SQLITE_BUSY/i.test((error as Error).message) || Date.now() >= deadline)
        throw error;
      Atomics.wait(OPEN_PAUSE, 0, 0, 20);
    }
  }
}

/** Slept on (never notified) between tries of a locked open. */
const OPEN_PAUSE = new Int32Array(new SharedArrayBuffer(4));

/**
 * Runs `read` in one read transaction, so that everything it reads comes from one snapshot (a commit in
 * between cannot make a row count twice or not at all); inside a transaction already, in that one.
 */
export function inSnapshot<T>(db: Db, read: () => T): T {
  let began = false;
  try {
    db.exec("BEGIN");
    began = true;
  } catch {
    // Already inside a transaction: that one is the snapshot.
  }
  try {
    return read();
  } finally {
    if (began) db.exec("COMMIT");
  }
}
