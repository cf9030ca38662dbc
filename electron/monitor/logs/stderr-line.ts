/**
 * Turns one line of a server's stderr into a log record: JSON lines (pino, winston, bunyan, structlog)
 * keep their level, message and fields; plain lines get a level from common markers, else `info`.
 */
import { isLogLevel, type LogLevel } from "../../../shared/levels.js";

export interface ParsedLogLine {
  level: LogLevel;
  message: string;
  logger: string | null;
  fields: Record<string, unknown> | null;
}

/** pino and bunyan numeric levels. */
const NUMERIC: Array<[number, LogLevel]> = [
  [60, "critical"],
  [50, "error"],
  [40, "warning"],
  [30, "info"],
  [0, "debug"],
];

const NAMED: Record<string, LogLevel> = {
  trace: "debug",
  debug: "debug",
  verbose: "debug",
  silly: "debug",
  info: "info",
  information: "info",
  notice: "notice",
  warn: "warning",
  warning: "warning",
  error: "error",
  err: "error",
  exception: "error",
  fatal: "critical",
  critical: "critical",
  crit: "critical",
  alert: "alert",
  emerg: "emergency",
  emergency: "emergency",
};

export function levelFromValue(value: unknown): LogLevel | null {
  if (typeof value === "number") return NUMERIC.find(([min]) => value >= min)?.[1] ?? null;
  if (typeof value !== "string") return null;
  const lower = value.toLowerCase();
  return isLogLevel(lower) ? lower : (NAMED[lower] ?? null);
}

const PLAIN_MARKERS: Array<[RegExp, LogLevel]> = [
  [/\b(?:FATAL|CRITICAL|PANIC)\b/, "critical"],
  [
    /\b(?:ERROR|ERR)\b|\[error\]|^Traceback \(most recent call last\)|^\w*(?:Error|Exception)\b:|^\s+at .+\(.+:\d+:\d+\)$/i,
    "error",
  ],
  [/\b(?:WARN|WARNING)\b|\[warn(?:ing)?\]/i, "warning"],
  [/\bDEBUG\b|\[debug\]|\bTRACE\b/, "debug"],
  [/\bNOTICE\b/, "notice"],
];

export function parseStderrLine(line: string): ParsedLogLine {
  const trimmed = line.trim();
  if (trimmed.startsWith("{") && trimmed.endsWith("}")) {
    try {
      const value = JSON.parse(trimmed) as Record<string, unknown>;
      if (value && typeof value === "object" && !Array.isArray(value)) return fromJson(value, line);
    } catch {
      // Not JSON after all: a plain line.
    }
  }
  const level = PLAIN_MARKERS.find(([pattern]) => pattern.test(line))?.[1] ?? "info";
  return { level, message: line, logger: null, fields: null };
}

function fromJson(value: Record<string, unknown>, line: string): ParsedLogLine {
  const level =
    levelFromValue(value.level) ??
    levelFromValue(value.levelname) ??
    levelFromValue(value.severity) ??
    "info";
  const messageValue = value.msg ?? value.message ?? value.event;
  const logger = value.logger ?? value.name ?? value.logger_name;
  const fields: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (
      ![
        "level",
        "levelname",
        "severity",
        "msg",
        "message",
        "event",
        "logger",
        "name",
        "logger_name",
      ].includes(key)
    ) {
      fields[key] = item;
    }
  }
  return {
    level,
    message: typeof messageValue === "string" ? messageValue : line,
    logger: typeof logger === "string" ? logger : null,
    fields: Object.keys(fields).length ? fields : null,
  };
}
