/** Durations (`30s`, `5m`, `24h`, `7d`) and time specs (a duration back from now, or ISO 8601). */
import { DURATION_PATTERN, durationMs, durationProblem, isStorableTime } from "../../shared/durations.js";
import { MonitoringError } from "./errors.js";

/** `30s`, `5m`, `24h`, `7d`, or parts in order as Prometheus writes them: `1h30m`, `2m30s`. */
export function parseDuration(text: string): number {
  const ms = durationMs(text);
  if (ms === null) throw MonitoringError.input(durationProblem(text) ?? `"${text}" is not a duration`);
  return ms;
}

/** Epoch ms for a time spec: `1h` means an hour ago; otherwise an ISO 8601 time. */
export function parseTimeSpec(text: string, now = Date.now()): number {
  if (DURATION_PATTERN.test(text.trim())) {
    return now - parseDuration(text);
  }
  const t = Date.parse(text);
  if (!isStorableTime(t)) {
    throw MonitoringError.input(
      `"${text}" is not a time; use a duration back from now (1h, 7d) or ISO 8601 (2026-11-25T10:00:00Z)`,
    );
  }
  return t;
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
