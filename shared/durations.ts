/**
 * Durations as people write them in rules and flags (`30s`, `5m`, `2m30s`: parts in order, as Prometheus
 * writes them), read the same way by the engine, the CLI and the renderer. No zod here: the CLI's start-up
 * path (`mcpscope run`) parses durations and must not load the schema library.
 */
const DURATION_UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

export const DURATION_PATTERN = /^(\d+(?:\.\d+)?(ms|s|m|h|d|w))+$/;

/**
 * The longest duration anything accepts (a silence, a pause, a rule's window, a retention, a time back
 * from now): ten years. Far beyond any real use, and far inside what a date can hold, so that `now + d`
 * is always a time that can be stored, compared and printed.
 */
export const MAX_DURATION_MS = 3650 * DURATION_UNITS.d!;
export const MAX_DURATION_TEXT = "3650d";

function sumDuration(t: string): number {
  let total = 0;
  for (const part of t.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g))
    total += Number(part[1]) * (DURATION_UNITS[part[2] ?? "s"] ?? 1000);
  return total;
}

/** Why `text` is not an acceptable duration (one line), or null when it is one. */
export function durationProblem(text: string): string | null {
  const t = text.trim();
  if (!DURATION_PATTERN.test(t))
    return `"${text}" is not a duration; use a number and a unit, like 30s, 5m, 24h or 7d`;
  if (!(sumDuration(t) <= MAX_DURATION_MS))
    return `"${text}" is too long; the most is ${MAX_DURATION_TEXT} (ten years)`;
  return null;
}

/**
 * Why `text` is not a length of time to wait or keep something (a silence, a pause, a timeout), or null:
 * those end before they start at zero. A rule's `for: 0s` is a duration, not one of these.
 */
export function positiveDurationProblem(text: string): string | null {
  const problem = durationProblem(text);
  if (problem !== null || sumDuration(text.trim()) > 0) return problem;
  return `"${text}" is no time at all; give a positive duration, like 30s or 5m`;
}

/**
 * positiveDurationProblem for a value read from settings.json, which may be any length: one too long to
 * be a duration is not echoed; the problem starts with "is" and whoever reports it shows a bounded part.
 */
export function positiveDurationSettingProblem(text: string): string | null {
  if (text.length > 32) return "is not a duration: use a number and a unit, like 30s, 5m, 24h or 7d";
  return positiveDurationProblem(text);
}

/**
 * The longest wait a timer can hold: Node's (and a browser's) timers take a signed 32-bit count of
 * milliseconds and turn anything longer into 1 ms. A little over 24 days.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;
export const MAX_TIMER_TEXT = "24d";

/** Why `text` is not a duration a timer can wait (one line), or null when it is one. */
export function timerDurationProblem(text: string): string | null {
  const problem = durationProblem(text);
  if (problem !== null || sumDuration(text.trim()) <= MAX_TIMER_MS) return problem;
  return `"${text}" is too long to wait for; the most is ${MAX_TIMER_TEXT}`;
}

/** Milliseconds, or null when `text` is not a duration or is longer than MAX_DURATION_MS. */
export function durationMs(text: string): number | null {
  return durationProblem(text) === null ? sumDuration(text.trim()) : null;
}

/** Whether `ms` is an epoch time a date can hold and print (stored rows are checked with it). */
export function isStorableTime(ms: number): boolean {
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15;
}

/**
 * A duration as text that `durationMs` reads back to the same `ms` (`2d`, `1h30m`, `90s`): for showing
 * and saving again a setting known only in milliseconds. Null for a negative or non-finite `ms`.
 */
export function durationText(ms: number): string | null {
  if (!Number.isFinite(ms) || ms < 0) return null;
  if (ms === 0) return "0s";
  let rest = Math.round(ms);
  let text = "";
  for (const unit of ["d", "h", "m", "s", "ms"]) {
    const size = DURATION_UNITS[unit] ?? 1;
    const n = Math.floor(rest / size);
    if (n > 0) text += `${n}${unit}`;
    rest -= n * size;
  }
  return text;
}
