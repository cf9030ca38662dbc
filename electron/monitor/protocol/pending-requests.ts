/**
 * The requests a session observer waits on, per stream they were sent on, until each ends in exactly one
 * outcome (or is counted as unobserved); and, with ended-requests.ts, what it remembers of those that
 * ended without their answer, so that an answer coming after is told from a stray one.
 */

import type { Direction, Outcome } from "../../../shared/domain.js";
import { ClientWaitClock } from "./client-wait-clock.js";
import { type EndedAnswer, EndedRequests, REMEMBERED_IDS } from "./ended-requests.js";
import { idKey, idOfKey, type JsonRpcId } from "./jsonrpc.js";
import { LONG_LIVED_METHODS, TASK_RESULT_METHOD } from "./mcp.js";
import { callOf, type ObservationSink } from "./observations.js";
import type { WholeResultHolds } from "./whole-result-holds.js";

/** `in`: bytes from the client to the server (the wrapper's stdin); `out`: from the server to the client. */
export type Stream = "in" | "out";

/** The stream that carries the answers to requests sent on `stream` (and the other way round). */
export function otherStream(stream: Stream): Stream {
  return stream === "in" ? "out" : "in";
}

export const REQUEST_DIRECTION: Record<Stream, Direction> = { in: "c2s", out: "s2c" };

export interface Pending {
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
  /** The session's time spent waiting on the client (client-wait-clock.ts) when its own clock last started. */
  clientWaitedAt?: number;
  rounds: number;
  /** Copies of the answer's stream were lost while this was pending: its answer may never be seen. */
  uncertain?: boolean;
  /** Holds one of its line's whole-result marks (whole-result-holds.ts) until it ends. */
  holdsMark?: boolean;
  /** Sent with `task` in its params: its answer may be the task it created (task-calls.ts). */
  asTask?: boolean;
  /** The task a `tasks/*` request is about. */
  taskId?: string | null;
}

/**
 * Why an answer to no pending request came, when it is explained. One to a request ended as `timeout`
 * carries that request when its call was stored, so that the call can take its answer after all; so does
 * one to a request a null-id error was taken for the answer of (`guessed`, with the outcome it stored).
 */
export type LateAnswer = "orphan" | "reused" | EndedAnswer;
/** Bound on answers expected to requests whose lines were lost. */
const MAX_ORPHANS = 1_000_000;

export class PendingRequests {
  private readonly pending: Record<Stream, Map<string, Pending>> = { in: new Map(), out: new Map() };
  /** Requests that ended without their own answer: cancelled, timed out, or taken as a null-id error's. */
  private readonly ended = new EndedRequests();
  /** Per stream: answers still expected to requests whose lines were lost (silent, already counted). */
  private readonly orphansExpected: Record<Stream, number> = { in: 0, out: 0 };
  /**
   * Ids reused while pending: how many answers to them are still expected, and until when a new request
   * with the id is taken for one more reuse (see `reuse`).
   */
  private readonly reused: Record<Stream, Map<string, { answers: number; until: number }>> = {
    in: new Map(),
    out: new Map(),
  };
  /** Time spent waiting on the client, taken off the age of the client's requests (see `timeOut`). */
  private readonly clientWait: ClientWaitClock;
  /** Calls whose observation was lost, counted for the sink. */
  unobservedCalls = 0;

  constructor(
    private readonly sink: ObservationSink,
    private readonly holds: WholeResultHolds,
    private readonly timeoutMs: number,
    private readonly maxPending: number,
    /** Whether a request is a `tasks/result` whose end its task's call tells (TaskCalls.waitsOnTask). */
    private readonly waitsOnTask: (entry: Pending) => boolean = () => false,
  ) {
    this.clientWait = new ClientWaitClock(timeoutMs);
  }

  get(stream: Stream, id: JsonRpcId): Pending | undefined {
    return this.pending[stream].get(idKey(id));
  }

  has(stream: Stream, id: JsonRpcId): boolean {
    return this.pending[stream].has(idKey(id));
  }

  get count(): number {
    return this.pending.in.size + this.pending.out.size;
  }

