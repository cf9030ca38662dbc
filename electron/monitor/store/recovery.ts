/**
 * The database check the engine runs when it starts: the schema version, and a quick integrity check when
 * the previous engine did not close cleanly (store/integrity.ts decides; otherwise only the header and
 * schema are read at open and the full read runs in the background). A
 * damaged database is moved aside (with its `-wal` and `-shm`) as `mcpscope.db.corrupt-<time>` and a fresh
 * one is started, so monitoring goes on and the damaged file stays for the user to inspect or send; a
 * database written by a newer mcpscope is refused rather than written into.
 */
import { existsSync, renameSync } from "node:fs";
import { dirname } from "node:path";
import { olderSchemaEngine } from "../engine-presence.js";
import { OlderEngineRunning, refuseUnderOlderEngine } from "./before-upgrade.js";
import { DAMAGED_MESSAGE, type Db, type OpenOptions, openDb, openRawDb } from "./db.js";
import { newerSchemaError, SCHEMA_VERSION } from "./migrations.js";

export interface Recovery {
  /** Where the damaged database was moved. */
  movedTo: string;
  /** What the check found, in one line. */
  reason: string;
  time: number;
}

export interface CheckResult {
  ok: boolean;
  /** The check's findings (none when intact), at most `limit` lines. */
  problems: string[];
  schemaVersion: number;
}

/**
 * `PRAGMA quick_check` (O(N), skips index contents) or `integrity_check` (full) on a read-only handle.
 * Its rows are read one at a time: SQLite ends the statement with an error after the rows it could
 * produce, and those rows (one may hold several findings, a line each) are what tells the pages apart.
 */
export function checkDatabase(path: string, full = false, limit = 20): CheckResult {
  const db = openRawDb(path, { readOnly: true });
  let schemaVersion = 0;
  const problems: string[] = [];
  let sound = false;
  try {
    schemaVersion = Number(db.prepare("PRAGMA user_version").get()?.user_version ?? 0);
    for (const row of db.prepare(`PRAGMA ${full ? "integrity_check" : "quick_check"}(${limit})`).iterate()) {
      const text = String(Object.values(row)[0]);
      if (text === "ok") sound = true;
      else problems.push(...text.split("\n").filter((line) => line && !/^\*\*\* in database /.test(line)));
    }
  } catch (error) {
    // So damaged that the check itself stops: with no finding before, that is its finding.
    const message = (error as Error).message;
    if (!DAMAGED_MESSAGE.test(message)) throw error;
    if (problems.length === 0) problems.push(message);
  } finally {
    db.close();
  }
  return { ok: sound && problems.length === 0, problems: problems.slice(0, limit), schemaVersion };
}

/** The database's schema version (`PRAGMA user_version`, in its header): no other page is read. */
function storedSchema(path: string): number {
  const db = openRawDb(path, { readOnly: true });
  try {
    return Number(db.prepare("PRAGMA user_version").get()?.user_version ?? 0);
  } finally {
    db.close();
  }
}

/** Reads only what opening needs (the header, the schema and its version): milliseconds at any size. */
export function probeDatabase(path: string): CheckResult {
  const db = openRawDb(path, { readOnly: true });
  try {
    const schemaVersion = Number(db.prepare("PRAGMA user_version").get()?.user_version ?? 0);
    db.prepare("SELECT count(*) AS n FROM sqlite_master").get();
    return { ok: true, problems: [], schemaVersion };
  } finally {
    db.close();
  }
}

/**
 * Checks the database at `path` (`quick`: every page; otherwise only what opening reads) and opens it
 * migrated. A damaged one is moved aside and replaced by a fresh one (`recovery` says where it went); a
 * newer schema throws. `checked` is the quick check's result when one ran on an existing file.
 */
export function openCheckedDb(
  path: string,
  now = Date.now(),
  quick = true,
  told: Pick<OpenOptions, "upgrading" | "noUpgradeCopy"> = {},
): { db: Db; recovery: Recovery | null; checked: CheckResult | null } {
  let recovery: Recovery | null = null;
  let checked: CheckResult | null = null;
  if (existsSync(path)) {
    let reason: string | null = null;
    try {
      // What refuses the database is said before the check, which reads every page of it for nothing then.
      const stored = storedSchema(path);
      if (stored > SCHEMA_VERSION) throw newerSchemaError(path, stored);
      refuseUnderOlderEngine(path, stored, SCHEMA_VERSION);
      const result = quick ? checkDatabase(path) : probeDatabase(path);
      if (quick) checked = result;
      if (result.schemaVersion > SCHEMA_VERSION) throw newerSchemaError(path, result.schemaVersion);
      if (!result.ok) reason = result.problems.slice(0, 3).join("; ");
    } catch (error) {
      // Opening can fail on the header already ("file is not a database").
      const message = (error as Error).message;
      if (error instanceof OlderEngineRunning || !DAMAGED_MESSAGE.test(message)) throw error;
      // Its schema unknown, an older engine may have it open: moved aside, that one would write on unseen.
      const older = olderSchemaEngine(dirname(path), SCHEMA_VERSION);
      if (older) throw new OlderEngineRunning(path, { unreadable: message }, older);
      reason = message;
    }
    if (reason !== null) recovery = { movedTo: moveAside(path, now), reason, time: now };
  }
  return { db: openDb(path, told), recovery, checked: recovery ? null : checked };
}

/** Where a database set aside at `now` goes: `mcpscope.db.<label>-<time>`. */
export function asidePath(path: string, now: number, label: string): string {
  return `${path}.${label}-${new Date(now).toISOString().replace(/[:.]/g, "-")}`;
}

/** Renames the database and its `-wal`/`-shm` to `<path>.corrupt-<time>[-wal|-shm]`. */
export function moveAside(path: string, now: number, label = "corrupt"): string {
  const target = asidePath(path, now, label);
  for (const suffix of ["", "-wal", "-shm"]) {
    if (existsSync(path + suffix)) renameSync(path + suffix, target + suffix);
  }
  return target;
}
