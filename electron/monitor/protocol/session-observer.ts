/**
 * Follows one stdio session from copies of its lines: pairs each request with its response per
 * direction, gives every request exactly one outcome, and reports session facts, log notifications and
 * protocol anomalies. It sees copies only; nothing here can affect what was forwarded.
 */

import type { Direction, Outcome } from "../../../shared/domain.js";
import { isLogLevel } from "../../../shared/levels.js";
import { plural } from "../../../shared/plural.js";
import { DEFAULT_CAPTURE_LIMIT, keptBytes } from "../pipeline/capture.js";
import { QUOTED_BYTES, quotedLine } from "../pipeline/quoted-line.js";
import { AnomalyLimiter } from "./anomaly-limiter.js";
import { EARLY_ANSWER_MS, EarlyAnswers } from "./early-answers.js";
import { readElidedMessage, readElidedResponse } from "./elided-response.js";
import { idKey, isObject, type JsonRpcId, type JsonRpcMessage, parseLine } from "./jsonrpc.js";
import { readLargeResponse } from "./large-response.js";
import {
  cancelledOutcome,
  judgeResponse,
  LONG_LIVED_METHODS,
  progressTokenOf,
  requestFacts,
  serverFacts,
  targetOf,
  WHOLE_RESULT_METHODS,
} from "./mcp.js";
import { type ObservationSink, OversizedPayload, type ProtocolEventType } from "./observations.js";
import { WholeResultHolds, type WholeResultMarks } from "./whole-result-holds.js";

/** `in`: bytes from the client to the server (the wrapper's stdin); `out`: from the server to the client. */
export type Stream = "in" | "out";

interface Pending {
  direction: Direction;
  requestId: string;
  method: string;
  target: string | null;
  startedAt: number;
  bytesIn: number;
  request: unknown;
  progressToken: string | null;
  progressCount: number;
  /** When its last progress notification came: a request that reports progress is not timed out. */
  lastProgressAt?: number;
  rounds: number;
  /** Copies of the answer's stream were lost while this was pending: its answer may never be seen. */
  uncertain?: boolean;
  /** Holds one of its line's whole-result marks (whole-result-holds.ts) until it ends. */
  holdsMark?: boolean;
}

export interface SessionObserverOptions {
  /** A request still pending after this long ends as `timeout` (default 60 s). */
  timeoutMs?: number;
  /** Upper bound on tracked pending requests; beyond it the oldest is let go and counted as unobserved. */
  maxPending?: number;
  /** What the sink keeps of a payload (bytes): a longer response is read in place, not parsed whole. */
  captureLimit?: number;
  /** Marks counted for requests whose answers are read whole (WHOLE_RESULT_METHODS). */
  wholeResult?: WholeResultMarks;
  /** The framing limit: a cut line longer than this is still read, and recorded as `oversized_line`. */
  maxLineBytes?: number;
  /**
   * Requests and answers travel on different connections (HTTP), so an answer may be read before its
   * request: it is held briefly for it (early-answers.ts) instead of being taken for an unknown request's.
   */
  answersMayLead?: boolean;
}

const REQUEST_DIRECTION: Record<Stream, Direction> = { in: "c2s", out: "s2c" };