  /**
   * The id of the one request of `stream` in flight (subscription streams aside), or null when there are
   * none or several: what an answer that names no request can be paired with.
   */
  onlyInFlight(stream: Stream): JsonRpcId | null {
    let only: string | null = null;
    for (const [key, entry] of this.pending[stream]) {
      // Nor a `tasks/result` waiting on its task: it is not a call a log line could be stored with.
      if (LONG_LIVED_METHODS.has(entry.method) || entry.method === TASK_RESULT_METHOD) continue;
      if (only !== null) return null;
      only = key;
    }
    return only === null ? null : idOfKey(only);
  }

  /** The tasks a `tasks/result` still waits on, as `stream:taskId` of the stream it was sent on. */
  taskResultsWaiting(): Set<string> {
    const waited = new Set<string>();
    for (const stream of ["in", "out"] as const)
      for (const entry of this.pending[stream].values())
        if (entry.method === TASK_RESULT_METHOD && entry.taskId) waited.add(`${stream}:${entry.taskId}`);
    return waited;
  }

  /** The requests of `stream` still waiting, oldest first. */
  waiting(stream: Stream): IterableIterator<Pending> {
    return this.pending[stream].values();
  }

  /**
   * Whether a request with `id` sent at `at` reuses it: the id is pending, or was reused within the
   * request timeout and answers to it are still expected (any of them may come first, the new one's too).
   */
  isReused(stream: Stream, id: JsonRpcId, at: number): boolean {
    const key = idKey(id);
    if (this.pending[stream].has(key)) return true;
    const reused = this.reused[stream].get(key);
    return reused !== undefined && at < reused.until;
  }

  /**
   * A request whose id is reused (`isReused`): no call with that id can be stored with an answer that may
   * be another's. Each is counted as unobserved, and their answers are expected and silent. Answers still
   * missing a timeout after the last reuse are taken as lost, so the id is tracked again after that.
   */
  reuse(stream: Stream, id: JsonRpcId, at: number): void {
    const key = idKey(id);
    const reused = this.reused[stream];
    if (reused.size >= REMEMBERED_IDS) reused.clear();
    let calls = 1;
    const first = this.take(stream, id);
    if (first) {
      this.released(first);
      calls++;
    }
    reused.set(key, { answers: (reused.get(key)?.answers ?? 0) + calls, until: at + this.timeoutMs });
    this.countUnobserved(calls);
  }

  /** Starts waiting on a request; past the bound, the oldest is let go and counted as unobserved. */
  add(stream: Stream, id: JsonRpcId, entry: Pending): void {
    const table = this.pending[stream];
    if (table.size >= this.maxPending) {
      const oldest = table.entries().next().value;
      if (oldest) {
        // Let go by this bound, not by the transport: its answer may still come (then it is expected and
        // silent), so it is counted as unobserved rather than stored as `disconnected`.
        table.delete(oldest[0]);
        this.clientWait.release(oldest[1]);
        this.released(oldest[1]);
        if (!LONG_LIVED_METHODS.has(oldest[1].method)) {
          this.countUnobserved(1);
          this.expectOrphans(otherStream(stream), 1);
        }
      }
    }
    // A request with an id whose reuse expired (`isReused`): the answers still missing are taken as lost.
    this.reused[stream].delete(idKey(id));
    this.ended.reused(stream, idKey(id));
    if (stream === "in") entry.clientWaitedAt = this.clientWait.waitedAt(entry.startedAt);
    else if (!LONG_LIVED_METHODS.has(entry.method))
      this.clientWait.hold(entry, entry.method, entry.startedAt);
    table.set(idKey(id), entry);
  }

  /** A progress notification for a request: its clock runs again from `at`. */
  progress(entry: Pending, at: number): void {
    entry.progressCount++;
    entry.lastProgressAt = at;
    if (entry.direction === "c2s") entry.clientWaitedAt = this.clientWait.waitedAt(at);
  }

