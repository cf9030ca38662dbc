/**
 * Sizes as settings.json gives them (`storage.maxSize`, `logs.retention.maxBytes`, `logs.files.maxBytes`):
 * a whole number of bytes, or a number and a unit (`512KB`, `200MB`, `1GB`, counted in 1024s). No zod
 * here: the wrapper's observer thread reads the logs settings and must not load the schema library.
 */
const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

const SIZE_PATTERN = /^(\d+(?:\.\d+)?)\s*([kmg]?b)$/i;

/** Bytes, or NaN when `value` is not a size. */
export function parseByteSize(value: number | string): number {
  if (typeof value === "number") return value;
  const match = SIZE_PATTERN.exec(value.trim());
  return match
    ? Math.round(Number(match[1]) * (SIZE_UNITS[(match[2] ?? "b").toLowerCase()] ?? 1))
    : Number.NaN;
}

/**
 * Why `value` is not a size to keep or cap something at (one line), or null when it is one: a cap of
 * nothing would delete everything, so it must come to at least one byte.
 */
export function positiveSizeProblem(value: unknown): string | null {
  const text = JSON.stringify(value) ?? String(value);
  // A value read from a file may be any length: echo enough to recognise it.
  const shown = text.length <= 40 ? text : `${text.slice(0, 39)}…`;
  if (typeof value === "number" && !(Number.isInteger(value) && value >= 0))
    return `${shown} is not a size; use a whole number of bytes, or one like 512KB, 200MB or 1GB`;
  const bytes = typeof value === "number" || typeof value === "string" ? parseByteSize(value) : Number.NaN;
  if (Number.isNaN(bytes)) return `${shown} is not a size; use bytes, or one like 512KB, 200MB or 1GB`;
  if (!Number.isSafeInteger(bytes)) return `${shown} is too large a size; use one like 512KB, 200MB or 1GB`;
  if (bytes < 1) return `${shown} is no size at all; give at least 1 byte, like 512KB or 200MB`;
  return null;
}
