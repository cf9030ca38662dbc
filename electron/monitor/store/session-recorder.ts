/**
 * Turns one session's observations into stored rows: masks and caps payloads, queues rows on the batch
 * writer, and keeps the session's own row (facts, exit, drops) up to date inside each batch.
 */

import type { LogLevel } from "../../../shared/levels.js";
import type { ProxySessionEndReason } from "../../../shared/session-end.js";
import { EventTracker, errorFingerprint } from "../events/tracker.js";
import { LogRecorder } from "../logs/log-recorder.js";
import type { LogSettingsSource } from "../logs/log-settings.js";
import { parseStderrRecord } from "../logs/stderr-line.js";
import { correctStoredCall } from "../metrics/call-correction.js";
import { capText } from "../pipeline/cap-text.js";
import { capturePayload, captureText, DEFAULT_CAPTURE_LIMIT } from "../pipeline/capture.js";
import { LineMasker, maskString } from "../pipeline/mask.js";
import { ownStartTicks } from "../process-start.js";
import type {
  CallObservation,
  LogObservation,
  ObservationSink,
  ProtocolEventObservation,
  SessionFacts,
} from "../protocol/observations.js";
import { type SecretField, SecretFindings } from "../security/secret-findings.js";
import { notifyWatchers, type SessionWatcher } from "../session-watchers.js";
import type { BatchWriter } from "./batch-writer.js";
import type { Db } from "./db.js";
import { encodePayload } from "./payload-codec.js";
import { changesClient, writeClientChange } from "./session-clients.js";
import { taskColumns } from "./task-columns.js";

/** How a protocol event's stream is shown in its details. */
const STREAM_LABELS: Record<ProtocolEventObservation["stream"], string> = {
  in: "client→server",
  out: "server→client",
  err: "server stderr",
};

export interface SessionIdentity {
  sessionId: string;
  server: string;
  command: string;
  startedAt: number;
  pid: number | null;
  wrapperPid: number;
  /** The MCP client whose config entry launched it (`run --client`); null when started by hand. */
  client?: string | null;
  /** The id of the config entry that launched it (`run --entry`); null when not marked. */
  entry?: string | null;
}

export interface SessionEnd {
  endedAt: number;
  exitCode: number | null;
  signal: string | null;
  /** Why a session with no process of its own ended (an HTTP session through the proxy). */
  reason?: ProxySessionEndReason;
  /** The server exited before its client began to stop it (closed the server's input, or signalled). */
  exitedOnItsOwn?: boolean;
}

export class SessionRecorder implements ObservationSink {
  private facts: SessionFacts = {};
  private end: SessionEnd | null = null;
  private dirty = true;
  private inserted = false;
  /** Changes to the session's facts, and the change last written in a batch not yet known committed. */
  private version = 0;
  private writtenVersion = -1;
  private insertPending = false;
  /** The unrecorded count in the last session row written, and in the last one known committed. */
  private pendingDropped = -1;
  private committedDropped = -1;
  private readonly stderrMasker = new LineMasker();
  private readonly tracker: EventTracker;
  private readonly secrets: SecretFindings;
  private pid: number | null = null;
  /** Calls that happened but whose observation was lost (see `ObservationSink.unobserved`). */
  private unobservedCalls = 0;
  /** The wrapped command line, masked once. */
  private readonly command: string;
  /** Log records go through the one log write path (minimum level per server, mask, cap). */
  readonly logs: LogRecorder;

  constructor(
    private readonly writer: BatchWriter,
    private readonly identity: SessionIdentity,
    private readonly captureLimit = DEFAULT_CAPTURE_LIMIT,
    logSettings: LogSettingsSource | null = null,
    private readonly watchers: SessionWatcher[] = [],
  ) {
    this.logs = new LogRecorder(writer, logSettings, captureLimit);
    this.tracker = new EventTracker(writer);
    this.secrets = new SecretFindings(this.tracker, identity.server, identity.sessionId);
    const found = new Set<string>();
    this.command = captureText(identity.command, 4096, found);
    this.secrets.report("command", found, identity.startedAt);
  }