export class SessionObserver {
  /** Pending requests by the stream they were sent on, then by id. */
  private readonly pending: Record<Stream, Map<string, Pending>> = { in: new Map(), out: new Map() };
  private readonly timedOut: Record<Stream, Set<string>> = { in: new Set(), out: new Set() };
  private readonly cancelled: Record<Stream, Set<string>> = { in: new Set(), out: new Set() };
  /** Ids reused while pending, and how many answers to them are still expected (see `reusedId`). */
  private readonly reused: Record<Stream, Map<string, number>> = { in: new Map(), out: new Map() };
  /** `input_required` rounds waiting for the retry that carries their state. */
  private readonly openRounds = new Map<string, { rounds: number; firstStartedAt: number }>();
  private readonly timeoutMs: number;
  private readonly maxPending: number;
  private readonly captureLimit: number;
  private readonly holds: WholeResultHolds;
  private readonly maxLineBytes: number;
  /** What a long response keeps (its capture limit, or a shorter one while the observer is behind). */
  private keep: number;
  /** Per stream: answers still expected to requests whose lines were lost (silent, already counted). */
  private readonly orphansExpected: Record<Stream, number> = { in: 0, out: 0 };
  /** Answers read before their requests, when they may be (`answersMayLead`). */
  private readonly early: EarlyAnswers | null;
  /** A held answer is being read again: it is not held twice. */
  private rereading = false;
  /** Calls whose observation was lost, counted for the sink. */
  unobservedCalls = 0;
  /** When the client last answered (or cancelled) a request of the server's (see `tick`). */
  private clientAnsweredAt = Number.NEGATIVE_INFINITY;
  /** A flood of one anomaly (a server printing to stdout in a loop) is summarised, not stored line by line. */
  private readonly anomalies = new AnomalyLimiter((event) => this.sink.protocolEvent(event));

  constructor(
    private readonly sink: ObservationSink,
    options: SessionObserverOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.maxPending = options.maxPending ?? 10_000;
    this.captureLimit = options.captureLimit ?? DEFAULT_CAPTURE_LIMIT;
    this.keep = this.captureLimit;
    this.holds = new WholeResultHolds(options.wholeResult);
    this.maxLineBytes = options.maxLineBytes ?? Number.POSITIVE_INFINITY;
    this.early = options.answersMayLead ? new EarlyAnswers() : null;
  }

  /**
   * While the observer is behind the traffic: responses longer than `bytes` (plus the masking margin) are
   * read in place and keep `bytes`, so that every call is still stored; null goes back to the full limit.
   */
  shortenCaptures(bytes: number | null): void {
    this.keep = Math.min(bytes ?? this.captureLimit, this.captureLimit);
  }

  /** One framed line from a stream, read at `at` (epoch ms). */
  line(stream: Stream, bytes: Buffer, at: number): void {
    if (this.early?.size) this.early.expire(at, EARLY_ANSWER_MS);
    if (stream === "in") this.holds.line(bytes, () => this.read(stream, bytes, at));
    else this.read(stream, bytes, at);
  }

  /**
   * A response with a null id that the transport knows answers request `id` (the one request an HTTP
   * exchange carried): it is that request's answer, not a response to no request.
   */
  answer(stream: Stream, id: JsonRpcId, bytes: Buffer, at: number): void {
    const parsed = parseLine(bytes);
    if (parsed.kind === "message" && parsed.message.kind === "response" && parsed.message.id === null)
      this.response(stream, { ...parsed.message, id }, parsed.value, bytes.length, at);
    else this.line(stream, bytes, at);
  }

  private read(stream: Stream, bytes: Buffer, at: number): void {
    if (bytes.length > keptBytes(this.keep) && this.largeResponse(stream, bytes, at)) return;
    const parsed = parseLine(bytes);
    if ((parsed.kind === "message" || parsed.kind === "batch") && parsed.lossy)
      this.anomaly(
        stream,
        "invalid_utf8",
        "line is not valid UTF-8 (read with U+FFFD for each bad byte)",
        bytes.length,
        at,
      );
    switch (parsed.kind) {
      case "blank":
        return;
      case "invalid":
        this.anomaly(stream, parsed.reason, withQuote(parsed.reason, parsed.detail, bytes), bytes.length, at);
        return;
      case "batch":
        this.anomaly(
          stream,
          "batch",
          `a JSON-RPC batch of ${plural(parsed.items.length, "message")}`,
          bytes.length,
          at,
        );
        for (const item of parsed.items) {
          if (item.kind === "message") this.message(stream, item.message, item.value, 0, at);
        }
        return;
      case "message":
        this.message(stream, parsed.message, parsed.value, bytes.length, at);
    }
  }

