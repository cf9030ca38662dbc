/**
 * Time as the supervisor, the prober and the sampler see it: the wall clock in production, a virtual clock in
 * tests, so that backoff, flap damping and sampling intervals are tested without waiting.
 */

export type TimerId = number;

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Runs `fn` once after `ms`; the timer never keeps the process alive on its own. */
  setTimeout(fn: () => void, ms: number): TimerId;
  clearTimeout(id: TimerId): void;
}

/** The real clock. Timers are unref'd: the engine's host decides when the process ends. */
export function systemClock(): Clock {
  const timers = new Map<TimerId, NodeJS.Timeout>();
  let next = 1;
  return {
    now: () => Date.now(),
    setTimeout(fn, ms) {
      const id = next++;
      const timer = setTimeout(() => {
        timers.delete(id);
        fn();
      }, ms);
      timer.unref();
      timers.set(id, timer);
      return id;
    },
    clearTimeout(id) {
      const timer = timers.get(id);
      if (timer) clearTimeout(timer);
      timers.delete(id);
    },
  };
}

/** A clock that moves only when told to (`advance`), firing due timers in time order. */
export class VirtualClock implements Clock {
  private time: number;
  private next = 1;
  private readonly timers = new Map<TimerId, { at: number; fn: () => void }>();

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): TimerId {
    const id = this.next++;
    this.timers.set(id, { at: this.time + Math.max(0, ms), fn });
    return id;
  }

  clearTimeout(id: TimerId): void {
    this.timers.delete(id);
  }

  /** Timers still waiting, soonest first (for assertions). */
  pending(): number[] {
    return [...this.timers.values()].map((t) => t.at - this.time).sort((a, b) => a - b);
  }

  /** Moves time forward by `ms`, running each timer that falls due, at its own time. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      let due: [TimerId, { at: number; fn: () => void }] | undefined;
      for (const entry of this.timers) {
        if (entry[1].at <= end && (!due || entry[1].at < due[1].at)) due = entry;
      }
      if (!due) break;
      this.timers.delete(due[0]);
      this.time = due[1].at;
      due[1].fn();
    }
    this.time = end;
  }
}
