/**
 * The traffic's clock: sub-millisecond, on the process's own time line (which every thread shares, so the
 * thread that stamps copies and the one that judges them agree), and back on the wall clock after a step
 * of more than a second.
 */
import { Worker } from "node:worker_threads";
import { afterEach, describe, expect, it, vi } from "vitest";
import { preciseNow } from "../../electron/monitor/proxy/clock.js";

afterEach(() => {
  vi.restoreAllMocks();
});

/** `performance.timeOrigin + performance.now()` as another thread of this process reads it. */
async function otherThreadReading(): Promise<number> {
  const worker = new Worker(
    `require("node:worker_threads").parentPort.postMessage(performance.timeOrigin + performance.now());`,
    { eval: true },
  );
  try {
    return await new Promise<number>((resolve) => worker.once("message", resolve));
  } finally {
    await worker.terminate();
  }
}

describe("the traffic's clock", () => {
  it("reads the time line every thread shares, whatever the wall clock said when it was first read", async () => {
    const real = Date.now();
    // The wall clock most of a second ahead at the first reading (a step the other thread does not see).
    vi.spyOn(Date, "now").mockImplementation(() => real + 900);
    const here = preciseNow();
    const there = await otherThreadReading();
    // Read after this one, on the same time line: never earlier (anchored to the stepped wall clock, this
    // one would be most of a second ahead of it).
    expect(there).toBeGreaterThanOrEqual(here);
  });

  it("goes back to the wall clock after a step of more than a second", () => {
    const real = Date.now();
    vi.spyOn(Date, "now").mockImplementation(() => real + 5000);
    expect(Math.abs(preciseNow() - (real + 5000))).toBeLessThan(50);
  });
});