  /**
   * A response longer than what is kept of it, read in place (large-response.ts) unless its request's
   * whole result is wanted: false when it must be parsed whole.
   */
  private largeResponse(stream: Stream, bytes: Buffer, at: number): boolean {
    const large = readLargeResponse(bytes);
    if (!large) return false;
    const { message } = large;
    const requestStream: Stream = stream === "in" ? "out" : "in";
    const entry = message.id === null ? undefined : this.pending[requestStream].get(idKey(message.id));
    if (entry && WHOLE_RESULT_METHODS.has(entry.method)) return false;
    // Held as its bytes: once its request is known, what is kept of it depends on that request.
    if (
      !entry &&
      message.id !== null &&
      this.heldEarly(stream, idKey(message.id), at, bytes.length, () => this.read(stream, bytes, at))
    )
      return true;
    this.response(stream, message, entry ? large.kept(this.keep) : null, bytes.length, at);
    return true;
  }

  /**
   * A line whose middle was left out: by the copy, or by the line splitter because it passed the framing
   * limit. A response is read from its two ends; one whose outcome they do not tell ends unobserved. A
   * request or notification is what its head holds, its params cut.
   */
  elided(stream: Stream, head: Buffer, tail: Buffer, totalBytes: number, hidden: boolean, at: number): void {
    this.readCut(stream, head, tail, totalBytes, hidden, totalBytes > this.maxLineBytes, at);
  }

  /**
   * A line too long to parse, known only by its edges (an HTTP body too large to buffer has none): read as a
   * cut line whose middle may hold anything, so an outcome its edges do not tell is never assumed.
   */
  oversized(stream: Stream, head: Buffer, tail: Buffer, totalBytes: number, at: number): void {
    this.readCut(stream, head, tail, totalBytes, true, true, at);
  }

  private readCut(
    stream: Stream,
    head: Buffer,
    tail: Buffer,
    totalBytes: number,
    hidden: boolean,
    oversized: boolean,
    at: number,
  ): void {
    const read = readElidedResponse(head, tail, totalBytes, hidden);
    const cut = read ? null : readElidedMessage(head, totalBytes, this.keep);
    if (!read && !cut) {
      this.anomaly(stream, "oversized_line", `a ${totalBytes}-byte line, too long to parse`, totalBytes, at);
      return;
    }
    if (oversized) {
      const detail = `a ${totalBytes}-byte line, past the framing limit: read from its ends`;
      this.anomaly(stream, "oversized_line", detail, totalBytes, at);
    }
    if (!read) {
      if (cut) this.message(stream, cut.message, cut.value, totalBytes, at);
      return;
    }
    const requestStream: Stream = stream === "in" ? "out" : "in";
    if (read.kind === "unknown") {
      if (read.id === null) this.gap(stream, 0);
      else this.forget(requestStream, [read.id]);
      return;
    }
    const id = read.message.id;
    const entry = id === null ? undefined : this.pending[requestStream].get(idKey(id));
    // A whole answer wanted but cut (its request went unnoticed by the copy): not read as a partial list.
    const whole = entry && WHOLE_RESULT_METHODS.has(entry.method);
    const value = !entry ? null : whole ? new OversizedPayload(totalBytes) : read.kept(this.keep);
    this.response(stream, read.message, value, totalBytes, at);
  }

