/**
 * Which engine on a data dir runs the servers the user starts in mcpscope. Two engines on one data dir
 * (the app and `mcpscope serve`) would otherwise each run a copy of the same server: the one holding the
 * `supervision` lease (store/engine-leases.ts) starts, stops and restarts them, and cleans up after a
 * crashed engine; the other shows them from the store. It tries every interval, so when the holder ends
 * (closed, or killed outright) another engine takes over within one interval. An engine from an mcpscope
 * before the lease runs its servers whatever the lease says, so while one runs (engine-presence.ts) no
 * engine of this version holds the lease: that engine counts as the holder, the one that cannot yield.
 */
import { randomUUID } from "node:crypto";
import { type EnginePresence, olderSupervisor, runningEngines } from "../engine-presence.js";
import type { Db } from "../store/db.js";
import {
  type LeaseAnswer,
  type LeaseHolder,
  LeaseWatch,
  leaseHolderPid,
  releaseEngineLease,
  selfHolder,
  takeEngineLease,
} from "../store/engine-leases.js";

export const SUPERVISION_LEASE = "supervision";
/** How often an engine renews its lease, or tries to take it: the longest a takeover waits. */
export const SUPERVISION_CHECK_MS = 5_000;
/**
 * How long a lease lasts unrenewed, at the least: a holder's event loop held up this long, while the other
 * engine's runs, loses it. A sleep of the whole machine does not: the lease runs out on the taker's own
 * checks (LeaseWatch in store/engine-leases.ts).
 */
export const SUPERVISION_LEASE_MS = 30_000;
/** The event of an engine that found another had taken the lease over while it still ran. */
export const SUPERVISION_LOST_EVENT = "engine.supervision_lost";

export interface SupervisionLeaseOptions {
  db: Db;
  dataDir: string;
  intervalMs?: number;
  /** How long the lease lasts unrenewed (default 30 s, and at least three intervals). */
  leaseMs?: number;
  /**
   * After each check this engine holds the lease at: `gained` when it has just taken it (at its start,
   * or once the holder ended).
   */
  holding(gained: boolean): void;
  /**
   * This engine held the lease and finds another took it over (it ran out while this engine's event loop
   * was held up), or an engine from an older mcpscope (`older`) that runs servers regardless started: it
   * is to stop the servers it runs, so that one copy of each runs.
   */
  lost?(holder: LeaseHolder, older: boolean): void;
  onProblem?(message: string): void;
}

export class SupervisionLease {
  private holding = false;
  private other: LeaseHolder | null = null;
  private otherIsOlder = false;
  private timer: NodeJS.Timeout | null = null;
  private lastProblem = "";
  private readonly self = selfHolder(`${process.pid}-${randomUUID().slice(0, 8)}`);
  /** Another engine's lease, as renewed last: taken over once unrenewed for a lease on this one's checks. */
  private readonly watch: LeaseWatch;

  constructor(private readonly options: SupervisionLeaseOptions) {
    this.watch = new LeaseWatch(2 * this.intervalMs());
  }

  /** Tries now, then every interval. */
  start(): void {
    this.check();
    this.timer = setInterval(() => this.check(), this.intervalMs());
    this.timer.unref();
  }

  /** Whether this engine supervises. */
  get held(): boolean {
    return this.holding;
  }

  /** The other engine that supervises, while this one does not. */
  get holder(): LeaseHolder | null {
    return this.other;
  }

  /** Whether that engine is from an older mcpscope, which does not share the servers. */
  get holderIsOlder(): boolean {
    return this.other !== null && this.otherIsOlder;
  }

  check(now = Date.now()): void {
    const older = this.olderEngine();
    const answer = older ? { held: false as const, holder: presenceHolder(older) } : this.take(now);
    const gained = answer.held && !this.holding;
    const lost = this.holding && !answer.held;
    // Given up to no engine of this version while the older one runs: each of them yields to it too.
    if (lost && older) this.release();
    this.holding = answer.held;
    this.other = answer.held ? null : answer.holder;
    this.otherIsOlder = older !== undefined;
    if (answer.held) this.options.holding(gained);
    else if (lost) {
      if (this.options.lost) this.options.lost(answer.holder, older !== undefined);
      else
        this.problem(`the engine with pid ${answer.holder.pid} took over running the servers from this one`);
    }
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (!this.holding) return;
    this.holding = false;
    this.release();
  }

  /** A running engine from an older mcpscope, which runs servers whatever the lease says. */
  private olderEngine(): EnginePresence | undefined {
    try {
      return olderSupervisor(this.options.dataDir, (pid) => this.leaseHolderIs(pid));
    } catch {
      return undefined;
    }
  }

  /** Whether the engine with `pid` wrote the lease: it knows it, whatever its presence file says. */
  private leaseHolderIs(pid: number): boolean {
    try {
      return leaseHolderPid(this.options.db, SUPERVISION_LEASE) === pid;
    } catch {
      return false;
    }
  }

  private take(now: number): LeaseAnswer {
    try {
      return takeEngineLease(
        this.options.db,
        SUPERVISION_LEASE,
        this.self,
        now,
        this.options.leaseMs ?? Math.max(SUPERVISION_LEASE_MS, 3 * this.intervalMs()),
        this.watch,
      );
    } catch (error) {
      this.problem(`cannot read which engine supervises the servers: ${(error as Error).message}`);
      // The store cannot say (locked, broken): keep supervising if this engine did, or if no other runs.
      const other = runningEngines(this.options.dataDir).find((e) => e.pid !== process.pid);
      return this.holding || !other ? { held: true } : { held: false, holder: presenceHolder(other) };
    }
  }

  private release(): void {
    try {
      releaseEngineLease(this.options.db, SUPERVISION_LEASE, this.self.owner);
    } catch {
      // Its holder's process ends: the next engine takes it over then.
    }
  }

  private intervalMs(): number {
    return this.options.intervalMs ?? SUPERVISION_CHECK_MS;
  }

  private problem(message: string): void {
    if (message === this.lastProblem) return;
    this.lastProblem = message;
    this.options.onProblem?.(message);
  }
}

/** A running engine, from its presence file, as a lease holder. */
function presenceHolder(engine: EnginePresence): LeaseHolder {
  return { pid: engine.pid, startTicks: engine.startTicks ?? null, startedAt: Date.parse(engine.startedAt) };
}
