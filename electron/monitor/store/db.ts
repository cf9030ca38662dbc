/**
 * The engine's small database interface over Node's built-in `node:sqlite`. Everything above this file
 * sees `Db`, so the binding can change without touching queries.
 */
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { MonitoringError } from "../errors.js";
import { migrate } from "./migrations.js";

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
  close(): void;
}

export interface OpenOptions {
  /** How long a writer waits for another process's lock, in ms. */
  busyTimeoutMs?: number;
  readOnly?: boolean;
}

type DatabaseSyncCtor = new (
  path: string,
  options?: { readOnly?: boolean; timeout?: number; open?: boolean },
) => {
  exec(sql: string): void;
  prepare(sql: string): Statement;
  close(): void;
};

let DatabaseSync: DatabaseSyncCtor | undefined;

/** Loads node:sqlite lazily, with its ExperimentalWarning kept off stderr (the wrapper's stderr is sacred). */
function loadSqlite(): DatabaseSyncCtor {
  if (DatabaseSync) return DatabaseSync;
  const original = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === "string" ? warning : warning.message;
    if (/SQLite/i.test(text)) return;
    return (original as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    const require = createRequire(import.meta.url);
    DatabaseSync = (require("node:sqlite") as { DatabaseSync: DatabaseSyncCtor }).DatabaseSync;
    return DatabaseSync;
  } finally {
    process.emitWarning = original;
  }
}

/** Opens (creating if needed) the database at `path`, in WAL mode, migrated to the current schema. */
export function openDb(path: string, options: OpenOptions = {}): Db {
  const Ctor = loadSqlite();
  let raw: InstanceType<DatabaseSyncCtor>;
  try {
    if (!options.readOnly) mkdirSync(dirname(path), { recursive: true });
    raw = new Ctor(path, { readOnly: options.readOnly ?? false, timeout: options.busyTimeoutMs ?? 5000 });
  } catch (error) {
    throw MonitoringError.storage(`cannot open the database ${path}: ${(error as Error).message}`, error);
  }
  let depth = 0;
  const db: Db = {
    path,
    exec: (sql) => raw.exec(sql),
    prepare: (sql) => raw.prepare(sql),
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
    close: () => raw.close(),
  };
  try {
    if (!options.readOnly) {
      db.exec("PRAGMA journal_mode = WAL");
      // NORMAL in WAL mode: a committed transaction survives a process crash (kill -9); only an OS crash
      // or power loss can lose the last commits.
      db.exec("PRAGMA synchronous = NORMAL");
      db.exec("PRAGMA foreign_keys = ON");
      migrate(db);
    }
  } catch (error) {
    try {
      raw.close();
    } catch {}
    if (error instanceof MonitoringError) throw error;
    throw MonitoringError.storage(`cannot use the database ${path}: ${(error as Error).message}`, error);
  }
  return db;
}