  /**
   * Gives `timeout` to requests pending longer than the limit since they were sent or last reported
   * progress (as clients that reset their own timeout on progress see them).
   */
  tick(now: number): void {
    // Measured against the wall clock, which runs ahead of the copies' times when the observer is behind.
    this.early?.expire(now, Math.max(EARLY_ANSWER_MS, this.timeoutMs));
    this.anomalies.flush(now);
    // Requests the server sent the client (elicitation, sampling, roots) wait on the client, often on a
    // human: the limit is for servers that do not answer, so they are never timed out here. While one is
    // pending, the client's requests wait on the client too (a tool that asked the user): their clocks
    // stand still, and run again from the client's answer.
    // One whose answer may have been lost in a gap holds nothing.
    const waitingOnClient = [...this.pending.out.values()].some(
      (p) => !p.uncertain && !LONG_LIVED_METHODS.has(p.method),
    );
    for (const [key, entry] of this.pending.in) {
      const alive = Math.max(entry.lastProgressAt ?? entry.startedAt, this.clientAnsweredAt);
      if (waitingOnClient || now - alive < this.timeoutMs || LONG_LIVED_METHODS.has(entry.method)) continue;
      this.pending.in.delete(key);
      this.rememberTimedOut("in", key);
      this.end(entry, "timeout", now);
    }
  }

  /** The transport closed: whatever is still pending ends as `disconnected`. */
  close(at: number): void {
    this.early?.drain();
    this.anomalies.flush(at, true);
    for (const stream of ["in", "out"] as const) {
      for (const entry of this.pending[stream].values()) {
        // A subscription stream ends with its session; that is its normal end, not a failure.
        this.end(entry, LONG_LIVED_METHODS.has(entry.method) ? "ok" : "disconnected", at);
      }
      this.pending[stream].clear();
    }
  }

  /**
   * The channel that would have carried these requests' answers is gone (an HTTP stream the client
   * dropped, or the upstream broke): each one still pending ends with `outcome`.
   */
  abandon(
    stream: Stream,
    ids: readonly JsonRpcId[],
    outcome: Outcome,
    at: number,
    message: string | null,
  ): void {
    for (const id of ids) {
      const key = idKey(id);
      const entry = this.pending[stream].get(key);
      if (!entry) continue;
      this.pending[stream].delete(key);
      if (outcome === "cancelled") this.rememberCancelled(stream, key);
      // A subscription stream that ends is its normal end, as at the end of a session.
      if (LONG_LIVED_METHODS.has(entry.method)) this.finish(entry, "ok", at, 0, null);
      else this.finish(entry, outcome, at, 0, null, null, message);
    }
  }

  /**
   * Copies of `stream` were lost: `lostLines` whole lines of it went unseen. A lost client line is a call
   * never observed (its answer, if seen, is expected and silent). Requests pending on the other stream
   * may have lost their answer: if none comes, they end unobserved rather than with a made-up outcome.
   */
  gap(stream: Stream, lostLines: number): void {
    if (lostLines > 0) {
      if (stream === "in") this.countUnobserved(lostLines);
      const answers: Stream = stream === "in" ? "out" : "in";
      this.orphansExpected[answers] = Math.min(this.orphansExpected[answers] + lostLines, 1_000_000);
    }
    const waiting: Stream = stream === "in" ? "out" : "in";
    for (const entry of this.pending[waiting].values()) entry.uncertain = true;
  }

  /**
   * These requests' exchange was not observed in full (its copies were dropped): they end unobserved, not
   * with an outcome guessed from what is missing.
   */
  forget(stream: Stream, ids: readonly JsonRpcId[]): void {
    for (const id of ids) {
      const key = idKey(id);
      const entry = this.pending[stream].get(key);
      if (!entry) continue;
      this.pending[stream].delete(key);
      this.released(entry);
      if (!LONG_LIVED_METHODS.has(entry.method)) this.countUnobserved(1);
    }
  }

  /** Whether a request of `stream` still waits for its answer (not ended, timed out or cancelled). */
  isPending(stream: Stream, id: JsonRpcId): boolean {
    return this.pending[stream].has(idKey(id));
  }

  get pendingCount(): number {
    return this.pending.in.size + this.pending.out.size;
  }

  private message(stream: Stream, message: JsonRpcMessage, value: unknown, bytes: number, at: number): void {
    if (message.kind === "request") this.request(stream, message, value, bytes, at);
    else if (message.kind === "response") this.response(stream, message, value, bytes, at);
    else this.notification(stream, message.method, message.params, at);
  }