  /** Stops waiting on a request (at `at`, when known) and hands it back, if it was waited on. */
  take(stream: Stream, id: JsonRpcId, at?: number): Pending | undefined {
    const key = idKey(id);
    const entry = this.pending[stream].get(key);
    if (entry) {
      this.pending[stream].delete(key);
      this.clientWait.release(entry, at);
    }
    return entry;
  }

  /**
   * An answer on `stream` to request `id` that is not pending: why, when that is known (then it is
   * accounted for), or null when it answers no request seen.
   */
  lateAnswer(stream: Stream, id: JsonRpcId): LateAnswer | null {
    const key = idKey(id);
    const requestStream = otherStream(stream);
    const reused = this.reused[requestStream].get(key);
    if (reused !== undefined) {
      // One of the answers to a reused id: already counted.
      if (reused.answers > 1) reused.answers--;
      else this.reused[requestStream].delete(key);
      return "reused";
    }
    const ended = this.ended.answered(requestStream, key);
    if (ended !== undefined) return ended;
    if (this.orphansExpected[stream] > 0) {
      this.orphansExpected[stream]--;
      return "orphan";
    }
    return null;
  }

  /**
   * Whether request `id` of `stream` ended without its own answer with its call stored (timed out, or a
   * null-id error taken for its answer): its answer may still come, and the call takes it.
   */
  storedWithoutAnswer(stream: Stream, id: JsonRpcId): boolean {
    return this.ended.storedWithoutAnswer(stream, idKey(id));
  }

  /**
   * Request `id` (`entry`) of `stream` was ended, with `outcome`, by a null-id error taken for its answer
   * (the one in flight): the error may have answered a line the observer could not read, so an answer
   * with its id that comes later is its own, and its call takes it.
   */
  endedByGuess(stream: Stream, id: JsonRpcId, entry: Pending, outcome: Outcome): void {
    this.ended.guess(stream, idKey(id), entry, outcome);
  }

  /** Whether an answer on `stream` to request `id` could still be explained later (by a late request). */
  mayLead(stream: Stream, id: JsonRpcId): boolean {
    const key = idKey(id);
    if (this.ended.has(otherStream(stream), key)) return false;
    return this.orphansExpected[stream] === 0;
  }

  /**
   * A cancellation sent on `stream` for its request `id`: it ends as `outcome` (`cancelled`, or `timeout`
   * when the client gave up waiting). Its answer may still come, and is allowed, whatever the reason.
   */
  cancel(
    stream: Stream,
    id: JsonRpcId,
    at: number,
    reason: string | null,
    outcome: Outcome = "cancelled",
  ): void {
    const entry = this.take(stream, id, at);
    if (!entry) {
      // Ended here first (timed out, or a null-id error's), then given up by its sender too.
      this.ended.cancelAfterEnd(stream, idKey(id));
      return;
    }
    this.ended.cancel(stream, idKey(id));
    // A client that stops waiting on `tasks/result` may ask again or poll: its task's call tells the end.
    if (this.waitsOnTask(entry)) this.released(entry);
    else this.finish(entry, outcome, at, 0, null, null, reason);
  }

  /**
   * Gives `timeout` to the client's requests pending longer than the limit since sent or last reporting
   * progress. Requests the server sent the client (elicitation, sampling, roots) wait on the client, often
   * on a human: the limit is for servers that do not answer, so they are never timed out here. While one is
   * pending the client's requests wait on the client too (a tool that asked the user): that time does not
   * count towards their age, and the rest does. One request of the server's pauses them for at most the
   * limit, ten limits for one a person or an LLM answers, and one whose answer may have been lost in a gap
   * pauses nothing; however many the server sends, one of the client's is paused ten limits at most in all
   * (a client that never answers does not turn timeouts off).
   */
  timeOut(now: number): void {
    for (const [key, entry] of this.pending.in) {
      const alive = entry.lastProgressAt ?? entry.startedAt;
      const age =
        now - alive - this.clientWait.paused(entry.clientWaitedAt ?? this.clientWait.waitedAt(now), now);
      // `tasks/result` blocks for its task's whole life, however long (a followed task's call tells it).
      if (age < this.timeoutMs || LONG_LIVED_METHODS.has(entry.method) || entry.method === TASK_RESULT_METHOD)
        continue;
      this.pending.in.delete(key);
      const stored = this.end(entry, "timeout", now);
      this.ended.timeOut("in", key, stored ? entry : null);
    }
  }

