/** The Calls view's latency axis: logarithmic, so fast calls stay apart from the one slow call. */
import { describe, expect, it } from "vitest";
import { LATENCY_FLOOR_MS, logAxisBounds, onLogAxis } from "../../renderer/src/latency-scale.js";

describe("the latency chart's log axis", () => {
  it("spans whole decades around the calls in view", () => {
    // 2 ms, 3 ms, 40 ms and one 30 s call: on a linear axis the first three share one pixel row with zero.
    expect(logAxisBounds([2, 3, 40, 30_000])).toEqual({ min: 1, max: 100_000 });
    expect(logAxisBounds([250])).toEqual({ min: 100, max: 1000 });
    expect(logAxisBounds([])).toEqual({ min: 1, max: 1000 });
  });

  it("puts a duration of zero (or below the floor) on the floor, which a log axis can show", () => {
    expect(onLogAxis(0)).toBe(LATENCY_FLOOR_MS);
    expect(onLogAxis(0.01)).toBe(LATENCY_FLOOR_MS);
    expect(onLogAxis(12.5)).toBe(12.5);
    expect(logAxisBounds([0, 5])).toEqual({ min: LATENCY_FLOOR_MS, max: 10 });
  });

  it("keeps fast calls apart from a slow one: each decade gets the same height", () => {
    const { min, max } = logAxisBounds([2, 20, 30_000]);
    const position = (ms: number) =>
      (Math.log10(onLogAxis(ms)) - Math.log10(min)) / (Math.log10(max) - Math.log10(min));
    // 2 ms and 20 ms are a fifth of the axis apart, where a linear axis would put them 0.02 % apart.
    expect(position(20) - position(2)).toBeCloseTo(0.2, 5);
  });
});
