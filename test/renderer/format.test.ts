/** Dates as the app writes them: a month name, never the locale's all-numeric 12/6/2026. */
import { describe, expect, it } from "vitest";
import { formatDate } from "../../renderer/src/format.js";

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
