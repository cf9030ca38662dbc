/**
 * The evaluation lease: which engine of several on a data dir evaluates the alert rules. Kept in
 * `alert_meta` (key `evaluator`), where older engines read its owner and expiry; it also names its engine
 * (pid, start ticks) and the requests that engine applies, and is judged by the rule every lease follows
 * (`leaseRuns` in store/engine-leases.ts), so the lease of an engine that died is taken over at once.
 */
import { REQUESTS_PROTOCOL } from "../engine-presence.js";
import type { Db } from "../store/db.js";
import { type LeaseHolder, type LeaseWatch, leaseRuns } from "../store/engine-leases.js";
import { getMeta, setMeta } from "./alert-store.js";

interface StoredLease {
  owner?: unknown;
  until?: unknown;
  /** The holder as engine-leases.ts names one; absent in a lease an older engine wrote. */
  pid?: unknown;
  startTicks?: unknown;
  startedAt?: unknown;
  /** The requests its engine applies (REQUESTS_PROTOCOL); absent in a lease an older engine wrote. */
  requests?: unknown;
}

/** The evaluation lease as stored; empty when there is none or it cannot be read. */
function readLease(db: Db): StoredLease {
  const current = getMeta(db, "evaluator");
  if (!current) return {};
  try {
    return JSON.parse(current) as StoredLease;
  } catch {
    // Unreadable: taken over by the next try, as an expired one would be.
    return {};
  }
}

/**
 * Whether the stored lease keeps engines other than its owner out at `now` (engine-leases.ts's rule): on
 * the asker's own checks when it `watch`es it (a lease `ttlMs` long), else by its stored end.
 */
function leaseKeepsOut(lease: StoredLease, now: number, watch?: { by: LeaseWatch; ttlMs: number }): boolean {
  if (lease.owner === undefined || typeof lease.until !== "number") return false;
  const holder: LeaseHolder | null =
    typeof lease.pid === "number"
      ? {
          pid: lease.pid,
          startTicks: typeof lease.startTicks === "number" ? lease.startTicks : null,
          startedAt: typeof lease.startedAt === "number" ? lease.startedAt : Number.POSITIVE_INFINITY,
        }
      : null;
  const watched = watch && {
    unrenewedMs: watch.by.seen(`${String(lease.owner)} ${lease.until}`, now),
    ttlMs: watch.ttlMs,
  };
  return leaseRuns(lease.until, holder, now, watched);
}

/**
 * Takes or renews the evaluation lease for `self`; false while another engine's lease runs. The lease
 * names its engine (pid, start ticks), so one left by an engine that died is taken over at once; a live
 * one's runs out on this engine's own checks when it `watch`es it, so a machine sleep takes nothing.
 */
export function takeLease(
  db: Db,
  self: LeaseHolder & { owner: string },
  now: number,
  ttlMs: number,
  watch?: LeaseWatch,
): boolean {
  return db.transaction(() => {
    const held = readLease(db);
    if (held.owner !== self.owner && leaseKeepsOut(held, now, watch && { by: watch, ttlMs })) return false;
    const { owner, pid, startTicks, startedAt } = self;
    const lease = { owner, until: now + ttlMs, pid, startTicks, startedAt, requests: REQUESTS_PROTOCOL };
    setMeta(db, "evaluator", JSON.stringify(lease));
    return true;
  });
}

/** Whether an engine other than `owner` holds the evaluation lease at `now`. */
export function leaseHeldByOther(db: Db, owner: string, now: number): boolean {
  const lease = readLease(db);
  return lease.owner !== owner && leaseKeepsOut(lease, now);
}

/**
 * The engine other than `owner` whose evaluation lease keeps others out at `now`, or null: its pid (named
 * in the lease, or in its owner, `<pid>-…`, in a lease an older engine wrote) and the version of the
 * requests it applies, when its lease says (an older engine's does not: its presence file does).
 */
export function evaluatorElsewhere(
  db: Db,
  owner: string,
  now: number,
): { pid: number | null; requests: number | undefined } | null {
  const lease = readLease(db);
  if (lease.owner === owner || !leaseKeepsOut(lease, now)) return null;
  const named = typeof lease.pid === "number" ? lease.pid : Number(/^(\d+)-/.exec(String(lease.owner))?.[1]);
  return {
    pid: Number.isSafeInteger(named) && named > 0 ? named : null,
    requests: typeof lease.requests === "number" ? lease.requests : undefined,
  };
}

/** Whether the evaluation lease, as stored now, is `owner`'s (another engine may have taken it since). */
export function holdsLease(db: Db, owner: string): boolean {
  return readLease(db).owner === owner;
}

export function releaseLease(db: Db, owner: string): void {
  db.prepare("DELETE FROM alert_meta WHERE key = 'evaluator' AND json_extract(value, '$.owner') = ?").run(
    owner,
  );
}
