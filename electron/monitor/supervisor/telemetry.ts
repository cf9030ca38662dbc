/**
 * Where the supervisor, the prober and the sampler send events and log lines: the `events` and `logs`
 * tables, through the engine's batch writer (masked and capped here, before anything is queued). Writes
 * to their own tables go through `WriteGuard`, which fails open: a broken database costs telemetry, never
 * a server.
 */

import type { EventCategory, EventSeverity } from "../../../shared/events.js";
import type { LogLevel } from "../../../shared/levels.js";
import { EventTracker, errorFingerprint } from "../events/tracker.js";
import { parseStderrLine } from "../logs/stderr-line.js";
import { capturePayload, captureText, DEFAULT_CAPTURE_LIMIT } from "../pipeline/capture.js";
import type { BatchWriter } from "../store/batch-writer.js";

export interface EventRecord {
  time: number;
  category: EventCategory;
  type: string;
  severity: EventSeverity;
  server: string | null;
  sessionId?: string | null;
  message: string;
  details?: Record<string, unknown> | null;
}

export interface LogRecord {
  time: number;
  level: LogLevel;
  server: string;
  sessionId: string | null;
  source: string;
  logger: string | null;
  message: string;
  fields: Record<string, unknown> | null;
}

export interface TelemetrySink {
  event(event: EventRecord): void;
  log(log: LogRecord): void;
}

/** A sink over the batch writer: masks and caps text before it is queued. */
export function writerSink(writer: BatchWriter, captureLimit = DEFAULT_CAPTURE_LIMIT): TelemetrySink {
  const tracker = new EventTracker(writer);
  return {
    event(e) {
      tracker.track({
        time: e.time,
        category: e.category,
        type: e.type,
        severity: e.severity,
        server: e.server,
        session: e.sessionId ?? null,
        message: e.message,
        details: e.details ?? null,
        fingerprint:
          e.category === "error"
            ? errorFingerprint({ type: e.type, server: e.server, message: e.message })
            : null,
      });
    },
    log(l) {
      writer.enqueue("logs", {
        time: l.time,
        level: l.level,
        server: l.server,
        session_id: l.sessionId,
        source: l.source,
        logger: l.logger === null ? null : captureText(l.logger, 256),
        message: captureText(l.message, captureLimit),
        fields: l.fields ? capturePayload(l.fields, captureLimit) : null,
        request_id: null,
      });
    },
  };
}

/** One line of a server's stderr as a log record (level from the line's own markers or JSON). */
export function stderrRecord(
  server: string,
  sessionId: string | null,
  line: string,
  time: number,
): LogRecord {
  const parsed = parseStderrLine(line);
  return { time, server, sessionId, source: "stderr", ...parsed };
}

/** Runs writes to mcpscope's own tables, failing open: errors are counted and reported once per kind. */
export class WriteGuard {
  failures = 0;
  private readonly reported = new Set<string>();

  constructor(private readonly onProblem?: (message: string) => void) {}

  run<T>(what: string, write: () => T): T | null {
    try {
      return write();
    } catch (error) {
      this.failures++;
      if (!this.reported.has(what)) {
        this.reported.add(what);
        this.onProblem?.(`cannot record ${what}: ${(error as Error).message}; monitoring goes on without it`);
      }
      return null;
    }
  }
}