  /**
   * Every text field is masked here, once, before the row is queued and before any watcher sees the call
   * (watchers store targets, methods and ids in events and the audit log). Payloads stay parsed for the
   * watchers' own checks; they are masked as they are captured.
   */
  call(raw: CallObservation): void {
    const time = raw.startedAt + raw.durationMs;
    const mask = (field: SecretField, text: string, context?: { method: string; target: string | null }) =>
      this.maskField(field, text, time, context);
    const method = mask("method", raw.method);
    const target = raw.target === null ? null : mask("target", raw.target, { method, target: null });
    const context = { method, target };
    const call: CallObservation = {
      ...raw,
      method,
      target,
      requestId: mask("request_id", raw.requestId, context),
      errorMessage: raw.errorMessage === null ? null : mask("error", raw.errorMessage, context),
    };
    // A late answer's call was seen by the watchers as it ended (`timeout`, or the null-id error's outcome);
    // its event says what came. A
    // task's call is seen once, when its task ends.
    if (!call.replaces && endsHere(call)) notifyWatchers(this.watchers, "call", call, this.facts);
    const requestFound = new Set<string>();
    const responseFound = new Set<string>();
    // A stored call's later rows change its outcome and response, never its request.
    const request = call.taskUpdate
      ? null
      : capturePayload(call.request, this.captureLimit, requestFound, { bytes: call.bytesIn });
    const response = capturePayload(call.response, this.captureLimit, responseFound, {
      bytes: call.bytesOut,
    });
    const responseField =
      (call.response as { error?: unknown } | null)?.error === undefined ? "result" : "error";
    this.secrets.report(call.method === "tools/call" ? "arguments" : "request", requestFound, time, context);
    this.secrets.report(responseField, responseFound, time, context);
    const row = {
      session_id: this.identity.sessionId,
      server: this.identity.server,
      direction: call.direction,
      request_id: capText(call.requestId, 256),
      method: capText(call.method, 256),
      target: call.target === null ? null : capText(call.target, 1024),
      started_at: call.startedAt,
      duration_ms: call.durationMs,
      outcome: call.outcome,
      error_code: call.errorCode,
      error_message: call.errorMessage === null ? null : capText(call.errorMessage, 4096),
      bytes_in: call.bytesIn,
      bytes_out: call.bytesOut,
      progress_count: call.progressCount,
      rounds: call.rounds,
      http_status: call.httpStatus ?? null,
      request: encodePayload(request),
      response: encodePayload(response),
      ...taskColumns(call.task, (text) => mask("result", text, context)),
    };
    if (call.replaces || call.taskUpdate)
      this.writer.enqueueWrite((db) => correctStoredCall(db, row, call.replaces));
    else this.writer.enqueue("calls", row);
  }

  /** A short text field masked, its secrets reported. */
  private maskField(
    field: SecretField,
    text: string,
    time: number,
    context?: { method: string; target: string | null },
  ): string {
    // Four fields of every call: one scratch set, copied only when it found something.
    const found = this.scratch;
    found.clear();
    const masked = maskString(text, found);
    if (found.size) this.secrets.report(field, new Set(found), time, context);
    return masked;
  }

  private readonly scratch = new Set<string>();

  log(log: LogObservation): void {
    const found = new Set<string>();
    this.logs.record({ ...log, server: this.identity.server, session: this.identity.sessionId }, found);
    if (found.size) this.secrets.report(log.source === "stderr" ? "stderr" : "log", found, log.time);
  }

  /**
   * One record of the server's stderr (already forwarded unchanged): a line, or a line and its
   * continuation lines (a stack trace) as the stderr assembler put them together.
   */
  stderrLine(text: string, at: number, levelHint: LogLevel | null = null, omittedBytes = 0): void {
    if (text.trim() === "") return;
    const found = new Set<string>();
    const parsed = parseStderrRecord(this.stderrMasker.mask(text, found), levelHint);
    if (found.size) this.secrets.report("stderr", found, at);
    this.log({ time: at, source: "stderr", requestId: null, ...parsed, omittedBytes });
  }

  protocolEvent(event: ProtocolEventObservation): void {
    notifyWatchers(this.watchers, "protocolEvent", event);
    this.tracker.track({
      time: event.time,
      category: "error",
      type: `protocol.${event.type}`,
      severity: event.type === "batch" || event.type === "oversized_line" ? "info" : "low",
      server: this.identity.server,
      session: this.identity.sessionId,
      message: event.message,
      details: { stream: STREAM_LABELS[event.stream], bytes: event.bytes },
      // Protocol violations group like other errors (by type and server; the message carries no ids).
      fingerprint: errorFingerprint({ type: `protocol.${event.type}`, server: this.identity.server }),
    });
  }

  session(raw: SessionFacts, at: number): void {
    const mask = (field: SecretField, text: string | undefined) =>
      text === undefined ? undefined : this.maskField(field, text, at);
    const facts: SessionFacts = {
      ...raw,
      protocolVersion: mask("client_info", raw.protocolVersion),
      clientName: mask("client_info", raw.clientName),
      clientVersion: mask("client_info", raw.clientVersion),
      serverName: mask("server_info", raw.serverName),
      serverVersion: mask("server_info", raw.serverVersion),
    };
    const told = definedOnly(facts);
    const changed = changesClient(this.facts, told);
    if (changed) {
      // The identity in force until now stays with the calls made under it.
      const was = this.facts;
      this.writer.enqueueWrite((db) => writeClientChange(db, this.identity.sessionId, at, was));
    }
    this.facts = { ...this.facts, ...told };
    this.dirty = true;
    this.version++;
    this.writer.touch();
    notifyWatchers(this.watchers, "session", this.facts, at, changed);
  }

