/** Durations (`30s`, `5m`, `24h`, `7d`) and time specs (a duration back from now, or ISO 8601). */
import {
  DURATION_PATTERN,
  durationMs,
  durationProblem,
  isStorableTime,
  timerDurationProblem,
} from "../../shared/durations.js";
import { MonitoringError } from "./errors.js";

/** `30s`, `5m`, `24h`, `7d`, or parts in order as Prometheus writes them: `1h30m`, `2m30s`. */
export function parseDuration(text: string): number {
  const ms = durationMs(text);
  if (ms === null) throw MonitoringError.input(durationProblem(text) ?? `"${text}" is not a duration`);
  return ms;
}

/** A duration something waits for with a timer (a timeout, a grace period): at most MAX_TIMER_MS. */
export function parseTimerDuration(text: string): number {
  const problem = timerDurationProblem(text);
  if (problem !== null) throw MonitoringError.input(problem);
  return parseDuration(text);
}

/** A calendar date alone: `2026-12-06`, or a month (`2026-12`) or a year (`2026`), from its first day. */
const DATE_ONLY = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/;

/**
 * Epoch ms for a time spec: `1h` means an hour ago; otherwise an ISO 8601 time. A time without an offset
 * is local, and so is a date alone (its local midnight), as `date`, journalctl and git read them; Date
 * alone would read the date as UTC midnight but the date with a time of day as local.
 */
export function parseTimeSpec(text: string, now = Date.now()): number {
  if (DURATION_PATTERN.test(text.trim())) {
    return now - parseDuration(text);
  }
  const day = DATE_ONLY.exec(text.trim());
  const t = day ? localMidnight(Number(day[1]), Number(day[2] ?? 1), Number(day[3] ?? 1)) : Date.parse(text);
  if (!isStorableTime(t)) {
    throw MonitoringError.input(
      `"${text}" is not a time; use a duration back from now (1h, 7d) or ISO 8601 (2026-11-25T10:00:00Z)`,
    );
  }
  return t;
}

/**
 * A time flag as a command that reads page after page asks every page with: a duration (1h) read once at
 * `now`, so that it does not move on between pages and drop what aged out meanwhile. Any other time is
 * passed as written, so that `--until` reads it as every listing does (a whole second names its instant;
 * the ISO text of its instant, written to the millisecond, would cover that millisecond).
 */
export function fixedTime(text: string | undefined, now: number): string | undefined {
  if (text === undefined || !DURATION_PATTERN.test(text.trim())) return text;
  return iso(parseTimeSpec(text, now));
}

/** A time of day written to the millisecond or finer: `…13:59:58.286Z`, `…13:59:58.286+01:00`. */
const MS_WRITTEN = /\d:\d{2}:\d{2}[.,]\d{3,}\s*(?:Z|[+-]\d{2}(?::?\d{2})?)?\s*$/i;

/**
 * The end of a range given as `--until`: a time written to the millisecond covers that whole millisecond.
 * Stored times carry fractions of a millisecond that every listing drops, so a time pasted from a listing
 * keeps the rows listed at it; the result is the last instant before the next millisecond, for `<=`.
 * Anything else names its instant, as in `parseTimeSpec`.
 */
export function parseUntilSpec(text: string, now = Date.now()): number {
  const t = parseTimeSpec(text, now);
  return MS_WRITTEN.test(text.trim()) ? justBelow(Math.floor(t) + 1) : t;
}

/** The largest double below a positive `x`: `time <= justBelow(x)` holds for exactly the times below x. */
function justBelow(x: number): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  view.setBigInt64(0, view.getBigInt64(0) - 1n);
  return view.getFloat64(0);
}

/**
 * NaN for a day the month does not have (2026-02-30), which Date would roll into the next month. The year
 * is set with the month and day (a two-digit year would otherwise mean 19xx), and midnight after them: in a
 * zone whose clocks skip midnight that day, setHours lands on the first hour that exists.
 */
function localMidnight(year: number, month: number, day: number): number {
  const date = new Date(0);
  date.setFullYear(year, month - 1, day);
  date.setHours(0, 0, 0, 0);
  return date.getFullYear() === year && date.getMonth() === month - 1 && date.getDate() === day
    ? date.getTime()
    : Number.NaN;
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
