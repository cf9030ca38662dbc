/**
 * The Overview's note on a widened range, in local time: its day edges are UTC days, and each time says
 * its zone (and its year, when not this year's), since the note stands away from the top bar's zone.
 */
import { expect, it } from "vitest";
import { countedNote } from "../../shared/metrics.js";

it("names the zone, the year of another year, and UTC days, in a zone eight hours behind UTC", async () => {
  const zone = process.env.TZ;
  process.env.TZ = "America/Los_Angeles";
  try {
    // The formats are made when the module loads: load it in this zone.
    const { formatMinuteZoned } = await import("../../renderer/src/format.js");
    const now = Date.UTC(2026, 11, 7, 3, 30);
    const [since, until] = countedNote(
      { since: "2025-08-28T00:00:00.000Z", until: "2026-12-07T00:00:00.000Z", resolution: "day" },
      (iso) => formatMinuteZoned(Date.parse(iso), now),
    )
      .replace(/^only daily detail is kept here: counted /, "")
      .split(" to ");
    // A UTC midnight is 17:00 the day before, in summer time, and 16:00 in winter time.
    expect(since).toMatch(/^Aug 27, 2025, 17:00 (PDT|GMT-7)$/);
    expect(until).toMatch(/^Dec 6, 16:00 (PST|GMT-8) \(whole UTC days at the edges\)$/);
  } finally {
    if (zone === undefined) delete process.env.TZ;
    else process.env.TZ = zone;
  }
});
