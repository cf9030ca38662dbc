/** What the observer learns from a session's traffic, handed to the pipeline (mask, cap, store). */
import type { Direction, Era, Outcome } from "../../../shared/domain.js";
import type { LogLevel } from "../../../shared/levels.js";
import type { TaskState, TaskUpdate } from "../../../shared/tasks.js";
import type { Pending } from "./pending-requests.js";

/**
 * Set (not enumerable) on a payload that holds only the start of its message: the message's size in
 * bytes, and how many of its first bytes to keep (the capture limit it was read for). Capture stores it
 * cut there, however long its start prints.
 */
export const PARTIAL_PAYLOAD = Symbol("mcpscope.partialPayload");

export interface PartialPayload {
  bytes: number;
  keep: number;
}

/**
 * In place of a payload's value: a message too long to parse (or whose whole answer was wanted and came
 * cut), known by its size only. A class, not a shape: a payload's own members can never pass for it.
 */
export class OversizedPayload {
  constructor(readonly bytes: number) {}
}

/** A request that reached its outcome. Payloads are the parsed messages, not yet masked or capped. */
export interface CallObservation {
  direction: Direction;
  requestId: string;
  method: string;
  target: string | null;
  startedAt: number;
  durationMs: number;
  outcome: Outcome;
  errorCode: number | null;
  errorMessage: string | null;
  /** Bytes of the request line and of the response line. */
  bytesIn: number;
  bytesOut: number;
  request: unknown;
  response: unknown;
  progressCount: number;
  /** `input_required` rounds that preceded the final answer (2026-07-28). */
  rounds: number;
  /** The HTTP status of the exchange that carried the request, when the transport is HTTP. */
  httpStatus?: number | null;
  /**
   * The answer to a request whose call is stored already, without it, with this outcome: `timeout` (its
   * answer came after `--timeout`), or the outcome of a null-id error that was taken for its answer. The
   * stored call takes this outcome, duration and response instead of being stored again.
   */
  replaces?: Outcome;
  /** The task the request created (it was sent with `task` and answered with one): see task-calls.ts. */
  task?: CallTask;
  /**
   * This observation changes the stored call of its task instead of storing a new one: `status` (a new
   * status while it runs), `end` (the task ended: the call takes its outcome and duration), `result`
   * (`tasks/result` answered after the end was seen: the call takes the tool's result).
   */
  taskUpdate?: "status" | "end" | "result";
}

export interface CallTask {
  id: string;
  state: TaskState;
  /** Its status changes, oldest first (at most MAX_TASK_UPDATES). */
  updates: TaskUpdate[];
}

export interface LogObservation {
  time: number;
  level: LogLevel;
  /** `stderr` for the server's stderr lines, `mcp` for `notifications/message`. */
  source: "stderr" | "mcp";
  logger: string | null;
  message: string;
  fields: unknown;
  /** The request a log notification belongs to, when the protocol says so. */
  requestId: string | null;
  /** Bytes of the message as written that were left out before it got here (a cut stderr line). */
  omittedBytes?: number;
}

export type ProtocolEventType =
  | "invalid_utf8"
  | "invalid_json"
  | "not_jsonrpc"
  | "batch"
  | "oversized_line"
  | "unknown_response_id"
  | "duplicate_request_id"
  | "late_response"
  | "ambiguous_cancel"
  | "observation_gap";

export interface ProtocolEventObservation {
  time: number;
  type: ProtocolEventType;
  /** Which stream it was seen on: from the client (`in`), from the server (`out`), the server's stderr (`err`). */
  stream: "in" | "out" | "err";
  message: string;
  bytes: number;
}

export interface SessionFacts {
  era?: Era;
  protocolVersion?: string;
  clientName?: string;
  clientVersion?: string;
  serverName?: string;
  serverVersion?: string;
}

export interface ObservationSink {
  call(call: CallObservation): void;
  log(log: LogObservation): void;
  protocolEvent(event: ProtocolEventObservation): void;
  /** Facts learnt from the message read at `at` (the traffic's clock, not the observer's). */
  session(facts: SessionFacts, at: number): void;
  /**
   * Calls whose observation was lost (copies dropped under load, or skipped when the exit drain ran
   * out): they happened, but their outcome is unknown, so they are counted instead of stored.
   */
  unobserved?(calls: number): void;
}

/** The call a request ended as, stored as one row. */
export function callOf(
  entry: Pending,
  outcome: Outcome,
  at: number,
  bytesOut: number,
  response: unknown,
  errorCode: number | null = null,
  errorMessage: string | null = null,
): CallObservation {
  return {
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
  };
}
