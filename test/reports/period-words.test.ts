/** The Reports view words the comparison period in its own unit, never in rounded hours. */
import { describe, expect, it } from "vitest";
import { previousPeriodWords } from "../../shared/report-words.js";

const MIN = 60_000;

describe("the comparison period's words", () => {
  it("names a period by its largest whole unit", () => {
    expect(previousPeriodWords(25 * MIN)).toBe("the previous 25 minutes");
    expect(previousPeriodWords(30 * 1440 * MIN)).toBe("the previous 30 days");
    expect(previousPeriodWords(7 * 1440 * MIN)).toBe("the previous 7 days");
    expect(previousPeriodWords(1440 * MIN)).toBe("the previous day");
    expect(previousPeriodWords(90 * MIN)).toBe("the previous 90 minutes");
    expect(previousPeriodWords(36 * 60 * MIN)).toBe("the previous 36 hours");
    expect(previousPeriodWords(45_000)).toBe("the previous 45 seconds");
    expect(previousPeriodWords(1500)).toBe("the previous 1.5 s");
  });
});
