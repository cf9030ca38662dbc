/**
 * Durations and thresholds as people write them in rules and flags, read the same way by the engine and
 * the renderer: `30s`, `5m`, `2m30s` (parts in order, as Prometheus writes them); thresholds as a number,
 * `20%` (0.2), a duration (ms) or a size (`512MiB`, bytes).
 */
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

/** Milliseconds, or null when `text` is not a duration. */
export function durationMs(text: string): number | null {
  const t = text.trim();
  if (!DURATION_PATTERN.test(t)) return null;
  let total = 0;
  for (const part of t.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g))
    total += Number(part[1]) * (DURATION_UNITS[part[2] ?? "s"] ?? 1000);
  return total;
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