  /** The transport closed: whatever is still pending ends as `disconnected`. */
  close(at: number): void {
    for (const stream of ["in", "out"] as const) {
      for (const entry of this.pending[stream].values()) {
        this.clientWait.release(entry, at);
        // Its answer would have been its task's: the task's call says how the session left it.
        if (this.waitsOnTask(entry)) this.released(entry);
        // A subscription stream ends with its session; that is its normal end, not a failure.
        else this.end(entry, LONG_LIVED_METHODS.has(entry.method) ? "ok" : "disconnected", at);
      }
      this.pending[stream].clear();
    }
  }

  /** The channel that would carry these requests' answers is gone: each one still pending ends with `outcome`. */
  abandon(
    stream: Stream,
    ids: readonly JsonRpcId[],
    outcome: Outcome,
    at: number,
    message: string | null,
  ): void {
    for (const id of ids) {
      const entry = this.take(stream, id, at);
      if (!entry) continue;
      // A client may leave `tasks/result`'s stream at any time and ask again: its task's call tells the end.
      if (this.waitsOnTask(entry)) {
        this.released(entry);
        continue;
      }
      if (outcome === "cancelled") this.ended.cancel(stream, idKey(id));
      // A subscription stream that ends is its normal end, as at the end of a session.
      if (LONG_LIVED_METHODS.has(entry.method)) this.finish(entry, "ok", at, 0, null);
      else this.finish(entry, outcome, at, 0, null, null, message);
    }
  }

  /** Copies of `stream` read up to `at` were lost (`lostLines` whole lines): see SessionObserver.gap. */
  gap(stream: Stream, lostLines: number, at: number): void {
    if (lostLines > 0) {
      if (stream === "in") this.countUnobserved(lostLines);
      this.expectOrphans(otherStream(stream), lostLines);
    }
    for (const entry of this.pending[otherStream(stream)].values()) {
      if (entry.startedAt > at) continue;
      entry.uncertain = true;
      this.clientWait.release(entry);
    }
  }

  /** These requests' exchange was not observed in full: they end unobserved. */
  forget(stream: Stream, ids: readonly JsonRpcId[]): void {
    for (const id of ids) {
      const entry = this.take(stream, id);
      if (!entry) continue;
      this.released(entry);
      if (!LONG_LIVED_METHODS.has(entry.method) && !this.waitsOnTask(entry)) this.countUnobserved(1);
    }
  }

  /** Gives back the whole-result mark a request held, once it no longer waits on its answer. */
  released(entry: Pending): void {
    if (!entry.holdsMark) return;
    entry.holdsMark = false;
    this.holds.give();
  }

  /** A request ends with `outcome`: stored as one call. */
  finish(
    entry: Pending,
    outcome: Outcome,
    at: number,
    bytesOut: number,
    response: unknown,
    errorCode: number | null = null,
    errorMessage: string | null = null,
    replaces: Outcome | null = null,
  ): void {
    this.released(entry);
    const call = callOf(entry, outcome, at, bytesOut, response, errorCode, errorMessage);
    this.sink.call(replaces ? { ...call, replaces } : call);
  }

  /**
   * A request that ends without an answer: its outcome is only known if its stream was fully seen. True
   * when its call was stored.
   */
  private end(entry: Pending, outcome: Outcome, at: number): boolean {
    if (entry.uncertain && !LONG_LIVED_METHODS.has(entry.method)) {
      this.released(entry);
      this.countUnobserved(1);
      return false;
    }
    this.finish(entry, outcome, at, 0, null);
    return true;
  }

  private countUnobserved(calls: number): void {
    this.unobservedCalls += calls;
    this.sink.unobserved?.(calls);
  }

  private expectOrphans(stream: Stream, answers: number): void {
    this.orphansExpected[stream] = Math.min(this.orphansExpected[stream] + answers, MAX_ORPHANS);
  }
}