  private request(
    stream: Stream,
    message: Extract<JsonRpcMessage, { kind: "request" }>,
    value: unknown,
    bytes: number,
    at: number,
  ): void {
    const key = idKey(message.id);
    const table = this.pending[stream];
    if (table.has(key) || this.reused[stream].has(key)) {
      this.reusedId(stream, key, bytes, at, message.id);
      return;
    }
    if (stream === "in") {
      const facts = requestFacts(message.method, message.params);
      if (facts.era || facts.protocolVersion || facts.client) {
        this.sink.session(
          {
            era: facts.era ?? undefined,
            protocolVersion: facts.protocolVersion ?? undefined,
            clientName: facts.client?.name ?? undefined,
            clientVersion: facts.client?.version ?? undefined,
          },
          at,
        );
      }
    }
    if (table.size >= this.maxPending) {
      const oldest = table.entries().next().value;
      if (oldest) {
        // Let go by this bound, not by the transport: its answer may still come (then it is expected and
        // silent), so it is counted as unobserved rather than stored as `disconnected`.
        table.delete(oldest[0]);
        this.released(oldest[1]);
        if (!LONG_LIVED_METHODS.has(oldest[1].method)) {
          this.countUnobserved(1);
          const answers: Stream = stream === "in" ? "out" : "in";
          this.orphansExpected[answers] = Math.min(this.orphansExpected[answers] + 1, 1_000_000);
        }
      }
    }
    const round = this.takeRound(message.method, message.params);
    const holdsMark = stream === "in" && WHOLE_RESULT_METHODS.has(message.method) && this.holds.take();
    table.set(key, {
      direction: REQUEST_DIRECTION[stream],
      requestId: String(message.id),
      method: message.method,
      target: targetOf(message.method, message.params),
      startedAt: at,
      bytesIn: bytes,
      request: value,
      progressToken: progressTokenOf(message.params),
      progressCount: 0,
      rounds: round?.rounds ?? 0,
      holdsMark,
    });
    this.early?.requested(`${stream}:${key}`);
  }

  /**
   * A request whose id is still pending: its answer and the first one's cannot be told apart (a server
   * may answer either first), so neither call is stored with an answer that may be the other's. Both are
   * counted as unobserved, and their answers are expected and silent.
   */
  private reusedId(stream: Stream, key: string, bytes: number, at: number, id: JsonRpcId): void {
    this.anomaly(
      stream,
      "duplicate_request_id",
      `request id ${String(id)} reused while pending: its calls cannot be told apart and are counted as not observed`,
      bytes,
      at,
    );
    const reused = this.reused[stream];
    if (reused.size >= 1000) reused.clear();
    let calls = 1;
    const first = this.pending[stream].get(key);
    if (first) {
      this.pending[stream].delete(key);
      this.released(first);
      calls++;
    }
    reused.set(key, (reused.get(key) ?? 0) + calls);
    this.countUnobserved(calls);
  }

