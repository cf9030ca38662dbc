/**
 * New calls for the live exporters (`/metrics`, OTLP), read by id from where the engine started. Each
 * exporter sees every call stored after that exactly once, whichever engine folds rollups. A call stored
 * while its task runs (MCP tasks) has no outcome yet: it is held back and delivered once its task ended,
 * whoever ends it (its wrapper, or this engine closing the session of a wrapper that died); so are those
 * stored, still running, before the engine started, which no exporter has delivered yet.
 */
import type { Direction } from "../../../shared/domain.js";
import type { Db, Row } from "../store/db.js";
import { decodePayload } from "../store/payload-codec.js";
import { CALL_CLIENT_COLUMNS, CALL_CLIENT_JOIN } from "../store/session-clients.js";
import { ENDED_WHERE, RUNNING_WHERE, rowEnded } from "../store/task-columns.js";

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
/** Calls held back while their task runs; past this the oldest are let go (never delivered). */
const HELD = 10_000;

export class CallFeed {
  private cursor: number;
  private readonly listeners = new Set<(calls: FeedCall[]) => void>();
  private withTraceContext = false;
  /** Ids of calls whose task still ran when read: past the cursor, or at the start (see `rewind`). */
  private readonly held = new Set<number>();

  constructor(private readonly db: Db) {
    this.cursor = 0;
    this.rewind();
  }

  /** Goes on from the newest call stored now (after a restore, whose ids start lower). */
  rewind(): void {
    this.cursor = Number(this.db.prepare("SELECT max(id) AS id FROM calls").get()?.id ?? 0);
    this.held.clear();
    // Ended later (its wrapper, or the engine ending a lost session's tasks): delivered then, as any held
    // call. The newest are kept when there are more (the oldest are let go first).
    const running = this.db
      .prepare(`SELECT id FROM calls WHERE ${RUNNING_WHERE} ORDER BY started_at DESC LIMIT ?`)
      .all(HELD);
    for (const row of running.reverse()) this.held.add(Number(row.id));
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
    let delivered = this.pullEnded();
    while (delivered < max) {
      const rows = this.db
        .prepare(this.sql("c.id > ? ORDER BY c.id LIMIT ?"))
        .all(this.cursor, Math.min(PAGE, max - delivered));
      if (rows.length === 0) break;
      this.cursor = Number(rows[rows.length - 1]?.id ?? this.cursor);
      const calls = rows.filter((row) => this.ended(row)).map(toFeedCall);
      delivered += calls.length;
      if (calls.length > 0) for (const listener of this.listeners) listener(calls);
      if (rows.length < PAGE) break;
    }
    return delivered;
  }

  /** Whether a call read past the cursor is delivered now; one whose task runs is held instead. */
  private ended(row: Row): boolean {
    if (rowEnded(row)) return true;
    if (this.held.size >= HELD) {
      const oldest = this.held.values().next().value;
      if (oldest !== undefined) this.held.delete(oldest);
    }
    this.held.add(Number(row.id));
    return false;
  }

  /** Delivers the held calls whose task ended since. */
  private pullEnded(): number {
    if (this.held.size === 0) return 0;
    const ids = [...this.held];
    const rows = this.db
      .prepare(this.sql(`c.id IN (${ids.map(() => "?").join(", ")}) AND ${ENDED_WHERE}`))
      .all(...ids);
    // A held call pruned meanwhile is let go with those delivered: its row is gone.
    const stored = new Set(
      this.db
        .prepare(`SELECT id FROM calls WHERE id IN (${ids.map(() => "?").join(", ")})`)
        .all(...ids)
        .map((row) => Number(row.id)),
    );
    for (const id of ids) if (!stored.has(id)) this.held.delete(id);
    for (const row of rows) this.held.delete(Number(row.id));
    const calls = rows.map(toFeedCall);
    if (calls.length > 0) for (const listener of this.listeners) listener(calls);
    return calls.length;
  }

  private sql(where: string): string {
    const meta = (key: string) =>
      this.withTraceContext
        ? `CASE WHEN typeof(c.request) = 'text' AND json_valid(c.request) THEN json_extract(c.request, '$.params._meta.${key}') END`
        : "NULL";
    // Compressed request text (a BLOB) is read in JS; plain text is looked into by SQLite.
    const packed = this.withTraceContext ? "CASE WHEN typeof(c.request) = 'blob' THEN c.request END" : "NULL";
    return `SELECT c.id, c.server, c.direction, c.session_id, c.request_id, c.method, c.target, c.started_at,
              c.duration_ms, c.outcome, c.error_code, c.error_message, ${CALL_CLIENT_COLUMNS},
              c.task_state, ${meta("traceparent")} AS traceparent, ${meta("tracestate")} AS tracestate,
              ${packed} AS packed
            FROM calls c LEFT JOIN sessions s ON s.id = c.session_id ${CALL_CLIENT_JOIN}
            WHERE ${where}`;
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
