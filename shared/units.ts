/**
 * Durations and thresholds as people write them in rules and flags, read the same way by the engine and
 * the renderer: `30s`, `5m`, `2m30s` (parts in order, as Prometheus writes them); thresholds as a number,
 * `20%` (0.2), a duration (ms) or a size (`512MiB`, bytes).
 */
import { z } from "zod";
import { durationMs, positiveDurationProblem } from "./durations.js";

export {
  DURATION_PATTERN,
  durationMs,
  durationProblem,
  isStorableTime,
  MAX_DURATION_MS,
  MAX_DURATION_TEXT,
} from "./durations.js";

const BYTE_UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
};

/**
 * A duration as the API takes it (`30m`, `2d`), for how long something lasts (a silence, a pause, a
 * timeout), so more than zero: one line naming the problem, the maximum included.
 */
export const DurationTextSchema = z
  .string()
  .min(1)
  .max(32)
  .superRefine((text, ctx) => {
    const problem = positiveDurationProblem(text);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

/**
 * A count of rows as the CLI's `--limit` takes it, from 1 to `max`: its text is passed as it is when it is
 * not a number, so that the problem quotes it (`"abc" is not a number; use 1 to 1000`).
 */
export function limitSchema(max: number) {
  const range = `use 1 to ${max}`;
  return z
    .number({
      error: (issue) =>
        typeof issue.input === "string" ? `${JSON.stringify(issue.input)} is not a number; ${range}` : range,
    })
    .int({ error: range })
    .min(1, { error: range })
    .max(max, { error: range });
}

/** How many rows one page of a listing holds at most: 1 to 1000. */
export const PageLimitSchema = limitSchema(1000);

/**
 * A time bound as the API takes it (`from`, `to`, `since`): an ISO 8601 time or a duration back from now
 * (`30s`, `5m`, `24h`, `7d`), read by the engine against its clock.
 */
export const TimeSpecSchema = z.string().min(1).max(64);

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
