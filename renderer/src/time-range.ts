/** The time ranges the views offer: a preset back from now, or a custom window (local date-times). */
import { formatMinute } from "./format.js";

export const RANGE_PRESETS = ["15m", "1h", "6h", "24h", "7d"] as const;
export type RangePreset = (typeof RANGE_PRESETS)[number];

export interface TimeRange {
  /** `all`: no bounds (the Calls view's default: every stored call). */
  preset: RangePreset | "custom" | "all";
  /** For `custom`: `<input type="datetime-local">` values (local time), `until` empty for "until now". */
  since: string;
  until: string;
}

const PRESET_MS: Record<RangePreset, number> = {
  "15m": 15 * 60_000,
  "1h": 3_600_000,
  "6h": 6 * 3_600_000,
  "24h": 86_400_000,
  "7d": 7 * 86_400_000,
};

export const PRESET_LABELS: Record<RangePreset, string> = {
  "15m": "15 min",
  "1h": "1 hour",
  "6h": "6 hours",
  "24h": "24 hours",
  "7d": "7 days",
};

export function presetRange(preset: RangePreset): TimeRange {
  return { preset, since: "", until: "" };
}

function localToIso(value: string): string | null {
  const t = new Date(value).getTime();
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}

/** The whole of what is stored: no `since`, no `until`. */
export const ALL_TIME: TimeRange = { preset: "all", since: "", until: "" };

/** The `since`/`until` of an API query (a duration back from now, or ISO times; none for `all`). */
export function rangeQuery(range: TimeRange): { since?: string; until?: string } {
  if (range.preset === "all") return {};
  if (range.preset !== "custom") return { since: range.preset };
  const since = localToIso(range.since) ?? new Date(Date.now() - PRESET_MS["1h"]).toISOString();
  const until = range.until ? localToIso(range.until) : null;
  return until ? { since, until } : { since };
}

/**
 * The range as absolute ISO times as of `now`, for work that reads it page after page (an export): a
 * range back from now, or one that ends now, would otherwise move between the pages.
 */
export function rangeWindow(range: TimeRange, now = Date.now()): { since?: string; until: string } {
  const until = new Date(now).toISOString();
  if (range.preset === "all") return { until };
  if (range.preset !== "custom")
    return { since: new Date(now - PRESET_MS[range.preset]).toISOString(), until };
  const q = rangeQuery(range);
  return { since: q.since, until: q.until ?? until };
}

/** Whether the range ends now (so live data belongs in it). */
export function isOpenEnded(range: TimeRange): boolean {
  return range.preset !== "custom" || !range.until;
}

/** Whether the range is a duration back from now, so that what is in it changes with the clock alone. */
export function isSliding(range: TimeRange): boolean {
  return range.preset !== "custom" && range.preset !== "all";
}

/** [since, until] in ms since the epoch, as of `now`. */
export function rangeBounds(range: TimeRange, now = Date.now()): [number, number] {
  if (range.preset === "all") return [0, now];
  if (range.preset !== "custom") return [now - PRESET_MS[range.preset], now];
  const q = rangeQuery(range);
  return [Date.parse(q.since ?? ""), q.until ? Date.parse(q.until) : now];
}

/** A `datetime-local` value for a time: `2026-11-25T14:05`. */
export function toLocalInput(ms: number): string {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}

/** "the last hour", "Nov 25, 14:00 – now". */
export function rangeLabel(range: TimeRange): string {
  if (range.preset === "all") return "all stored time";
  if (range.preset !== "custom") return `the last ${PRESET_LABELS[range.preset]}`;
  const fmt = (v: string) => formatMinute(Date.parse(v));
  return `${fmt(range.since)} – ${range.until ? fmt(range.until) : "now"}`;
}
