/**
 * The one way mcpscope emits an event: `EventTracker.track()` masks and caps the message and details,
 * fills the correlation columns and, for error events, the fingerprint that groups them. Rows go
 * through the batch writer (fail-open: a full queue drops and counts, traffic never waits).
 */
import { createHash } from "node:crypto";
import type { EventCategory, EventSeverity } from "../../../shared/events.js";
import { capturePayload, captureText } from "../pipeline/capture.js";
import type { BatchWriter } from "../store/batch-writer.js";
import type { Db } from "../store/db.js";

export interface EventCorrelation {
  requestId?: string | null;
  traceId?: string | null;
  progressToken?: string | null;
  parentEvent?: number | null;
}

/** An event as a part of mcpscope emits it. */
export interface TrackedEvent {
  category: EventCategory;
  type: string;
  severity: EventSeverity;
  message: string;
  server?: string | null;
  session?: string | null;
  time?: number;
  details?: Record<string, unknown> | null;
  correlation?: EventCorrelation;
  /** Error events: what makes two errors "the same" (see `errorFingerprint`). */
  fingerprint?: string | null;
}

const MESSAGE_LIMIT = 4096;
const DETAILS_LIMIT = 16 * 1024;

/** Digits, hex runs and UUIDs become `<*>`, so "id 42 not found" and "id 7 not found" group together. */
export function normaliseMessage(message: string): string {
  return message
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, "<*>")
    .replace(/\b0x[0-9a-f]+\b/gi, "<*>")
    .replace(/\b(?=[0-9a-f]*\d)[0-9a-f]{8,}\b/gi, "<*>")
    .replace(/\d+/g, "<*>")
    .replace(/\s+/g, " ")
    .trim();
}

export interface FingerprintParts {
  type: string;
  server: string | null;
  method?: string | null;
  target?: string | null;
  errorCode?: number | null;
  message?: string | null;
}

/** sha1 of type, server, method, target, error code and the normalised message. */
export function errorFingerprint(parts: FingerprintParts): string {
  const key = [
    parts.type,
    parts.server ?? "",
    parts.method ?? "",
    parts.target ?? "",
    parts.errorCode === null || parts.errorCode === undefined ? "" : String(parts.errorCode),
    normaliseMessage(parts.message ?? ""),
  ].join("\u0000");
  return createHash("sha1").update(key).digest("hex");
}

export const EVENT_INSERT_SQL = `INSERT INTO events (time, category, type, severity, server, session_id, message, details,
  request_id, trace_id, progress_token, parent_event, fingerprint) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

/** Writes one event now, inside the caller's transaction; returns its id. */
export function insertEvent(db: Db, event: TrackedEvent): number {
  const c = event.correlation ?? {};
  const result = db
    .prepare(EVENT_INSERT_SQL)
    .run(
      event.time ?? Date.now(),
      event.category,
      event.type,
      event.severity,
      event.server ?? null,
      event.session ?? null,
      captureText(event.message, MESSAGE_LIMIT),
      event.details ? capturePayload(event.details, DETAILS_LIMIT) : null,
      c.requestId == null ? null : captureText(String(c.requestId), 256),
      c.traceId == null ? null : captureText(String(c.traceId), 256),
      c.progressToken == null ? null : captureText(String(c.progressToken), 256),
      c.parentEvent ?? null,
      event.fingerprint ?? null,
    );
  return Number(result.lastInsertRowid);
}

export class EventTracker {
  constructor(
    private readonly writer: BatchWriter,
    private readonly defaults: { server?: string | null; session?: string | null } = {},
  ) {}

  /** Queues the event; written with the next batch. */
  track(event: TrackedEvent): void {
    const full: TrackedEvent = {
      ...event,
      time: event.time ?? Date.now(),
      server: event.server === undefined ? (this.defaults.server ?? null) : event.server,
      session: event.session === undefined ? (this.defaults.session ?? null) : event.session,
    };
    this.writer.enqueueWrite((db) => {
      insertEvent(db, full);
    });
  }

  /** The same as `track`, under the specification's name. */
  trackEvent(event: TrackedEvent): void {
    this.track(event);
  }
}
