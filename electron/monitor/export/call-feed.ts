/**
 * New calls for the live exporters (`/metrics`, OTLP), read by id from where the engine started. Each
 * exporter sees every call stored after that exactly once, whichever engine folds rollups.
 */
import type { Direction } from "../../../shared/domain.js";
import type { Db, Row } from "../store/db.js";
import { decodePayload } from "../store/payload-codec.js";
import { CALL_CLIENT_COLUMNS, CALL_CLIENT_JOIN } from "../store/session-clients.js";

export interface FeedCall {
  id: number;
  server: string;
  direction: Direction;
  sessionId: string;
  requestId: string;
  method: string;
  target: string | null;
  /** Epoch ms. */
  startedAt: number;
  durationMs: number;
  outcome: string;
  errorCode: number | null;
  errorMessage: string | null;
  protocolVersion: string | null;
  /** W3C trace context from the request's `params._meta`, when the feed reads it. */
  traceparent: string | null;
  tracestate: string | null;
}

const PAGE = 1000;

export class CallFeed {
  private cursor: number;
  private readonly listeners = new Set<(calls: FeedCall[]) => void>();
  private withTraceContext = false;

  constructor(private readonly db: Db) {
    this.cursor = Number(db.prepare("SELECT max(id) AS id FROM calls").get()?.id ?? 0);
  }

  /** Goes on from the newest call stored now (after a restore, whose ids start lower). */
  rewind(): void {
    this.cursor = Number(this.db.prepare("SELECT max(id) AS id FROM calls").get()?.id ?? 0);
  }

  /** Also read `traceparent`/`tracestate` from each request's `_meta` (the OTLP exporter needs them). */
  readTraceContext(): void {
    this.withTraceContext = true;
  }

  subscribe(listener: (calls: FeedCall[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Delivers calls stored since the last pull, at most `max` of them; returns how many. */
  pull(max = 20_000): number {
    let delivered = 0;
    while (delivered < max) {
      const rows = this.db.prepare(this.sql()).all(this.cursor, Math.min(PAGE, max - delivered));
      if (rows.length === 0) break;
      const calls = rows.map(toFeedCall);
      this.cursor = calls[calls.length - 1]?.id ?? this.cursor;
      delivered += calls.length;
      for (const listener of this.listeners) listener(calls);
      if (rows.length < PAGE) break;
    }
    return delivered;
  }

  private sql(): string {
    const meta = (key: string) =>
      this.withTraceContext
        ? `CASE WHEN typeof(c.request) = 'text' AND json_valid(c.request) THEN json_extract(c.request, '$.params._meta.${key}') END`
        : "NULL";
    // Compressed request text (a BLOB) is read in JS; plain text is looked into by SQLite.
    const packed = this.withTraceContext ? "CASE WHEN typeof(c.request) = 'blob' THEN c.request END" : "NULL";
    return `SELECT c.id, c.server, c.direction, c.session_id, c.request_id, c.method, c.target, c.started_at,
              c.duration_ms, c.outcome, c.error_code, c.error_message, ${CALL_CLIENT_COLUMNS},
              ${meta("traceparent")} AS traceparent, ${meta("tracestate")} AS tracestate, ${packed} AS packed
            FROM calls c LEFT JOIN sessions s ON s.id = c.session_id ${CALL_CLIENT_JOIN}
            WHERE c.id > ? ORDER BY c.id LIMIT ?`;
  }
}

const text = (v: Row[string] | undefined): string | null =>
  v === null || v === undefined ? null : String(v);

/** traceparent and tracestate from the `_meta` of a compressed request. */
function packedMeta(value: Row[string]): { traceparent?: unknown; tracestate?: unknown } {
  try {
    const request = JSON.parse(decodePayload(value) ?? "null") as { params?: { _meta?: unknown } } | null;
    const meta = request?.params?._meta;
    return meta && typeof meta === "object" ? meta : {};
  } catch {
    return {};
  }
}

function toFeedCall(row: Row): FeedCall {
  const meta = row.packed instanceof Uint8Array ? packedMeta(row.packed) : row;
  return {
    id: Number(row.id),
    server: String(row.server),
    direction: row.direction === "s2c" ? "s2c" : "c2s",
    sessionId: String(row.session_id),
    requestId: String(row.request_id),
    method: String(row.method),
    target: text(row.target),
    startedAt: Number(row.started_at),
    durationMs: Number(row.duration_ms),
    outcome: String(row.outcome),
    errorCode: row.error_code === null ? null : Number(row.error_code),
    errorMessage: text(row.error_message),
    protocolVersion: text(row.protocol_version),
    traceparent: typeof meta.traceparent === "string" ? meta.traceparent : null,
    tracestate: typeof meta.tracestate === "string" ? meta.tracestate : null,
  };
}
