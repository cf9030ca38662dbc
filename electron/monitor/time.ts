/** Durations (`30s`, `5m`, `24h`, `7d`) and time specs (a duration back from now, or ISO 8601). */
import { MonitoringError } from "./errors.js";

const UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** `30s`, `5m`, `24h`, `7d`, or parts in order as Prometheus writes them: `1h30m`, `2m30s`. */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  if (!/^(\d+(?:\.\d+)?(ms|s|m|h|d|w))+$/.test(trimmed))
    throw MonitoringError.input(
      `"${text}" is not a duration; use a number and a unit, like 30s, 5m, 24h or 7d`,
    );
  let total = 0;
  for (const part of trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g))
    total += Number(part[1]) * (UNITS[part[2] ?? "s"] ?? 1000);
  return total;
}

/** Epoch ms for a time spec: `1h` means an hour ago; otherwise an ISO 8601 time. */
export function parseTimeSpec(text: string, now = Date.now()): number {
  if (/^(\d+(?:\.\d+)?(ms|s|m|h|d|w))+$/.test(text.trim())) return now - parseDuration(text);
  const t = Date.parse(text);
  if (Number.isNaN(t)) {
    throw MonitoringError.input(
      `"${text}" is not a time; use a duration back from now (1h, 7d) or ISO 8601 (2026-11-25T10:00:00Z)`,
    );
  }
  return t;
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
