/**
 * When to restart a server that crashed: exponential backoff (1 s doubling to 60 s by default), reset once
 * a run has stayed up long enough, and a crash-loop limit (5 crashes within 5 minutes) after which no
 * more restarts are tried. Pure: times come in as arguments.
 */

export interface RestartPolicyOptions {
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** A run that lasted this long resets the backoff. */
  resetAfterMs?: number;
  /** This many crashes within `crashWindowMs` is a crash loop. */
  crashLimit?: number;
  crashWindowMs?: number;
}

export type RestartDecision =
  | { action: "restart"; delayMs: number; attempt: number }
  | { action: "give_up"; crashes: number; windowMs: number };

export const DEFAULT_RESTART_POLICY: Required<RestartPolicyOptions> = {
  initialDelayMs: 1000,
  maxDelayMs: 60_000,
  resetAfterMs: 60_000,
  crashLimit: 5,
  crashWindowMs: 5 * 60_000,
};

export class RestartPolicy {
  readonly options: Required<RestartPolicyOptions>;
  /** Crashes since the backoff last reset. */
  private consecutive = 0;
  private crashTimes: number[] = [];

  constructor(options: RestartPolicyOptions = {}) {
    this.options = { ...DEFAULT_RESTART_POLICY, ...options };
  }

  /** A run ended unexpectedly at `at` after `uptimeMs`: restart after a delay, or give up. */
  crashed(at: number, uptimeMs: number): RestartDecision {
    const o = this.options;
    if (uptimeMs >= o.resetAfterMs) this.consecutive = 0;
    this.consecutive++;
    this.crashTimes = this.crashTimes.filter((t) => at - t < o.crashWindowMs);
    this.crashTimes.push(at);
    if (this.crashTimes.length >= o.crashLimit) {
      return { action: "give_up", crashes: this.crashTimes.length, windowMs: o.crashWindowMs };
    }
    const delayMs = Math.min(o.maxDelayMs, o.initialDelayMs * 2 ** (this.consecutive - 1));
    return { action: "restart", delayMs, attempt: this.consecutive };
  }

  /** A fresh start by the user: forget the history. */
  reset(): void {
    this.consecutive = 0;
    this.crashTimes = [];
  }
}
