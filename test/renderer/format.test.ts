/** Dates as the app writes them: a month name, never the locale's all-numeric 12/6/2026. */
import { describe, expect, it } from "vitest";
import { formatDate, formatDuration } from "../../renderer/src/format.js";

describe("formatDate", () => {
  it("writes a day with its month's name and its year", () => {
    const day = formatDate(new Date(2026, 11, 6, 12).getTime());
    expect(day).toContain("2026");
    expect(day).toContain("6");
    expect(day).not.toMatch(/\d+\/\d+\/\d+/);
  });

  it("says a missing date as a dash, not Invalid Date", () => {
    expect(formatDate(Number.NaN)).toBe("–");
  });
});

describe("formatDuration", () => {
  it("leaves out a zero smaller unit: 7 d, 2 h, but 1 d 6 h and 2 h 5 min", () => {
    const h = 3_600_000;
    expect(formatDuration(7 * 24 * h)).toBe("7 d");
    expect(formatDuration(2 * h)).toBe("2 h");
    expect(formatDuration(30 * h)).toBe("1 d 6 h");
    expect(formatDuration(2 * h + 5 * 60_000)).toBe("2 h 5 min");
  });
});
