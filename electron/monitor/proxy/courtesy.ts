/**
 * The observer's courtesy to the traffic. A batch of copies is a few milliseconds of work done in one go
 * every 20 ms; on a machine with few cores, a client, server or forwarding thread that wakes meanwhile can
 * wait for a core until the batch is done, and a call then takes milliseconds longer (sequential calls
 * saw a tail of 2 ms and more from it). While the observer has time to spare, it pauses briefly every
 * SLICE_MS of a batch's work, and the scheduler hands the core to whoever waits. When it is busy (over
 * MAX_SHARE of a core over the last window) or behind (the batch was read off the traffic long ago), it
 * works without pauses: then keeping up comes first.
 */

/** Work between two pauses. */
export const SLICE_MS = 0.1;
/** One pause (the system may stretch it by its timer slack, about 50 µs on Linux). */
export const PAUSE_MS = 0.03;
/** Above this share of a core, no pauses. */
export const MAX_SHARE = 0.5;
/** A batch read off the traffic longer ago than this is a backlog: no pauses. */
export const FRESH_MS = 100;
/** How long the share is measured over. */
const WINDOW_MS = 1000;

export interface CourtesyClock {
  /** Monotonic milliseconds. */
  now(): number;
  /** Epoch milliseconds (what a copy's read time is in). */
  epoch(): number;
  pause(ms: number): void;
}

const cell = new Int32Array(new SharedArrayBuffer(4));
const realClock: CourtesyClock = {
  now: () => performance.now(),
  epoch: () => Date.now(),
  // Nothing ever notifies the cell: this sleeps for `ms`, giving up the core (allowed on worker threads).
  pause: (ms) => void Atomics.wait(cell, 0, 0, ms),
};

export class Courtesy {
  private windowStart: number;
  private busyInWindow = 0;
  /** The busy share of the last whole window (0 until one has passed). */
  private share = 0;
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
    this.batchStart = now;
    this.sliceStart = now;
    this.pausedInBatch = 0;
    this.active = this.share < MAX_SHARE && this.clock.epoch() - readAt < FRESH_MS;
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

  /** The batch is done: its work (its pauses left out) counts toward the busy share. */
  end(): void {
    const now = this.clock.now();
    this.busyInWindow += now - this.batchStart - this.pausedInBatch;
    const elapsed = now - this.windowStart;
    if (elapsed >= WINDOW_MS) {
      this.share = this.busyInWindow / elapsed;
      this.busyInWindow = 0;
      this.windowStart = now;
    }
  }
}
