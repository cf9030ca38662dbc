/**
 * The observer pauses every slice of a batch's work while it has time to spare, and never while it is
 * busy or behind the traffic: then keeping up comes first.
 */
import { describe, expect, it } from "vitest";
import {
  Courtesy,
  type CourtesyClock,
  FRESH_MS,
  PAUSE_MS,
  SLICE_MS,
} from "../../electron/monitor/proxy/courtesy.js";

/** A virtual clock: work advances it by hand, a pause by what was asked. */
function clock(): CourtesyClock & { work(ms: number): void; paused: number } {
  let t = 0;
  const c = {
    paused: 0,
    now: () => t,
    epoch: () => 1_000_000 + t,
    pause: (ms: number) => {
      t += ms;
      c.paused += ms;
    },
    work: (ms: number) => {
      t += ms;
    },
  };
  return c;
}

/** One batch of `copies` copies, each `each` ms of work, read `age` ms ago. */
function batch(courtesy: Courtesy, c: ReturnType<typeof clock>, copies: number, each: number, age = 1): void {
  courtesy.begin(c.epoch() - age);
  for (let i = 0; i < copies; i++) {
    courtesy.between();
    c.work(each);
  }
  courtesy.end();
}

describe("the observer's courtesy", () => {
  it("pauses once per slice of work while it has time to spare", () => {
    const c = clock();
    const courtesy = new Courtesy(c);
    // 100 copies of 25 µs: 2.5 ms of work, a pause after each 0.1 ms of it.
    batch(courtesy, c, 100, 0.025);
    // A slice ends at the first copy boundary at or past SLICE_MS: every 0.1 to 0.125 ms of work.
    expect(courtesy.pauses).toBeGreaterThanOrEqual(Math.floor(2.5 / (SLICE_MS + 0.025)) - 1);
    expect(courtesy.pauses).toBeLessThanOrEqual(2.5 / SLICE_MS);
    expect(c.paused).toBeCloseTo(courtesy.pauses * PAUSE_MS);
  });

  it("does not pause for a batch read off the traffic long ago (a backlog)", () => {
    const c = clock();
    const courtesy = new Courtesy(c);
    batch(courtesy, c, 100, 0.025, FRESH_MS + 1);
    expect(courtesy.pauses).toBe(0);
  });

  it("stops pausing once it is busy over half a core, and pauses again when the load falls", () => {
    const c = clock();
    const courtesy = new Courtesy(c);
    // A second of batches that are 60 % work: pauses while the share is still unknown…
    for (let i = 0; i < 50; i++) {
      batch(courtesy, c, 480, 0.025);
      c.work(20 - 12);
    }
    const duringFirstWindow = courtesy.pauses;
    expect(duringFirstWindow).toBeGreaterThan(0);
    // …then none: the last window was over half busy (pauses are not counted as work).
    for (let i = 0; i < 10; i++) {
      batch(courtesy, c, 480, 0.025);
      c.work(8);
    }
    expect(courtesy.pauses).toBe(duringFirstWindow);
    // A quiet second later (little work): pauses again.
    for (let i = 0; i < 60; i++) {
      batch(courtesy, c, 40, 0.025);
      c.work(19);
    }
    expect(courtesy.pauses).toBeGreaterThan(duringFirstWindow);
  });
});
