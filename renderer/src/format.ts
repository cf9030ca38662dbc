/**
 * How the app writes times: local time everywhere (never UTC in one view and local in another), the zone
 * named once in the top bar (`zoneLabel`) and after every full timestamp (`formatDateTime`).
 */
import type { Outcome, OutcomeFilter } from "../../shared/domain.js";

const timeFormat = new Intl.DateTimeFormat(undefined, {
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  fractionalSecondDigits: 3,
  hour12: false,
});
const dateTimeFormat = new Intl.DateTimeFormat(undefined, {
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  hour12: false,
});

/** The same, to the minute: the ends of a custom time range. */
const minuteFormat = new Intl.DateTimeFormat(undefined, {
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  hour12: false,
});

const clockFormat = new Intl.DateTimeFormat(undefined, {
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  hour12: false,
});

/** A local time to the minute, as the other times are written: `Dec 6, 21:30`. */
export function formatMinute(ms: number): string {
  return minuteFormat.format(new Date(ms));
}

const minuteInYearFormat = new Intl.DateTimeFormat(undefined, {
  year: "numeric",
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  hour12: false,
});

/**
 * A local time to the minute with its zone, and its year when not this year's (`Dec 6, 21:30 EST`,
 * `Aug 28, 2025, 16:00 PDT`): a time a note names alone, away from the top bar's zone.
 */
export function formatMinuteZoned(ms: number, now = Date.now()): string {
  const date = new Date(ms);
  if (Number.isNaN(date.getTime())) return "–";
  const format = date.getFullYear() === new Date(now).getFullYear() ? minuteFormat : minuteInYearFormat;
  return `${format.format(date)} ${zoneLabel(ms)}`;
}

/** The local time zone's IANA name (`America/New_York`). */
export function timeZoneName(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone ?? "UTC";
}

/** The local time zone's short name at `ms` (`EST`, `GMT+1`): what the app writes after a full timestamp. */
export function zoneLabel(ms = Date.now()): string {
  const part = new Intl.DateTimeFormat(undefined, { timeZoneName: "short" })
    .formatToParts(new Date(ms))
    .find((p) => p.type === "timeZoneName");
  return part?.value ?? timeZoneName();
}

/** A time of day to the second (`16:31:58`): a freshness stamp, not an event's time. */
export function formatClock(ms: number): string {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? "–" : clockFormat.format(date);
}

/** A date and time to the second, without the zone (`Dec 6, 16:30:36`): a cell of a table of times. */
export function formatStamp(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateTimeFormat.format(date);
}

/** A call's start time: the time of day for today, the date too for older calls. */
export function formatTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const now = new Date();
  const today =
    date.getFullYear() === now.getFullYear() &&
    date.getMonth() === now.getMonth() &&
    date.getDate() === now.getDate();
  return today ? timeFormat.format(date) : dateTimeFormat.format(date);
}

const dateFormat = new Intl.DateTimeFormat(undefined, { year: "numeric", month: "short", day: "numeric" });

/** A day, as the app writes dates elsewhere (`Dec 6, 2026` in English): never the locale's 12/6/2026. */
export function formatDate(ms: number): string {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? "–" : dateFormat.format(date);
}

/** A full timestamp: local, with its zone, and the exact UTC time (`Dec 6, 16:30:36 EST (2026-12-06T21:30:36.485Z)`). */
export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime())
    ? iso
    : `${dateTimeFormat.format(date)} ${zoneLabel(date.getTime())} (${iso})`;
}

/** A duration in ms with its unit: `0.4 ms`, `120 ms`, `12.3 s`. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return "–";
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 10_000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

export const OUTCOME_LABELS: Record<Outcome, string> = {
  ok: "ok",
  tool_error: "tool error",
  client_error: "client error",
  server_error: "server error",
  timeout: "timeout",
  cancelled: "cancelled",
  disconnected: "disconnected",
};

/** The Calls view's outcome filter in words: each outcome, and the calls still working. */
export const OUTCOME_FILTER_LABELS: Record<OutcomeFilter, string> = {
  ...OUTCOME_LABELS,
  running: "running (task)",
};

/** Pretty-prints JSON text; text that is not JSON (capped or malformed) is returned unchanged. */
export function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** CPU use of a process tree: `0.4 %`, `12 %`, `230 %` (several cores). */
export function formatPercent(pct: number): string {
  if (!Number.isFinite(pct)) return "–";
  return pct < 10 ? `${pct.toFixed(1)} %` : `${Math.round(pct)} %`;
}

/** A span of time in words: `45 s`, `12 min`, `3 h 5 min`, `2 d 4 h`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "–";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  // A whole number of the larger unit reads alone: `2 h`, `7 d`, not `7 d 0 h`.
  if (h < 24) return min % 60 ? `${h} h ${min % 60} min` : `${h} h`;
  return h % 24 ? `${Math.floor(h / 24)} d ${h % 24} h` : `${Math.floor(h / 24)} d`;
}

/** How long ago `iso` was, relative to `now`: `just now`, `40 s ago`, `5 min ago`. */
export function formatAgo(iso: string, now = Date.now()): string {
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return iso;
  const ms = now - time;
  if (ms < 5000) return "just now";
  return `${formatDuration(ms)} ago`;
}

/** `in 30 s` for a time ahead of `now`, `5 min ago` for one past. */
export function formatRelative(iso: string, now = Date.now()): string {
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return iso;
  return time > now + 1000 ? `in ${formatDuration(time - now)}` : formatAgo(iso, now);
}
