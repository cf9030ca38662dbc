/**
 * Follows one stdio session from copies of its lines: pairs each request with its response per
 * direction, gives every request exactly one outcome, and reports session facts, log notifications and
 * protocol anomalies. It sees copies only; nothing here can affect what was forwarded.
 */

import type { Outcome } from "../../../shared/domain.js";
import { plural } from "../../../shared/plural.js";
import { DEFAULT_CAPTURE_LIMIT, keptBytes } from "../pipeline/capture.js";
import { QUOTED_BYTES, quotedLine } from "../pipeline/quoted-line.js";
import { AnomalyLimiter } from "./anomaly-limiter.js";
import { EARLY_ANSWER_MS, EarlyAnswers } from "./early-answers.js";
import { readElidedMessage, readElidedResponse } from "./elided-response.js";
import { InputRounds } from "./input-rounds.js";
import { idKey, isObject, type JsonRpcId, type JsonRpcMessage, parseLine } from "./jsonrpc.js";
import { readLargeResponse } from "./large-response.js";
import { judgeResponse, progressTokenOf, targetOf, WHOLE_RESULT_METHODS } from "./mcp.js";
import { followNotification } from "./notifications.js";
import { type ObservationSink, OversizedPayload, type ProtocolEventType } from "./observations.js";
import {
  otherStream,
  type Pending,
  PendingRequests,
  REQUEST_DIRECTION,
  type Stream,
} from "./pending-requests.js";
import { clientSessionFacts, serverSessionFacts } from "./session-facts.js";
import { TaskCalls } from "./task-calls.js";
import { UnreadLines } from "./unread-lines.js";
import { WholeResultHolds, type WholeResultMarks } from "./whole-result-holds.js";

export type { Stream } from "./pending-requests.js";

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
  /**
   * Follows the tasks this observer sees created together with other observers' (the HTTP proxy's
   * session-less exchanges, each with an observer of its own, while a task outlives the exchange that
   * created it and is polled on others). Its owner expires and closes them; this observer does neither.
   */
  tasks?: TaskCalls;
}

export class SessionObserver {
  /** Pending requests by the stream they were sent on, then by id. */
  private readonly pending: PendingRequests;
  private readonly rounds: InputRounds;
  /** Requests that created a task, until the task's end is seen. */
  private readonly tasks: TaskCalls;
  /** The tasks are this observer's own to expire and to end with it (see `SessionObserverOptions.tasks`). */
  private readonly ownsTasks: boolean;
  private readonly timeoutMs: number;
  private readonly captureLimit: number;
  private readonly holds: WholeResultHolds;
  private readonly maxLineBytes: number;
  /** What a long response keeps (its capture limit, or a shorter one while the observer is behind). */
  private keep: number;
  /** Answers read before their requests, when they may be (`answersMayLead`). */
  private readonly early: EarlyAnswers | null;
  /** A held answer is being read again: it is not held twice. */
  private rereading = false;
  /** A flood of one anomaly (a server printing to stdout in a loop) is summarised, not stored line by line. */
  private readonly anomalies = new AnomalyLimiter((event) => this.sink.protocolEvent(event));
  /** Lines a null-id error may answer instead of a request in flight. */
  private readonly unread: UnreadLines;

  constructor(
    private readonly sink: ObservationSink,
    options: SessionObserverOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 60_000;
    const maxPending = options.maxPending ?? 10_000;
    this.captureLimit = options.captureLimit ?? DEFAULT_CAPTURE_LIMIT;
    this.keep = this.captureLimit;
    this.holds = new WholeResultHolds(options.wholeResult);
    this.pending = new PendingRequests(sink, this.holds, this.timeoutMs, maxPending, (entry) =>
      this.tasks.waitsOnTask(entry),
    );
    this.rounds = new InputRounds(maxPending);
    this.tasks = options.tasks ?? new TaskCalls();
    this.ownsTasks = options.tasks === undefined;
    this.maxLineBytes = options.maxLineBytes ?? Number.POSITIVE_INFINITY;
    this.early = options.answersMayLead ? new EarlyAnswers() : null;
    this.unread = new UnreadLines(this.timeoutMs);
  }

