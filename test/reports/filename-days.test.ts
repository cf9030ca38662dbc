/**
 * A report's file name gives its first and last day in local time, the zone its `--since` dates are read
 * in: a local day's report names one day, wherever the machine is.
 */
import { afterEach, beforeEach, expect, it } from "vitest";
import { reportFilename } from "../../shared/report.js";

let zone: string | undefined;
beforeEach(() => {
  zone = process.env.TZ;
  process.env.TZ = "America/Los_Angeles";
});
afterEach(() => {
  if (zone === undefined) delete process.env.TZ;
  else process.env.TZ = zone;
});

it("names a local day's report after that one day", () => {
  // Dec 6 00:00 to Dec 7 00:00 in Los Angeles (UTC-8).
  const day = { since: "2026-12-06T08:00:00.000Z", until: "2026-12-07T08:00:00.000Z" };
  expect(reportFilename(day, "md")).toBe("mcpscope-report-2026-12-06_to_2026-12-06.md");
  // A local week, Monday to Sunday.
  const week = { since: "2026-11-30T08:00:00.000Z", until: "2026-12-07T08:00:00.000Z" };
  expect(reportFilename(week, "csv", "tools")).toBe("mcpscope-report-2026-11-30_to_2026-12-06-tools.csv");
});
