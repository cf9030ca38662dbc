/**
 * Leases in the store that let one engine of several on a data dir (the app and `mcpscope serve`, or two
 * serves) do a job alone: running the servers here, evaluating alert rules in `alert_meta` (the older
 * place, kept for engines that read it there). A lease names its engine as wrappers name themselves (pid
 * and start ticks), so the lease of an engine that died (SIGKILL, a crash) is taken over at the next try,
 * not once it runs out; running out (`until`) covers a holder that cannot be checked from here. Each take
 * is one IMMEDIATE transaction, so of two engines trying at once exactly one holds it.
 *
 * A live holder's lease runs out on the taker's own timer (LeaseWatch), not on the wall clock: after a
 * machine sleep or a clock step the stored `until` is long past for every engine at once, yet the holder
 * was no more held up than the others and renews at its next check, so it keeps the lease.
 */
import { ownStartTicks } from "../process-start.js";
import type { Db } from "./db.js";
import { wrapperAlive } from "./lost-sessions.js";

/** The engine that holds a lease. */
export interface LeaseHolder {
  pid: number;
  startTicks: number | null;
  startedAt: number;
}

export type LeaseAnswer = { held: true } | { held: false; holder: LeaseHolder };

/** How long the engine asking has watched a lease go unrenewed on its own timer, and how long one lasts. */
export interface LeaseWatched {
  unrenewedMs: number;
  ttlMs: number;
}

/**
 * Whether a lease stored until `until` keeps other engines out at `now`: the one rule of every lease. Its
 * holder still runs, and the lease has not run out: on the asker's own timer when it `watched` it, else
 * by `until`. A holder not named (a lease an older engine wrote) is trusted until `until`.
 */
export function leaseRuns(
  until: number,
  holder: LeaseHolder | null,
  now: number,
  watched?: LeaseWatched,
): boolean {
  if (holder === null) return until > now;
  if (!wrapperAlive(holder)) return false;
  return watched ? watched.unrenewedMs < watched.ttlMs : until > now;
}

/**
 * How long this engine has seen another's lease go unrenewed, counted on its own checks. A step between
 * two checks counts up to `maxStepMs`: a longer one means this engine was asleep or held up itself (a
 * machine sleep, a clock step), and the holder most likely with it, so that gap is not the holder's.
 */
export class LeaseWatch {
  private renewal: string | null = null;
  private unrenewedMs = 0;
  private lastSeen = 0;

  /** `maxStepMs`: a number, or read at each look (an interval the user may change). */
  constructor(private readonly maxStepMs: number | (() => number)) {}

  /** This engine sees the lease as renewed last at `renewal` (any text a renewal changes), at `now`. */
  seen(renewal: string, now: number): number {
    const maxStepMs = typeof this.maxStepMs === "number" ? this.maxStepMs : this.maxStepMs();
    if (renewal !== this.renewal) {
      this.renewal = renewal;
      this.unrenewedMs = 0;
    } else this.unrenewedMs += Math.min(Math.max(now - this.lastSeen, 0), maxStepMs);
    this.lastSeen = now;
    return this.unrenewedMs;
  }
}

/** This process as a lease holder; `owner` tells two engines of one process apart (tests). */
export function selfHolder(owner: string): LeaseHolder & { owner: string } {
  return { owner, pid: process.pid, startTicks: ownStartTicks(), startedAt: Date.now() };
}

/**
 * Takes or renews lease `name` for `self` until `now + ttlMs`, unless a live engine holds it: one this
 * engine has not yet `watch`ed go unrenewed for `ttlMs`.
 */
export function takeEngineLease(
  db: Db,
  name: string,
  self: LeaseHolder & { owner: string },
  now: number,
  ttlMs: number,
  watch: LeaseWatch,
): LeaseAnswer {
  return db.transaction(() => {
    const row = db.prepare("SELECT * FROM engine_leases WHERE name = ?").get(name);
    if (row && row.owner !== self.owner) {
      const holder: LeaseHolder = {
        pid: Number(row.pid),
        startTicks: row.start_ticks === null ? null : Number(row.start_ticks),
        startedAt: Number(row.started_at),
      };
      const unrenewedMs = watch.seen(`${row.owner} ${row.until}`, now);
      if (leaseRuns(Number(row.until), holder, now, { unrenewedMs, ttlMs })) return { held: false, holder };
    }
    db.prepare(
      `INSERT INTO engine_leases (name, owner, pid, start_ticks, started_at, until) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT(name) DO UPDATE SET owner = excluded.owner, pid = excluded.pid,
         start_ticks = excluded.start_ticks, started_at = excluded.started_at, until = excluded.until`,
    ).run(name, self.owner, self.pid, self.startTicks, self.startedAt, now + ttlMs);
    return { held: true };
  });
}

/** The pid of the engine that wrote lease `name` last, or null when there is none. */
export function leaseHolderPid(db: Db, name: string): number | null {
  const row = db.prepare("SELECT pid FROM engine_leases WHERE name = ?").get(name);
  return row ? Number(row.pid) : null;
}

/** Gives lease `name` up, if `owner` holds it. */
export function releaseEngineLease(db: Db, name: string, owner: string): void {
  db.prepare("DELETE FROM engine_leases WHERE name = ? AND owner = ?").run(name, owner);
}
