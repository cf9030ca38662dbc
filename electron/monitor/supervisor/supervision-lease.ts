/**
 * Which engine on a data dir runs the servers the user starts in mcpscope. Two engines on one data dir
 * (the app and `mcpscope serve`) would otherwise each run a copy of the same server: the one holding the
 * `supervision` lease (store/engine-leases.ts) starts, stops and restarts them, and cleans up after a
 * crashed engine; the other shows them from the store. It tries every interval, so when the holder ends
 * (closed, or killed outright) another engine takes over within one interval.
 */
import { randomUUID } from "node:crypto";
import { runningEngines } from "../engine-presence.js";
import type { Db } from "../store/db.js";
import {
  type LeaseAnswer,
  type LeaseHolder,
  releaseEngineLease,
  selfHolder,
  takeEngineLease,
} from "../store/engine-leases.js";

export const SUPERVISION_LEASE = "supervision";
/** How often an engine renews its lease, or tries to take it: the longest a takeover waits. */
export const SUPERVISION_CHECK_MS = 5_000;

export interface SupervisionLeaseOptions {
  db: Db;
  dataDir: string;
  intervalMs?: number;
  /**
   * After each check this engine holds the lease at: `gained` when it has just taken it (at its start,
   * or once the holder ended).
   */
  holding(gained: boolean): void;
  onProblem?(message: string): void;
}

export class SupervisionLease {
  private holding = false;
  private other: LeaseHolder | null = null;
  private timer: NodeJS.Timeout | null = null;
  private lastProblem = "";
  private readonly self = selfHolder(`${process.pid}-${randomUUID().slice(0, 8)}`);

  constructor(private readonly options: SupervisionLeaseOptions) {}

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

  check(now = Date.now()): void {
    let answer: LeaseAnswer;
    try {
      answer = takeEngineLease(
        this.options.db,
        SUPERVISION_LEASE,
        this.self,
        now,
        Math.max(30_000, 3 * this.intervalMs()),
      );
    } catch (error) {
      // The store cannot say (locked, broken): keep supervising if this engine did, or if no other runs.
      const other = runningEngines(this.options.dataDir).find((e) => e.pid !== process.pid);
      answer =
        this.holding || !other
          ? { held: true }
          : {
              held: false,
              holder: {
                pid: other.pid,
                startTicks: other.startTicks ?? null,
                startedAt: Date.parse(other.startedAt),
              },
            };
      this.problem(`cannot read which engine supervises the servers: ${(error as Error).message}`);
    }
    const gained = answer.held && !this.holding;
    if (this.holding && !answer.held)
      this.problem(`the engine with pid ${answer.holder.pid} took over running the servers from this one`);
    this.holding = answer.held;
    this.other = answer.held ? null : answer.holder;
    if (answer.held) this.options.holding(gained);
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (!this.holding) return;
    this.holding = false;
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
