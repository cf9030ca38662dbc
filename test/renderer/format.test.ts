/** Dates and times as the app writes them: a month name, never the locale's 12/6/2026; local time, zone named. */
import { describe, expect, it } from "vitest";
import {
  formatClock,
  formatDate,
  formatDateTime,
  formatDuration,
  formatStamp,
  timeZoneName,
  zoneLabel,
} from "../../renderer/src/format.js";
import { rangeLabel } from "../../renderer/src/time-range.js";
import { formatRow, type Table } from "../../shared/report-tables.js";

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

describe("times", () => {
  const iso = "2026-12-06T21:30:36.485Z";
  const ms = Date.parse(iso);

  it("a full timestamp says its zone, then the exact UTC time", () => {
    const text = formatDateTime(iso);
    expect(text.endsWith(` ${zoneLabel(ms)} (${iso})`)).toBe(true);
    expect(text.startsWith(formatStamp(iso))).toBe(true);
    expect(zoneLabel(ms)).not.toBe("");
    expect(timeZoneName()).not.toBe("");
  });

  it("a freshness stamp stops at the second", () => {
    expect(formatClock(ms)).toMatch(/^\d\d:\d\d:\d\d$/);
    expect(formatClock(Number.NaN)).toBe("–");
  });

  it("a report's times: UTC in exports, the app's own format when it passes one", () => {
    const table: Table = {
      section: "logs",
      title: "New log templates",
      columns: [
        { name: "Template", unit: "text" },
        { name: "First seen", unit: "time" },
      ],
      rows: [["listed <*>", iso]],
      empty: "",
    };
    expect(formatRow(table, table.rows[0] ?? [], 0)).toEqual(["listed <*>", "2026-12-06 21:30:36Z"]);
    expect(formatRow(table, table.rows[0] ?? [], 0, formatStamp)).toEqual(["listed <*>", formatStamp(iso)]);
  });
});

describe("a custom time range's label", () => {
  it("writes its ends as every other time is written, to the minute", () => {
    const since = "2026-12-06T21:30";
    const stamp = formatStamp(new Date(`${since}:00`).toISOString());
    expect(stamp).toMatch(/:00$/);
    expect(rangeLabel({ preset: "custom", since, until: "" })).toBe(`${stamp.slice(0, -3)} – now`);
  });
});
