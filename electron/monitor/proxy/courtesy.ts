/**
 * The observer's courtesy to the traffic. A batch of copies is a few milliseconds of work done in one go
 * every 20 ms; on a machine with few cores, a client, server or forwarding thread that wakes meanwhile can
 * wait for a core until the batch is done, and a call then takes milliseconds longer (sequential calls
 * saw a tail of 2 ms and more from it). While the observer has plenty of time to spare, it pauses briefly
 * every SLICE_MS of a batch's work, and the scheduler hands the core to whoever waits. A pause asks for
 * PAUSE_MS but lasts what the system's timer slack makes of it (about 0.1 ms on Linux), so pausing about
 * doubles the time a batch takes: it is done only while the work alone fills under MAX_SHARE of a core,
 * and never for a batch read off the traffic long ago (a backlog). Then keeping up comes first.
 */
import { preciseNow } from "./clock.js";

/** Work between two pauses. */
export const SLICE_MS = 0.1;
/** One pause (the system may stretch it by its timer slack, about 50 µs on Linux). */
export const PAUSE_MS = 0.03;
/** Work (pauses left out) above this share of a core over the last window: no pauses. */
export const MAX_SHARE = 0.3;
/** A batch read off the traffic longer ago than this is a backlog: no pauses. */
export const FRESH_MS = 100;
/** How long the share is measured over. */
const WINDOW_MS = 1000;
/** How far into a window its own share already counts (a burst stops the pauses within this). */
const EARLY_MS = 100;

export interface CourtesyClock {
  /** Monotonic milliseconds. */
  now(): number;
  /** Epoch milliseconds, on the clock a copy's read time is stamped with. */
  epoch(): number;
  pause(ms: number): void;
}

const cell = new Int32Array(new SharedArrayBuffer(4));
const realClock: CourtesyClock = {
  now: () => performance.now(),
  epoch: preciseNow,
  // Nothing ever notifies the cell: this sleeps for `ms`, giving up the core (allowed on worker threads).
  pause: (ms) => void Atomics.wait(cell, 0, 0, ms),
};

export class Courtesy {
  private windowStart: number;
  private busyInWindow = 0;
  /** The work's share of a core over the last whole window (taken as busy until one has passed). */
  private share = 1;
  private active = false;
  private batchStart = 0;
  private sliceStart = 0;
  private pausedInBatch = 0;
  /** Pauses taken in all (for tests and benchmarks). */
  pauses = 0;

  constructor(private readonly clock: CourtesyClock = realClock) {
    this.windowStart = clock.now();
  }

  /** A batch starts; `readAt` is when its first copy was read off the traffic (epoch ms). */
  begin(readAt: number): void {
    const now = this.clock.now();
    // After an idle spell the window starts again, the load unknown: idle time long past says nothing of
    // the load now, and a burst that follows must not find the observer pausing.
    if (now - this.windowStart > 2 * WINDOW_MS) {
      this.windowStart = now;
      this.busyInWindow = 0;
      this.share = 1;
    } else this.roll(now);
    this.batchStart = now;
    this.sliceStart = now;
    this.pausedInBatch = 0;
    this.active = this.share < MAX_SHARE && this.clock.epoch() - readAt < FRESH_MS && !this.busyNow(now);
  }

  /** The window under way is already past the share (a burst since the last window): no waiting for its end. */
  private busyNow(now: number): boolean {
    const elapsed = now - this.windowStart;
    return elapsed >= EARLY_MS && this.busyInWindow / elapsed >= MAX_SHARE;
  }

  /** Between two copies of the batch: pauses if this slice of work is used up. */
  between(): void {
    if (!this.active) return;
    const now = this.clock.now();
    if (now - this.sliceStart < SLICE_MS) return;
    this.clock.pause(PAUSE_MS);
    this.pauses++;
    this.sliceStart = this.clock.now();
    this.pausedInBatch += this.sliceStart - now;
  }

  /** The batch is done: its work (its pauses left out) counts toward the share. */
  end(): void {
    const now = this.clock.now();
    this.busyInWindow += now - this.batchStart - this.pausedInBatch;
    this.roll(now);
  }

  /** A window has passed: its share is what the next batches go by. */
  private roll(now: number): void {
    const elapsed = now - this.windowStart;
    if (elapsed < WINDOW_MS) return;
    this.share = this.busyInWindow / elapsed;
    this.busyInWindow = 0;
    this.windowStart = now;
  }
}
