/**
 * Turns one record of a server's stderr (a line, or a line and its continuation lines) into a log record:
 * JSON lines (pino, winston, bunyan, Python `logging` JSON formatters, structlog, zap, logrus) keep their
 * level, message, logger and fields; plain lines get a level from the earliest common marker, else `info`.
 */
import { isLogLevel, type LogLevel, levelRank } from "../../../shared/levels.js";

export interface ParsedLogLine {
  level: LogLevel;
  message: string;
  logger: string | null;
  fields: Record<string, unknown> | null;
}

/** pino and bunyan numeric levels: 10 trace, 20 debug, 30 info, 40 warn, 50 error, 60 fatal. */
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
  fine: "debug",
  info: "info",
  information: "info",
  notice: "notice",
  warn: "warning",
  warning: "warning",
  error: "error",
  err: "error",
  exception: "error",
  severe: "error",
  fatal: "critical",
  critical: "critical",
  crit: "critical",
  panic: "critical",
  dpanic: "critical",
  alert: "alert",
  emerg: "emergency",
  emergency: "emergency",
};

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escape sequences are what it removes.
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)/g;

export function stripAnsi(text: string): string {
  return text.includes("\u001b") ? text.replace(ANSI, "") : text;
}

export function levelFromValue(value: unknown): LogLevel | null {
  if (typeof value === "number") return NUMERIC.find(([min]) => value >= min)?.[1] ?? null;
  if (typeof value !== "string") return null;
  const lower = stripAnsi(value).trim().toLowerCase();
  if (/^\d+$/.test(lower)) return levelFromValue(Number(lower));
  return isLogLevel(lower) ? lower : (NAMED[lower] ?? null);
}

/** glog's and klog's header (Go, Kubernetes): `E1207 10:11:12.123456   12345 file.go:42] `, after its letter. */
const GLOG = String.raw`\d{4} \d{2}:\d{2}:\d{2}\.\d+(?:\s+\d+)? [^\s\]]+:\d+\] `;

/**
 * Level markers in plain lines. The earliest marker in the line wins (ties: the more severe), so
 * `[warn] request failed: ERROR 500` is a warning. Lower-case words count only where a level is written
 * (`[error]`, `error:` at the start, `level=error`); upper-case words count anywhere.
 */
const PLAIN_MARKERS: Array<[RegExp, LogLevel]> = [
  // The header's first letter is the severity (Info, Warning, Error, Fatal), whatever the message says.
  [new RegExp(`^I${GLOG}`), "info"],
  [new RegExp(`^W${GLOG}`), "warning"],
  [new RegExp(`^E${GLOG}`), "error"],
  [new RegExp(`^F${GLOG}`), "critical"],
  [/\b(?:EMERG(?:ENCY)?)\b/, "emergency"],
  [/\bALERT\b/, "alert"],
  [/\b(?:FATAL|CRITICAL|CRIT|PANIC)\b|^panic: /, "critical"],
  [
    /\b(?:ERROR|ERR|SEVERE)\b|^Traceback \(most recent call last\):|\b(?:[A-Z]\w*)?(?:Error|Exception)\b(?::|$)/,
    "error",
  ],
  [/^Exception in thread |^\s+at \S.*:\d+(?::\d+)?\)?$|^Uncaught\b/, "error"],
  [/\b(?:WARN|WARNING)\b/, "warning"],
  [/\bNOTICE\b/, "notice"],
  [/\b(?:DEBUG|TRACE)\b/, "debug"],
  [/\bINFO\b/, "info"],
  // Lower or mixed case, only where a level is written as such.
  [
    /\[(emerg|emergency|alert|crit|critical|fatal|error|err|warn|warning|notice|info|debug|trace)\]|\blevel=(\w+)|^(emerg|alert|crit|critical|fatal|error|warn|warning|notice|info|debug|trace)(?:\s*:|\s+\|)/i,
    "info",
  ],
];

export function levelOfPlainLine(line: string): LogLevel {
  let best: { index: number; level: LogLevel } | null = null;
  for (const [pattern, fixed] of PLAIN_MARKERS) {
    const match = pattern.exec(line);
    if (!match) continue;
    const named = match.slice(1).find((g) => g !== undefined);
    const level = named ? (levelFromValue(named) ?? fixed) : fixed;
    if (
      !best ||
      match.index < best.index ||
      (match.index === best.index && levelRank(level) > levelRank(best.level))
    )
      best = { index: match.index, level };
  }
  return best?.level ?? "info";
}

const LEVEL_KEYS = ["level", "levelname", "severity", "lvl", "log.level", "loglevel"];
const MESSAGE_KEYS = ["msg", "message", "event"];
const LOGGER_KEYS = ["logger", "name", "logger_name", "loggerName"];
const OWN_KEYS = new Set([...LEVEL_KEYS, ...MESSAGE_KEYS, ...LOGGER_KEYS]);

/** One line: JSON if it is a JSON object, else plain. */
export function parseStderrLine(line: string): ParsedLogLine {
  const clean = stripAnsi(line);
  const trimmed = clean.trim();
  if (trimmed.startsWith("{") && trimmed.endsWith("}")) {
    try {
      const value = JSON.parse(trimmed) as unknown;
      if (value && typeof value === "object" && !Array.isArray(value))
        return fromJson(value as Record<string, unknown>, clean);
    } catch {
      // Not JSON after all: a plain line.
    }
  }
  return { level: levelOfPlainLine(clean), message: clean, logger: null, fields: null };
}

/**
 * A record the assembler put together: the first line decides level, logger and fields; continuation
 * lines (a stack trace) are appended to the message. `levelHint` overrides the first line's level.
 */
export function parseStderrRecord(text: string, levelHint: LogLevel | null = null): ParsedLogLine {
  const nl = text.indexOf("\n");
  const first = parseStderrLine(nl === -1 ? text : text.slice(0, nl));
  const parsed =
    nl === -1 ? first : { ...first, message: `${first.message}\n${stripAnsi(text.slice(nl + 1))}` };
  return levelHint ? { ...parsed, level: levelHint } : parsed;
}

function fromJson(value: Record<string, unknown>, line: string): ParsedLogLine {
  let level: LogLevel | null = null;
  for (const key of LEVEL_KEYS) {
    level = levelFromValue(value[key]);
    if (level) break;
  }
  const messageKey = MESSAGE_KEYS.find((k) => typeof value[k] === "string");
  const loggerKey = LOGGER_KEYS.find((k) => typeof value[k] === "string");
  const fields: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (!OWN_KEYS.has(key) || (key !== messageKey && key !== loggerKey && !LEVEL_KEYS.includes(key)))
      fields[key] = item;
  }
  return {
    level: level ?? "info",
    message: messageKey ? stripAnsi(value[messageKey] as string) : line.trim(),
    logger: loggerKey ? (value[loggerKey] as string) : null,
    fields: Object.keys(fields).length ? fields : null,
  };
}
