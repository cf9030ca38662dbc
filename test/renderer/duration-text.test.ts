/** A duration known only in milliseconds (a setting read back) is written as text that reads back the same. */
import { describe, expect, it } from "vitest";
import { durationMs, durationText } from "../../shared/durations.js";

describe("durationText", () => {
  it("writes the largest whole units, and durationMs reads it back to the same milliseconds", () => {
    const cases: [number, string][] = [
      [60_000, "1m"],
      [2 * 86_400_000, "2d"],
      [5_400_000, "1h30m"],
      [90_500, "1m30s500ms"],
      [14 * 86_400_000, "14d"],
    ];
    for (const [ms, text] of cases) {
      expect(durationText(ms)).toBe(text);
      expect(durationMs(text)).toBe(ms);
    }
    expect(durationText(-1)).toBeNull();
  });
});