  unobserved(calls: number): void {
    this.unobservedCalls += calls;
    this.dirty = true;
    this.version++;
    this.writer.touch();
  }

  /**
   * Whether this session answers for its writer's drops. A wrapper's writer is its session's alone; the HTTP
   * proxy shares one writer among its sessions and counts its drops once, on one of them.
   */
  countsWriterDrops = true;

  private get writerDroppedCalls(): number {
    return this.countsWriterDrops ? this.writer.droppedCalls : 0;
  }

  /** Calls of this session not stored: never fully observed, or dropped on the way to the database. */
  get unrecordedCalls(): number {
    return this.unobservedCalls + this.writerDroppedCalls;
  }

  setPid(pid: number | null): void {
    this.pid = pid;
    this.dirty = true;
    this.version++;
    this.writer.touch();
  }

  ended(end: SessionEnd): void {
    this.end = end;
    this.dirty = true;
    this.version++;
    this.writer.touch();
    notifyWatchers(this.watchers, "ended", end, this.facts);
    const dropped = this.unrecordedCalls;
    if (dropped > 0 || (this.countsWriterDrops && this.writer.dropped > 0)) {
      // mcpscope's own loss, made visible (written if the database takes writes again by now).
      this.tracker.track({
        time: end.endedAt,
        category: "system",
        type: "telemetry.dropped",
        severity: "medium",
        server: this.identity.server,
        session: this.identity.sessionId,
        message: `${dropped} calls of this session were not recorded (${this.unobservedCalls} not observed in full, ${this.writerDroppedCalls} dropped by storage unavailable or too slow); traffic was unaffected`,
        details: {
          dropped,
          unobserved: this.unobservedCalls,
          droppedRows: this.writer.dropped,
          writeFailures: this.writer.writeFailures,
        },
      });
    }
  }

  /** The batch that ran `writeSessionRow` committed: only now is the row known to be stored. */
  committed(): void {
    if (this.insertPending) this.inserted = true;
    if (this.writtenVersion === this.version) this.dirty = false;
    this.committedDropped = this.pendingDropped;
  }

  /**
   * Runs inside the writer's transaction; a rollback leaves the row dirty, to be written again. Calls the
   * writer dropped since the last committed row make it dirty too: the first batch a database takes again
   * after refusing writes (full, locked) stores how many were lost meanwhile.
   */
  writeSessionRow(db: Db): void {
    const dropped = this.unrecordedCalls;
    if (!this.dirty && dropped === this.committedDropped) return;
    const id = this.identity;
    if (!this.inserted) {
      // The wrapper's start ticks, when the wrapper is this process: what tells the engine it still runs.
      const ticks = id.wrapperPid === process.pid ? ownStartTicks() : null;
      db.prepare(
        `INSERT OR IGNORE INTO sessions (id, server, started_at, command, pid, wrapper_pid, wrapper_start_ticks, client, entry)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        id.sessionId,
        id.server,
        id.startedAt,
        this.command,
        id.pid,
        id.wrapperPid,
        ticks,
        id.client ?? null,
        id.entry ?? null,
      );
      this.insertPending = true;
    }
    const f = this.facts;
    // The wrapper's word on its session is final: an engine that took it for gone and closed it as lost
    // is undone by the next write while the session runs, and the end it writes carries its own reason.
    db.prepare(
      `UPDATE sessions SET era = coalesce(?, era), protocol_version = coalesce(?, protocol_version),
         client_name = coalesce(?, client_name), client_version = coalesce(?, client_version),
         server_name = coalesce(?, server_name), server_version = coalesce(?, server_version),
         pid = coalesce(?, pid), ended_at = ?, end_reason = ?, exit_code = ?, exit_signal = ?, dropped = ?
       WHERE id = ?`,
    ).run(
      f.era ?? null,
      f.protocolVersion ?? null,
      f.clientName ?? null,
      f.clientVersion ?? null,
      f.serverName ?? null,
      f.serverVersion ?? null,
      this.pid,
      this.end?.endedAt ?? null,
      this.end ? (this.end.reason ?? "exit") : null,
      this.end?.exitCode ?? null,
      this.end?.signal ?? null,
      dropped,
      id.sessionId,
    );
    this.writtenVersion = this.version;
    this.pendingDropped = dropped;
  }
}

/** Whether this observation is the call's end: a task's call ends with its task, whatever came before. */
function endsHere(call: CallObservation): boolean {
  return call.task === undefined || call.taskUpdate === "end";
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