  private response(
    stream: Stream,
    message: Extract<JsonRpcMessage, { kind: "response" }>,
    value: unknown,
    bytes: number,
    at: number,
  ): void {
    const requestStream: Stream = stream === "in" ? "out" : "in";
    if (message.id === null) {
      this.anomaly(stream, "unknown_response_id", "a response with a null id", bytes, at);
      return;
    }
    const key = idKey(message.id);
    const entry = this.pending[requestStream].get(key);
    if (!entry) {
      const reused = this.reused[requestStream].get(key);
      if (reused !== undefined) {
        // One of the answers to a reused id: already counted.
        if (reused > 1) this.reused[requestStream].set(key, reused - 1);
        else this.reused[requestStream].delete(key);
      } else if (this.cancelled[requestStream].delete(key)) {
        // The server answered a request the client had already cancelled: allowed, nothing to record.
      } else if (this.timedOut[requestStream].delete(key)) {
        this.anomaly(
          stream,
          "late_response",
          `response to request ${String(message.id)} after its timeout`,
          bytes,
          at,
        );
      } else if (this.orphansExpected[stream] > 0) {
        // The answer to a request whose line was lost in a gap: already counted as unobserved.
        this.orphansExpected[stream]--;
      } else if (
        !this.heldEarly(stream, key, at, bytes, () => this.response(stream, message, value, bytes, at))
      ) {
        this.anomaly(
          stream,
          "unknown_response_id",
          `response to unknown request id ${String(message.id)}`,
          bytes,
          at,
        );
      }
      return;
    }
    this.pending[requestStream].delete(key);
    if (stream === "out" && message.result !== undefined) {
      const facts = serverFacts(entry.method, message.result);
      if (facts) {
        this.sink.session(
          {
            protocolVersion: facts.protocolVersion ?? undefined,
            serverName: facts.server?.name ?? undefined,
            serverVersion: facts.server?.version ?? undefined,
            ...(entry.method === "server/discover" ? { era: "stateless" as const } : {}),
          },
          at,
        );
      }
    }
    const verdict = judgeResponse(message.result, message.error);
    if (verdict.outcome === null) {
      this.released(entry);
      this.openRound(entry, message.result);
      return;
    }
    this.finish(entry, verdict.outcome, at, bytes, value, verdict.errorCode, verdict.errorMessage);
  }

  private notification(
    stream: Stream,
    method: string,
    params: Record<string, unknown> | undefined,
    at: number,
  ): void {
    if (method === "notifications/cancelled" && params) {
      const id = params.requestId;
      if (typeof id !== "string" && typeof id !== "number") return;
      // A cancellation refers to a request the *sender* of the notification made.
      const entry = this.pending[stream].get(idKey(id));
      if (!entry) return;
      this.pending[stream].delete(idKey(id));
      // Its answer may still come, and is allowed, whatever the reason.
      this.rememberCancelled(stream, idKey(id));
      // A client that gave up waiting cancels too (the SDK's own timeout): that is the server's timeout.
      const reason = typeof params.reason === "string" ? params.reason : null;
      const outcome = cancelledOutcome(reason);
      const message = outcome === "timeout" ? `the client gave up waiting: ${reason}` : reason;
      this.finish(entry, outcome, at, 0, null, null, message);
      return;
    }
    if (method === "notifications/progress" && params) {
      const token = progressTokenOf({ _meta: { progressToken: params.progressToken } });
      if (!token) return;
      const requestStream: Stream = stream === "in" ? "out" : "in";
      for (const entry of this.pending[requestStream].values()) {
        if (entry.progressToken !== token) continue;
        entry.progressCount++;
        entry.lastProgressAt = at;
      }
      return;
    }
    if (method === "notifications/message" && params && stream === "out") {
      // The protocol carries no request id on log notifications; on one stdio channel the link is exact
      // only when a single client request is in flight.
      const inFlight = [...this.pending.in.values()].filter((p) => !LONG_LIVED_METHODS.has(p.method));
      const related = inFlight.length === 1 ? inFlight[0]?.requestId : null;
      this.sink.log({
        time: at,
        level: isLogLevel(params.level) ? params.level : "info",
        source: "mcp",
        logger: typeof params.logger === "string" ? params.logger : null,
        message: typeof params.data === "string" ? params.data : JSON.stringify(params.data ?? null),
        fields: typeof params.data === "string" ? null : (params.data ?? null),
        requestId: related ?? null,
      });
    }
  }

  /** An `input_required` result: the request is a round, completed by a later retry. */
  private openRound(entry: Pending, result: unknown): void {
    const state = isObject(result) && typeof result.requestState === "string" ? result.requestState : null;
    if (this.openRounds.size >= this.maxPending) this.openRounds.clear();
    // The retry echoes requestState exactly; without one, the retry is the next request for the same target.
    const key = state !== null ? `state:${state}` : `target:${entry.method}|${entry.target ?? ""}`;
    this.openRounds.set(key, { rounds: entry.rounds + 1, firstStartedAt: entry.startedAt });
  }

