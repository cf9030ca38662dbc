/** RFC 5424 severities, as MCP names them, from least to most severe. */
export const LOG_LEVELS = [
  "debug",
  "info",
  "notice",
  "warning",
  "error",
  "critical",
  "alert",
  "emergency",
] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === "string" && (LOG_LEVELS as readonly string[]).includes(value);
}

/** 0 for debug … 7 for emergency: comparable, for "this level and above". */
export function levelRank(level: LogLevel): number {
  return LOG_LEVELS.indexOf(level);
}
