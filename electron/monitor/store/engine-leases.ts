/**
 * Leases in the store that let one engine of several on a data dir (the app and `mcpscope serve`, or two
 * serves) do a job alone: running the servers here, evaluating alert rules in `alert_meta` (the older
 * place, kept for engines that read it there). A lease names its engine as wrappers name themselves (pid
 * and start ticks), so the lease of an engine that died (SIGKILL, a crash) is taken over at the next try,
 * not once it runs out; running out (`until`) covers a holder that cannot be checked from here. Each take
 * is one IMMEDIATE transaction, so of two engines trying at once exactly one holds it.
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

/**
 * Whether a lease stored until `until` keeps other engines out at `now`: the one rule of every lease. It
 * has not run out and its holder still runs; a holder not named (a lease an older engine wrote) is
 * trusted until it runs out.
 */
export function leaseRuns(until: number, holder: LeaseHolder | null, now: number): boolean {
  return until > now && (holder === null || wrapperAlive(holder));
}

/** This process as a lease holder; `owner` tells two engines of one process apart (tests). */
export function selfHolder(owner: string): LeaseHolder & { owner: string } {
  return { owner, pid: process.pid, startTicks: ownStartTicks(), startedAt: Date.now() };
}

/** Takes or renews lease `name` for `self` until `now + ttlMs`, unless a live engine holds it. */
export function takeEngineLease(
  db: Db,
  name: string,
  self: LeaseHolder & { owner: string },
  now: number,
  ttlMs: number,
): LeaseAnswer {
  return db.transaction(() => {
    const row = db.prepare("SELECT * FROM engine_leases WHERE name = ?").get(name);
    if (row && row.owner !== self.owner) {
      const holder: LeaseHolder = {
        pid: Number(row.pid),
        startTicks: row.start_ticks === null ? null : Number(row.start_ticks),
        startedAt: Number(row.started_at),
      };
      if (leaseRuns(Number(row.until), holder, now)) return { held: false, holder };
    }
    db.prepare(
      `INSERT INTO engine_leases (name, owner, pid, start_ticks, started_at, until) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT(name) DO UPDATE SET owner = excluded.owner, pid = excluded.pid,
         start_ticks = excluded.start_ticks, started_at = excluded.started_at, until = excluded.until`,
    ).run(name, self.owner, self.pid, self.startTicks, self.startedAt, now + ttlMs);
    return { held: true };
  });
}

/** Gives lease `name` up, if `owner` holds it. */
export function releaseEngineLease(db: Db, name: string, owner: string): void {
  db.prepare("DELETE FROM engine_leases WHERE name = ? AND owner = ?").run(name, owner);
}
