/**
 * A server's health from its probes, with flap damping: `down` only after several failures in a row,
 * back `up` only after enough answers in a row. Pure: times come in as arguments. States, like
 * Prometheus' alert states, are explicit.
 *
 *   unknown  no verdict yet (also while the first failures are still below `downAfter`)
 *   up       answering, and fast
 *   degraded answering, but slowly or without a working `tools/list`
 *   down     `downAfter` probes in a row failed, or at once when the process is known gone (`absent`)
 */

import type { HealthStatus } from "../../../shared/servers.js";

export type { HealthStatus };

/** What one probe found. */
export type ProbeOutcome = "ok" | "degraded" | "failed";

export interface HealthPolicy {
  /** Consecutive failed probes before `down`. */
  downAfter: number;
  /** Consecutive ok probes to go from `degraded` back to `up`. */
  upAfterDegraded: number;
  /** Consecutive answered probes to leave `down`. */
  upAfterDown: number;
}

export const DEFAULT_HEALTH_POLICY: HealthPolicy = { downAfter: 3, upAfterDegraded: 1, upAfterDown: 2 };

export interface HealthTransition {
  from: HealthStatus;
  to: HealthStatus;
  at: number;
  /** How many probes in a row led here. */
  streak: number;
}

export class HealthStateMachine {
  status: HealthStatus = "unknown";
  /** When the current status began. */
  since: number | null = null;
  /** Failed probes in a row. */
  failures = 0;
  /** Ok probes in a row. */
  oks = 0;
  /** Answered (ok or degraded) probes in a row. */
  answers = 0;
  /** Down because the process was gone: its next run's first answer is not damped against that. */
  private absentDown = false;
  private readonly policy: HealthPolicy;

  constructor(policy: Partial<HealthPolicy> = {}) {
    this.policy = { ...DEFAULT_HEALTH_POLICY, ...policy };
  }

  /** Feeds one probe's outcome; returns the transition it caused, if any. */
  observe(outcome: ProbeOutcome, at: number): HealthTransition | null {
    const p = this.policy;
    if (outcome === "failed") {
      this.failures++;
      this.oks = 0;
      this.answers = 0;
      return this.failures >= p.downAfter ? this.move("down", at, this.failures) : null;
    }
    this.failures = 0;
    this.answers++;
    if (outcome === "ok") this.oks++;
    else this.oks = 0;
    const target: HealthStatus = outcome === "ok" ? "up" : "degraded";
    switch (this.status) {
      case "unknown":
        return this.move(target, at, 1);
      case "up":
        return outcome === "ok" ? null : this.move("degraded", at, 1);
      case "degraded":
        return outcome === "ok" && this.oks >= p.upAfterDegraded ? this.move("up", at, this.oks) : null;
      case "down":
        return this.answers >= p.upAfterDown || this.absentDown ? this.move(target, at, this.answers) : null;
    }
  }

  /**
   * The server's process is known not to run (crashed, or cannot start): down now, however few probes
   * failed. Flap damping is for probes that may fail by chance; a dead process is a fact.
   */
  absent(at: number): HealthTransition | null {
    this.absentDown = true;
    this.failures++;
    this.oks = 0;
    this.answers = 0;
    return this.move("down", at, this.failures);
  }

  private move(to: HealthStatus, at: number, streak: number): HealthTransition | null {
    if (to !== "down") this.absentDown = false;
    if (to === this.status) return null;
    const transition = { from: this.status, to, at, streak };
    this.status = to;
    this.since = at;
    return transition;
  }
}