  private takeRound(method: string, params: Record<string, unknown> | undefined): { rounds: number } | null {
    const state = typeof params?.requestState === "string" ? params.requestState : null;
    const isRetry = state !== null || (isObject(params) && isObject(params.inputResponses));
    if (!isRetry) return null;
    const key = state !== null ? `state:${state}` : `target:${method}|${targetOf(method, params) ?? ""}`;
    const round = this.openRounds.get(key);
    if (round) this.openRounds.delete(key);
    return round ?? null;
  }

  /** A request that ends without an answer: its outcome is only known if its stream was fully seen. */
  private end(entry: Pending, outcome: Outcome, at: number): void {
    if (entry.uncertain && !LONG_LIVED_METHODS.has(entry.method)) {
      this.released(entry);
      this.countUnobserved(1);
    } else this.finish(entry, outcome, at, 0, null);
  }

  private released(entry: Pending): void {
    if (!entry.holdsMark) return;
    entry.holdsMark = false;
    this.holds.give();
  }

  private countUnobserved(calls: number): void {
    this.unobservedCalls += calls;
    this.sink.unobserved?.(calls);
  }

  private finish(
    entry: Pending,
    outcome: Outcome,
    at: number,
    bytesOut: number,
    response: unknown,
    errorCode: number | null = null,
    errorMessage: string | null = null,
  ): void {
    this.released(entry);
    if (entry.direction === "s2c") this.clientAnsweredAt = Math.max(this.clientAnsweredAt, at);
    this.sink.call({
      direction: entry.direction,
      requestId: entry.requestId,
      method: entry.method,
      target: entry.target,
      startedAt: entry.startedAt,
      durationMs: Math.max(0, at - entry.startedAt),
      outcome,
      errorCode,
      errorMessage,
      bytesIn: entry.bytesIn,
      bytesOut,
      request: entry.request,
      response,
      progressCount: entry.progressCount,
      rounds: entry.rounds,
    });
  }

  /**
   * Holds an answer on `stream` to request `key` that may have come before its request; false when it
   * cannot have (no hold here, it is being read again, or what it answers is already known).
   */
  private heldEarly(stream: Stream, key: string, at: number, size: number, read: () => void): boolean {
    if (!this.early || this.rereading) return false;
    const requestStream: Stream = stream === "in" ? "out" : "in";
    if (this.cancelled[requestStream].has(key) || this.timedOut[requestStream].has(key)) return false;
    if (this.orphansExpected[stream] > 0) return false;
    this.early.hold(`${requestStream}:${key}`, at, size, () => {
      this.rereading = true;
      try {
        read();
      } finally {
        this.rereading = false;
      }
    });
    return true;
  }

  private rememberCancelled(stream: Stream, key: string): void {
    const set = this.cancelled[stream];
    if (set.size >= 1000) set.clear();
    set.add(key);
  }

  private rememberTimedOut(stream: Stream, key: string): void {
    const set = this.timedOut[stream];
    if (set.size >= 1000) set.clear();
    set.add(key);
  }

  private anomaly(stream: Stream, type: ProtocolEventType, message: string, bytes: number, at: number): void {
    this.anomalies.add({ time: at, type, stream, message, bytes });
  }
}

/**
 * A line that is not JSON is quoted (its start, masked, escaped): a stray `console.log` or `print` on the
 * protocol stream is found by what it printed.
 */
function withQuote(reason: string, detail: string, bytes: Buffer): string {
  if (reason !== "invalid_json") return detail;
  const text = bytes.subarray(0, QUOTED_BYTES).toString("utf8").replace(/\r$/, "");
  return `${detail}: ${quotedLine(text)}`;
}
