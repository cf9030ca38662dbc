/**
 * What the batch writer does when the database refuses it: locked by another process (the rows wait and
 * are tried again), full (the rows wait, tried again at most every `fullRetryMs`), damaged, removed or
 * replaced (recording stops for good: writing on would feed a broken or unlinked file; the engine's next
 * start recovers it), of an older schema that another mcpscope upgrades (the rows wait, and opening is
 * tried again), or failing otherwise (the batch is dropped and the database opened again later).
 * Each kind of problem is said once, through `onProblem`; traffic never waits on any of it.
 */
import { statSync } from "node:fs";
import { AWAITING_UPGRADE, LOCKED } from "../lock-refusal.js";
import { noteDamageAt } from "./clean-close.js";
import { DAMAGED_MESSAGE } from "./db.js";

/**
 * SQLite's answer when another connection holds the lock past the busy timeout: a write or an open that
 * meets it waits for the retry with its rows, and a part's own write that meets it decides for the batch.
 */
const LOCK_MESSAGE = /busy|locked/i;

/** SQLite's message when the database (its max_page_count) or the disk under it has no room left. */
const FULL_MESSAGE = /database or disk is full|SQLITE_FULL/i;

export function isLockMessage(message: string): boolean {
  return LOCK_MESSAGE.test(message);
}

/** Whether an error is the database's as a whole (locked, full, damaged), not one write's own. */
export function failsTheDatabase(message: string): boolean {
  return LOCK_MESSAGE.test(message) || FULL_MESSAGE.test(message) || DAMAGED_MESSAGE.test(message);
}

/**
 * Why a batch's transaction failed: the database is locked or full (its rows wait for a retry), damaged
 * (recording stopped), or it failed otherwise (the batch is dropped).
 */
export type Refusal = "locked" | "full" | "damaged" | "failed";

export interface RefusalOptions {
  maxQueue: number;
  fullRetryMs: number;
  onProblem?: (message: string) => void;
}

export class WriteRefusals {
  /** While another process holds the lock: only the scheduled retry flushes before this time. */
  lockedUntil = 0;
  /** The database (or its disk) was full: no write is tried before this time, except the closing one. */
  fullUntil = 0;
  /** Why the last write was refused (a short phrase), or null since a write was stored. */
  refusedBecause: string | null = null;
  /** Set when recording stopped for good (damaged, removed or replaced database). */
  stoppedBecause: string | null = null;
  private readonly reported = new Set<string>();
  /** The database file's inode when opened: a different one (or none) means it was removed or replaced. */
  private inode: number | null = null;

  constructor(private readonly options: RefusalOptions) {}

  /** The database at `path` was opened: the first time, the file it is is remembered. */
  opened(path: string): void {
    if (this.inode === null) this.inode = inodeOf(path);
  }

  /**
   * Opening failed with `message`: "locked" (tried again like a locked write), or the database is off
   * for a while ("off") or for good ("stopped").
   */
  openFailed(message: string): "locked" | "off" | "stopped" {
    if (LOCK_MESSAGE.test(message)) {
      // Not a broken database: another process holds it (six wrappers started together on a new file
      // wait for the one creating it, longer on a loaded machine). Tried again like a locked write.
      this.heldByLock(message);
      return "locked";
    }
    this.refusedBecause = "the database could not be opened";
    if (DAMAGED_MESSAGE.test(message)) {
      this.stop("damaged", `${message}; recording stopped, traffic unaffected`);
      return "stopped";
    }
    this.problem("open", `${message}; recording is off, traffic unaffected`);
    return "off";
  }

  /**
   * Opening met a schema older than this mcpscope's, which the app, `serve` or a command upgrades
   * (`message` says so): the queue keeps what fits, and opening is tried again at the writer's interval.
   */
  awaitingUpgrade(message: string): void {
    this.refusedBecause = AWAITING_UPGRADE;
    this.problem(
      "older_schema",
      `${message}; holding up to ${this.options.maxQueue} rows of telemetry until then, counting the calls not stored; traffic unaffected`,
    );
  }

  /** True (and recording stopped) when the file the writer opened was removed or replaced since. */
  gone(path: string): boolean {
    if (this.inode === null) return false;
    const now = inodeOf(path);
    if (now === this.inode) return false;
    this.refusedBecause = `the database was ${now === null ? "removed" : "replaced"}`;
    this.stop(
      "vanished",
      `the database ${path} was ${now === null ? "removed" : "replaced"} while recording; recording stopped, traffic unaffected`,
    );
    return true;
  }

  /** A batch's transaction failed with `message`: noted, said once, and told what it was. */
  writeFailed(path: string, message: string): Refusal {
    if (LOCK_MESSAGE.test(message)) {
      // Another process holds the lock: keep the rows (bounded by maxQueue) and retry on the next flush.
      this.heldByLock(`the database ${path} is locked by another process`);
      return "locked";
    }
    const { maxQueue, fullRetryMs } = this.options;
    if (FULL_MESSAGE.test(message)) {
      // No room: hold what fits (counted when it is dropped, never twice) and try again later, when a
      // retention pass or the user may have made room. Each try costs a rolled-back transaction.
      this.fullUntil = Date.now() + fullRetryMs;
      this.refusedBecause = "the database or its disk was full";
      // The line below says that what does not fit is dropped: no second line when the queue fills.
      this.reported.add("queue_full");
      this.problem(
        "full",
        `cannot write to ${path}: ${message}; holding up to ${maxQueue} rows of telemetry and retrying every ${Math.round(fullRetryMs / 1000)} s, counting the calls not stored; traffic unaffected`,
      );
      return "full";
    }
    this.refusedBecause = "the database refused writes";
    if (DAMAGED_MESSAGE.test(message)) {
      noteDamageAt(path, message);
      this.stop(
        "damaged",
        `the database ${path} is damaged (${message}); recording stopped, traffic unaffected; the app moves it aside at its next start`,
      );
      return "damaged";
    }
    this.problem("write", `cannot write to ${path}: ${message}; telemetry dropped, traffic unaffected`);
    return "failed";
  }

  queueFull(): void {
    this.problem(
      "queue_full",
      `telemetry queue full (${this.options.maxQueue} rows); dropping until it drains`,
    );
  }

  /**
   * Another process holds the lock (`what` says so, naming the file): the queue keeps what fits, and only
   * the scheduled retry flushes.
   */
  private heldByLock(what: string): void {
    this.lockedUntil = Date.now() + 1000;
    this.refusedBecause = LOCKED;
    this.problem(
      "locked",
      `${what}; holding up to ${this.options.maxQueue} rows of telemetry and retrying while the session lasts, counting the calls not stored; traffic unaffected`,
    );
  }

  private stop(kind: string, message: string): void {
    this.stoppedBecause = message;
    if (kind === "damaged") this.refusedBecause = "the database is damaged";
    this.problem(kind, message);
  }

  /** Says `message` through `onProblem`, once per kind of problem. */
  problem(kind: string, message: string): void {
    if (this.reported.has(kind)) return;
    this.reported.add(kind);
    this.options.onProblem?.(message);
  }
}

/** The file's inode (0 where the platform has none), or null if it does not exist. */
function inodeOf(path: string): number | null {
  try {
    return statSync(path).ino;
  } catch {
    return null;
  }
}
