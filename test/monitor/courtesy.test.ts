/**
 * The observer pauses every slice of a batch's work while its work leaves plenty of a core to spare, and
 * never while it is busy, behind the traffic, or has not yet measured its load: then keeping up comes first.
 */
import { describe, expect, it } from "vitest";
import {
  Courtesy,
  type CourtesyClock,
  FRESH_MS,
  MAX_SHARE,
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

/** A second of 20 ms batches whose work takes `share` of the time. */
function second(courtesy: Courtesy, c: ReturnType<typeof clock>, share: number, age = 1): void {
  const copies = Math.round((20 * share) / 0.025);
  for (let i = 0; i < 50; i++) {
    const start = c.now();
    batch(courtesy, c, copies, 0.025, age);
    c.work(Math.max(0, 20 - (c.now() - start)));
  }
}

describe("the observer's courtesy", () => {
  it("does not pause before it has measured its load", () => {
    const c = clock();
    const courtesy = new Courtesy(c);
    batch(courtesy, c, 100, 0.025);
    expect(courtesy.pauses).toBe(0);
  });

  it("pauses once per slice of work while its work leaves a core mostly idle", () => {
    const c = clock();
    const courtesy = new Courtesy(c);
    second(courtesy, c, 0.1);
    const before = courtesy.pauses;
    // 100 copies of 25 µs: 2.5 ms of work; a slice ends at the first copy boundary at or past SLICE_MS.
    batch(courtesy, c, 100, 0.025);
    const pauses = courtesy.pauses - before;
    expect(pauses).toBeGreaterThanOrEqual(Math.floor(2.5 / (SLICE_MS + 0.025)) - 1);
    expect(pauses).toBeLessThanOrEqual(2.5 / SLICE_MS);
    expect(c.paused).toBeCloseTo(courtesy.pauses * PAUSE_MS);
  });

  it("does not pause for a batch read off the traffic long ago (a backlog)", () => {
    const c = clock();
    const courtesy = new Courtesy(c);
    second(courtesy, c, 0.1);
    const before = courtesy.pauses;
    batch(courtesy, c, 100, 0.025, FRESH_MS + 1);
    expect(courtesy.pauses).toBe(before);
  });

  it("stops pausing once its work passes the share, and starts again when it falls", () => {
    const c = clock();
    const courtesy = new Courtesy(c);
    // The first window measures; the second pauses.
    second(courtesy, c, MAX_SHARE / 2);
    expect(courtesy.pauses).toBe(0);
    second(courtesy, c, MAX_SHARE / 2);
    expect(courtesy.pauses).toBeGreaterThan(0);
    // Work just over the share: pausing would double the batches' time, so it stops after one window.
    second(courtesy, c, MAX_SHARE + 0.05);
    const busyFirst = courtesy.pauses;
    second(courtesy, c, MAX_SHARE + 0.05);
    expect(courtesy.pauses).toBe(busyFirst);
    second(courtesy, c, MAX_SHARE / 2);
    second(courtesy, c, MAX_SHARE / 2);
    expect(courtesy.pauses).toBeGreaterThan(busyFirst);
  });

  it("does not pause in a burst: neither after an idle spell nor within a window that turned busy", () => {
    const c = clock();
    const courtesy = new Courtesy(c);
    second(courtesy, c, MAX_SHARE / 4);
    second(courtesy, c, MAX_SHARE / 4);
    const quiet = courtesy.pauses;
    expect(quiet).toBeGreaterThan(0);
    // Five idle seconds, then a burst: the load is unknown again, so no pauses.
    c.work(5000);
    second(courtesy, c, 0.9);
    expect(courtesy.pauses).toBe(quiet);

    // Light load measured, then a burst within the next window: pauses stop once it shows, about 100 ms in,
    // not at the window's end (a second of 90 % work would otherwise pause after every 0.1 ms of it).
    second(courtesy, c, MAX_SHARE / 4);
    second(courtesy, c, MAX_SHARE / 4);
    const before = courtesy.pauses;
    second(courtesy, c, 0.9);
    const wholeSecond = 900 / SLICE_MS;
    expect(courtesy.pauses - before).toBeLessThan(wholeSecond / 4);
  });
});
