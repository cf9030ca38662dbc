/**
 * Durations and thresholds as people write them in rules and flags, read the same way by the engine and
 * the renderer: `30s`, `5m`, `2m30s` (parts in order, as Prometheus writes them); thresholds as a number,
 * `20%` (0.2), a duration (ms) or a size (`512MiB`, bytes).
 */
import { z } from "zod";

const DURATION_UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

const BYTE_UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
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

/** Milliseconds, or null when `text` is not a duration or is longer than MAX_DURATION_MS. */
export function durationMs(text: string): number | null {
  return durationProblem(text) === null ? sumDuration(text.trim()) : null;
}

/** A duration as the API takes it (`30m`, `2d`): one line naming the problem, the maximum included. */
export const DurationTextSchema = z
  .string()
  .min(1)
  .max(32)
  .superRefine((text, ctx) => {
    const problem = durationProblem(text);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

/** How many rows one page of a listing holds at most: 1 to 1000 (the CLI's `--limit`). */
const PAGE_LIMIT = "use 1 to 1000";
export const PageLimitSchema = z
  .number({ error: PAGE_LIMIT })
  .int({ error: PAGE_LIMIT })
  .min(1, { error: PAGE_LIMIT })
  .max(1000, { error: PAGE_LIMIT });

/** Whether `ms` is an epoch time a date can hold and print (stored rows are checked with it). */
export function isStorableTime(ms: number): boolean {
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15;
}

/** A threshold's value, or null when `text` is none of a number, a percentage, a duration or a size. */
export function thresholdValue(text: string): number | null {
  const t = text.trim();
  const percent = /^(-?\d+(?:\.\d+)?)\s*%$/.exec(t);
  if (percent) return Number(percent[1]) / 100;
  const bytes = /^(\d+(?:\.\d+)?)\s*([kmg]i?b|b)$/i.exec(t);
  if (bytes) return Number(bytes[1]) * (BYTE_UNITS[(bytes[2] ?? "b").toLowerCase()] ?? 1);
  const ms = durationMs(t);
  if (ms !== null) return ms;
  return t !== "" && Number.isFinite(Number(t)) ? Number(t) : null;
}