  /** Calls whose observation was lost, counted for the sink. */
  get unobservedCalls(): number {
    return this.pending.unobservedCalls;
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
    if ((parsed.kind === "message" || parsed.kind === "batch") && parsed.lossy) {
      const detail = "line is not valid UTF-8 (read with U+FFFD for each bad byte)";
      this.anomaly(stream, "invalid_utf8", detail, bytes.length, at);
    }
    switch (parsed.kind) {
      case "blank":
        return;
      case "invalid":
        this.unread.sent(stream, at, false);
        this.anomaly(stream, parsed.reason, withQuote(parsed.reason, parsed.detail, bytes), bytes.length, at);
        return;
      case "batch":
        // A peer that takes no batches rejects one whole, with a null-id error; one that does answers it
        // with a batch.
        if (parsed.items.some((item) => item.kind === "message" && item.message.kind === "response"))
          this.unread.batchAnswered(otherStream(stream));
        else this.unread.sent(stream, at, true);
        this.anomaly(
          stream,
          "batch",
          `a JSON-RPC batch of ${plural(parsed.items.length, "message")}`,
          bytes.length,
          at,
        );
        // Each message counts its own bytes as the batch carried it (less the separators and whitespace
        // around it), so that sizes of batched calls add up to about what the line carried.
        for (const item of parsed.items) {
          if (item.kind === "message")
            this.message(stream, item.message, item.value, Buffer.byteLength(JSON.stringify(item.value)), at);
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
    const entry = message.id === null ? undefined : this.pending.get(otherStream(stream), message.id);
    if (entry && WHOLE_RESULT_METHODS.has(entry.method)) return false;
    // Held as its bytes: once its request is known, what is kept of it depends on that request.
    if (
      !entry &&
      message.id !== null &&
      this.heldEarly(stream, message.id, at, bytes.length, () => this.read(stream, bytes, at))
    )
      return true;
    // What is kept of an answer to a request still waited on, or timed out (its call takes the answer).
    const kept =
      entry || (message.id !== null && this.pending.storedWithoutAnswer(otherStream(stream), message.id));
    this.response(stream, message, kept ? large.kept(this.keep) : null, bytes.length, at);
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
    if (read.kind === "unknown") {
      if (read.id === null) this.gap(stream, 0);
      else this.forget(otherStream(stream), [read.id]);
      return;
    }
    const id = read.message.id;
    const entry = id === null ? undefined : this.pending.get(otherStream(stream), id);
    // A whole answer wanted but cut (its request went unnoticed by the copy): not read as a partial list.
    const whole = entry && WHOLE_RESULT_METHODS.has(entry.method);
    const value = !entry ? null : whole ? new OversizedPayload(totalBytes) : read.kept(this.keep);
    this.response(stream, read.message, value, totalBytes, at);
  }

  /**
   * Gives `timeout` to requests pending longer than the limit since they were sent or last reported
   * progress (as clients that reset their own timeout on progress see them), and to calls whose task went
   * unheard of past its bound (task-calls.ts).
   */
  tick(now: number): void {
    // Measured against the wall clock, which runs ahead of the copies' times when the observer is behind.
    this.early?.expire(now, Math.max(EARLY_ANSWER_MS, this.timeoutMs));
    this.anomalies.flush(now);
    this.pending.timeOut(now);
    if (this.ownsTasks) this.tasks.expire(now, this.timeoutMs, () => this.pending.taskResultsWaiting());
  }

  /** The tasks a `tasks/result` of this observer's waits on (task-calls.ts keys), for a shared follower's owner. */
  taskResultsWaiting(): Set<string> {
    return this.pending.taskResultsWaiting();
  }

  /** The transport closed: whatever is still pending ends as `disconnected`. */
  close(at: number): void {
    this.early?.drain();
    this.anomalies.flush(at, true);
    this.pending.close(at);
    if (this.ownsTasks) this.tasks.close(at);
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
    this.pending.abandon(stream, ids, outcome, at, message);
  }

  /**
   * Copies of `stream` were lost: `lostLines` whole lines of it went unseen. A lost client line is a call
   * never observed (its answer, if seen, is expected and silent). Requests pending on the other stream
   * may have lost their answer: if none comes, they end unobserved rather than with a made-up outcome.
   * `at`, when known, is when the last lost bytes were read: a request sent after it cannot have its answer
   * among them (the notice may reach the observer after later copies).
   */
  gap(stream: Stream, lostLines: number, at = Number.POSITIVE_INFINITY): void {
    this.pending.gap(stream, lostLines, at);
  }

  /**
   * These requests' exchange was not observed in full (its copies were dropped): they end unobserved, not
   * with an outcome guessed from what is missing.
   */
  forget(stream: Stream, ids: readonly JsonRpcId[]): void {
    this.pending.forget(stream, ids);
  }

  /** Whether a request of `stream` still waits for its answer (not ended, timed out or cancelled). */
  isPending(stream: Stream, id: JsonRpcId): boolean {
    return this.pending.has(stream, id);
  }

  get pendingCount(): number {
    return this.pending.count;
  }

  private message(stream: Stream, message: JsonRpcMessage, value: unknown, bytes: number, at: number): void {
    if (message.kind === "request") this.request(stream, message, value, bytes, at);
    else if (message.kind === "response") this.response(stream, message, value, bytes, at);
    else if (message.method === "notifications/tasks/status") this.tasks.notified(stream, message.params, at);
    else followNotification(this.pending, this.sink, stream, message.method, message.params, at);
  }

  private request(
    stream: Stream,
    message: Extract<JsonRpcMessage, { kind: "request" }>,
    value: unknown,
    bytes: number,
    at: number,
  ): void {
    if (this.pending.isReused(stream, message.id, at)) {
      // Its answer and the earlier ones' cannot be told apart (a server may answer either first).
      this.anomaly(
        stream,
        "duplicate_request_id",
        `request id ${String(message.id)} reused while pending: its calls cannot be told apart and are counted as not observed`,
        bytes,
        at,
      );
      this.pending.reuse(stream, message.id, at);
      return;
    }
    const facts = stream === "in" ? clientSessionFacts(message.method, message.params) : null;
    if (facts) this.sink.session(facts, at);
    const round = this.rounds.take(message.method, message.params);
    const holdsMark = stream === "in" && WHOLE_RESULT_METHODS.has(message.method) && this.holds.take();
    this.pending.add(stream, message.id, {
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
      ...(isObject(message.params?.task) ? { asTask: true } : {}),
      ...(message.method.startsWith("tasks/")
        ? { taskId: TaskCalls.taskIdOf(message.method, message.params) }
        : {}),
    });
    this.early?.requested(`${stream}:${idKey(message.id)}`);
  }

  private response(
    stream: Stream,
    message: Extract<JsonRpcMessage, { kind: "response" }>,
    value: unknown,
    bytes: number,
    at: number,
    guessed = false,
  ): void {
    if (message.id === null) {
      // The error a peer sends when it could not read a line (-32700, -32600). One the observer could not
      // read either is what it answers (that line is reported already); else, with one request in flight,
      // it can only be that one's answer, as a proxied exchange's null-id error is its request's — unless
      // it answers a line the observer lost, which the request's own answer, coming later, then tells.
      if (message.error !== undefined && this.unread.answered(otherStream(stream), at)) return;
      const only = message.error === undefined ? null : this.pending.onlyInFlight(otherStream(stream));
      if (only !== null) {
        this.response(stream, { ...message, id: only }, value, bytes, at, true);
        return;
      }
      const error = message.error ? `: error ${message.error.code} ${message.error.message}` : "";
      this.anomaly(stream, "unknown_response_id", `a response with a null id${error}`, bytes, at);
      return;
    }
    const entry = this.pending.take(otherStream(stream), message.id, at);
    if (!entry) {
      const late = this.pending.lateAnswer(stream, message.id);
      // An answer to a cancelled request is allowed, and one to a request lost in a gap already counted.
      if (typeof late === "object" && late !== null) {
        if ("guessed" in late)
          this.lateResponse(stream, message, late.guessed.entry, late.guessed.outcome, value, bytes, at);
        else this.lateResponse(stream, message, late.timedOut, "timeout", value, bytes, at);
      } else if (
        late === null &&
        !this.heldEarly(stream, message.id, at, bytes, () => this.response(stream, message, value, bytes, at))
      ) {
        const detail = `response to unknown request id ${String(message.id)}`;
        this.anomaly(stream, "unknown_response_id", detail, bytes, at);
      }
      return;
    }
    const facts =
      stream === "out" && message.result !== undefined
        ? serverSessionFacts(entry.method, message.result)
        : null;
    if (facts) this.sink.session(facts, at);
    if (this.tasks.answered(entry, stream, message, value, bytes, at, this.sink)) {
      this.pending.released(entry);
      return;
    }
    const verdict = judgeResponse(entry.direction, message.result, message.error);
    if (verdict.outcome === null) {
      this.pending.released(entry);
      this.rounds.opened(entry, message.result);
      return;
    }
    this.pending.finish(entry, verdict.outcome, at, bytes, value, verdict.errorCode, verdict.errorMessage);
    if (guessed) this.pending.endedByGuess(otherStream(stream), message.id, entry, verdict.outcome);
  }

  /**
   * The answer to a request whose call is stored without it, as `replaces`: ended as `timeout` (the client
   * may well have waited for it: clients allow long tool calls), or by a null-id error taken for its
   * answer. The stored call takes its real outcome, latency and response, and the event says so.
   */
  private lateResponse(
    stream: Stream,
    message: Extract<JsonRpcMessage, { kind: "response" }>,
    entry: Pending | null,
    replaces: Outcome,
    value: unknown,
    bytes: number,
    at: number,
  ): void {
    // An answer on the server's stream is to a client's request, and the other way round.
    const direction = entry?.direction ?? (stream === "out" ? "c2s" : "s2c");
    const verdict = judgeResponse(direction, message.result, message.error);
    const id = String(message.id);
    const after =
      replaces === "timeout" ? "after its timeout" : "after a null-id error was taken for its answer";
    if (!entry || verdict.outcome === null) {
      this.anomaly(stream, "late_response", `response to request ${id} ${after}`, bytes, at);
      return;
    }
    const seconds = ((at - entry.startedAt) / 1000).toFixed(1);
    const detail = `response to request ${id} ${after}, ${seconds} s after the request: the call is stored with it (${verdict.outcome})`;
    this.anomaly(stream, "late_response", detail, bytes, at);
    this.pending.finish(
      entry,
      verdict.outcome,
      at,
      bytes,
      value,
      verdict.errorCode,
      verdict.errorMessage,
      replaces,
    );
  }

  /**
   * Holds an answer on `stream` to request `key` that may have come before its request; false when it
   * cannot have (no hold here, it is being read again, or what it answers is already known).
   */
  private heldEarly(stream: Stream, id: JsonRpcId, at: number, size: number, read: () => void): boolean {
    if (!this.early || this.rereading || !this.pending.mayLead(stream, id)) return false;
    this.early.hold(`${otherStream(stream)}:${idKey(id)}`, at, size, () => {
      this.rereading = true;
      try {
        read();
      } finally {
        this.rereading = false;
      }
    });
    return true;
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
