/**
 * Task-augmented requests (MCP 2025-11-25 tasks). A request sent with `task` in its params is answered at
 * once with the task it created (`CreateTaskResult`); the work runs on, and its end is told later by the
 * task's status (`tasks/get`, `notifications/tasks/status`, `tasks/cancel`, `tasks/list`) and by
 * `tasks/result`, which answers with the request's real result. The call is stored when the task is
 * created, as running (no outcome, counted nowhere), and takes its real outcome and duration when the end
 * is seen: a terminal status or `tasks/result`'s answer, whichever comes first. `tasks/result` after the end
 * still gives the call the tool's result (and `tool_error` when it says `isError`). A task unheard of past
 * its bound (`taskSilenceBound`: its ttl, no status read and no `tasks/result` waiting on it) ends as
 * `timeout`, `expired`; an end seen after that still gives the call its real outcome, as a late answer does.
 * A `tasks/result` for a task not followed here, or answered with Invalid params that may only say the
 * task is unknown, is a call of its own.
 */

import type { Outcome } from "../../../shared/domain.js";
import {
  addTaskUpdate,
  isRunningTask,
  type TaskState,
  type TaskStatus,
  type TaskUpdate,
  taskSilenceBound,
  taskStatusOf,
  UNFINISHED_TASK_MESSAGE,
} from "../../../shared/tasks.js";
import { isObject, type JsonRpcMessage } from "./jsonrpc.js";
import { judgeResponse, TASK_RESULT_METHOD } from "./mcp.js";
import { type CallObservation, callOf, type ObservationSink } from "./observations.js";
import { otherStream, type Pending, REQUEST_DIRECTION, type Stream } from "./pending-requests.js";

type Response = Extract<JsonRpcMessage, { kind: "response" }>;

/** One task whose creating call is stored: what its later rows repeat, and what is known of it. */
interface TaskCall {
  /** Where its call was stored: its later rows go there too, whichever observer reads its news. */
  sink: ObservationSink;
  /** The requestor's stream and the task's id. */
  key: string;
  id: string;
  call: CallObservation;
  state: TaskState;
  message: string | null;
  updates: TaskUpdate[];
  /** Its end was seen (its call has an outcome); `tasks/result` may still bring the tool's result. */
  ended: boolean;
  /** Ended as `timeout` for want of news (see `expire`): its real end, if seen, still takes the call. */
  expired: boolean;
  /** When its creation, a status of it, or a `tasks/result` waiting on it was last seen. */
  heardAt: number;
  /** Its receiver's `ttl` (ms; null: unlimited or not said), from the latest status that gave one. */
  ttl: number | null;
}

/**
 * The error a receiver answers `tasks/get` (and `tasks/result`) with for a task it does not know (never
 * had, or deleted past its ttl), as the protocol requires: Invalid params. Any other error (an internal one, a server too busy)
 * says nothing of the task, which may still end and be polled again. From `tasks/result` it may also be
 * the task's own end: that answers exactly what the request would have (its error too), and a `tools/call`
 * naming a tool the server does not have is itself Invalid params. So only a task known to have failed
 * takes it as its end (see `result`).
 */
const UNKNOWN_TASK_CODE = -32602;

/** How many tasks are followed per session; past it, the oldest are let go (see `follow`). */
const MAX_TASKS = 10_000;

export class TaskCalls {
  /** By the stream the creating request was sent on, then the task's id. */
  private readonly tasks = new Map<string, TaskCall>();

  /** How many tasks are followed: those running, and those ended whose result or late end may still come. */
  get size(): number {
    return this.tasks.size;
  }

  /** The task a `tasks/*` request is about, kept on its pending entry. */
  static taskIdOf(method: string, params: Record<string, unknown> | undefined): string | null {
    if (!method.startsWith("tasks/")) return null;
    return typeof params?.taskId === "string" ? params.taskId : null;
  }

  /**
   * A response (read on `stream`) to a pending request: true when it was the task's to tell and is not
   * a call of its own (the task's creation, `tasks/get`'s status, `tasks/result`'s answer). `sink` stores
   * the observations of the observer that read it: a task created there has its call stored there.
   */
  answered(
    entry: Pending,
    stream: Stream,
    message: Response,
    value: unknown,
    bytes: number,
    at: number,
    sink: ObservationSink,
  ): boolean {
    const result = message.result;
    if (entry.asTask && isObject(result) && isObject(result.task) && typeof result.task.taskId === "string") {
      this.created(entry, stream, result.task, value, bytes, at, sink);
      return true;
    }
    switch (entry.method) {
      case TASK_RESULT_METHOD:
        return this.result(entry, otherStream(stream), message, value, bytes, at);
      case "tasks/get":
        // An error answer (a task the server does not know) is a call like any other; a task followed here
        // that its receiver no longer knows (deleted past its ttl) will never tell its end.
        if (message.error) {
          if (entry.taskId && message.error.code === UNKNOWN_TASK_CODE)
            this.forgotten(otherStream(stream), entry.taskId, message.error.message, at);
          return false;
        }
        this.status(otherStream(stream), result, at);
        return true;
      case "tasks/cancel":
        if (!message.error) this.status(otherStream(stream), result, at);
        return false;
      case "tasks/list":
        if (isObject(result) && Array.isArray(result.tasks))
          for (const task of result.tasks) this.status(otherStream(stream), task, at);
        return false;
      default:
        return false;
    }
  }

  /**
   * Whether `entry` is a `tasks/result` waiting on a task followed here: its answer (or its being given up)
   * is then told on the task's call. One whose task is not followed (created before the wrapper started,
   * or let go) is a call of its own, as nothing else would tell of it.
   */
  waitsOnTask(entry: Pending): boolean {
    if (entry.method !== TASK_RESULT_METHOD || !entry.taskId) return false;
    // Keyed by the stream its requestor sent on, as the task's creating request was.
    const requestor: Stream = entry.direction === REQUEST_DIRECTION.in ? "in" : "out";
    return this.tasks.has(`${requestor}:${entry.taskId}`);
  }

  /** `notifications/tasks/status` read on `stream`: from the receiver, about a task of the other side's. */
  notified(stream: Stream, params: unknown, at: number): void {
    this.status(otherStream(stream), params, at);
  }

  /**
   * Ends, as `timeout` with its task `expired`, each task unheard of for longer than its bound (its ttl,
   * at least the request timeout). `waitedOn` gives the tasks a `tasks/result` still waits on, keyed as
   * the tasks are: their client is waiting, which is news enough. Asked only when some task is past its bound.
   * A task that ended is let go once unheard of as long again since its end.
   */
  expire(now: number, requestTimeoutMs: number, waitedOn: () => ReadonlySet<string>): void {
    let waited: ReadonlySet<string> | null = null;
    for (const task of this.tasks.values()) {
      const bound = taskSilenceBound(task.ttl, requestTimeoutMs);
      if (now - task.heardAt <= bound) continue;
      waited ??= waitedOn();
      if (waited.has(task.key)) {
        task.heardAt = now;
        continue;
      }
      // Ended and unheard of as long again since (its result never asked for, or its late end never seen):
      // let go, as its receiver may have deleted it by now. Else a session (the HTTP proxy's shared follower,
      // for the proxy's whole life) would keep every such task, and what its sink holds, to MAX_TASKS.
      if (task.ended) {
        this.tasks.delete(task.key);
        continue;
      }
      const why = `nothing heard of its task for ${Math.round(bound / 1000)} s (its ttl, or the bound for a task without one): no status, no tasks/result waiting`;
      this.end(task, "expired", "timeout", now, null, null, why);
    }
  }

  /**
   * The receiver answered `tasks/get` for a task still running here with an error (not found, expired):
   * its end will never be told, so it ends now as one unheard of past its bound does.
   */
  private forgotten(requestor: Stream, id: string, error: string, at: number): void {
    const task = this.tasks.get(`${requestor}:${id}`);
    if (!task || task.ended) return;
    this.end(task, "expired", "timeout", at, null, null, `the server no longer knows its task: ${error}`);
  }

  /** The session ended: a task still running is `unfinished`, its call `disconnected`. */
  close(at: number): void {
    for (const task of this.tasks.values())
      if (!task.ended) this.end(task, "unfinished", "disconnected", at, null, null, UNFINISHED_TASK_MESSAGE);
    this.tasks.clear();
  }

  private created(
    entry: Pending,
    stream: Stream,
    task: Record<string, unknown>,
    value: unknown,
    bytes: number,
    at: number,
    sink: ObservationSink,
  ): void {
    const id = task.taskId as string;
    const state: TaskState = taskStatusOf(task.status) ?? "working";
    const message = messageOf(task);
    // `ok` stands in until the task ends: a running task's call has no outcome (null in the API) and
    // counts in no figure (store/task-columns.ts).
    const call = callOf(entry, "ok", at, bytes, value);
    const key = `${otherStream(stream)}:${id}`;
    const updates = [{ at, state, message }];
    const ttl = ttlOf(task, null);
    const followed: TaskCall = {
      sink,
      key,
      id,
      call,
      state,
      message,
      updates,
      ended: false,
      expired: false,
      heardAt: at,
      ttl,
    };
    this.follow(followed);
    // Its request is stored now, and kept until its end, which the watchers (the audit's digest of its
    // arguments) see; the rows in between change only its task's state.
    sink.call({ ...call, task: taskOf(followed) });
    if (!isRunningTask(state)) this.ended(followed, state as TaskStatus, message, at);
  }

  /** A task's status as read in a message to its requestor, who sent its request on `requestor`. */
  private status(requestor: Stream, task: unknown, at: number): void {
    if (!isObject(task) || typeof task.taskId !== "string") return;
    const followed = this.tasks.get(`${requestor}:${task.taskId}`);
    const status = taskStatusOf(task.status);
    if (!followed || !status) return;
    const message = messageOf(task);
    // News of it, ended or not: one expired whose client polls again is kept for its late end.
    followed.heardAt = at;
    followed.ttl = ttlOf(task, followed.ttl);
    // Past its bound it was ended for want of news: its end, seen after all, gives the call its outcome.
    if (followed.expired) {
      if (!isRunningTask(status)) this.ended(followed, status, message, at);
      return;
    }
    if (followed.ended) return;
    if (status === followed.state && message === followed.message) return;
    if (!isRunningTask(status)) {
      this.ended(followed, status, message, at);
      return;
    }
    this.changed(followed, status, message, at);
    followed.sink.call({ ...followed.call, request: null, task: taskOf(followed), taskUpdate: "status" });
  }

  /** A terminal status: the call's outcome is the status's (a tool's `isError` shows as `failed`). */
  private ended(task: TaskCall, status: TaskStatus, message: string | null, at: number): void {
    if (status === "completed") this.end(task, status, "ok", at, null, null, message);
    else if (status === "cancelled") this.end(task, status, "cancelled", at, null, null, message);
    else this.end(task, status, "server_error", at, null, null, message ?? "the task failed");
  }

  /**
   * `tasks/result` (`entry`, sent on `requestor`) answered: true when the answer is its task's to tell,
   * false when the `tasks/result` is a call of its own (its task is not followed, or the answer may only
   * say the receiver does not know the task).
   */
  private result(
    entry: Pending,
    requestor: Stream,
    message: Response,
    value: unknown,
    bytes: number,
    at: number,
  ): boolean {
    const task = entry.taskId ? this.tasks.get(`${requestor}:${entry.taskId}`) : undefined;
    if (!task) return false;
    // Invalid params: the task unknown to its receiver (deleted, expired, never had), or the end of a task
    // whose request got that error, which only a task known to have failed can be. Else its call stays as
    // it is (running, expired, completed or cancelled), and the tasks/result is stored with its error.
    if (message.error?.code === UNKNOWN_TASK_CODE && !(task.ended && task.state === "failed")) return false;
    const verdict = judgeResponse(task.call.direction, message.result, message.error);
    if (verdict.outcome === null) return true;
    const implied: TaskState = verdict.outcome === "ok" ? "completed" : "failed";
    if (!task.ended || task.expired) {
      this.end(task, implied, verdict.outcome, at, value, bytes, verdict.errorMessage, verdict.errorCode);
      return true;
    }
    this.tasks.delete(task.key);
    // Once cancelled a task stays cancelled, whatever its work came to.
    const outcome = task.state === "cancelled" ? "cancelled" : verdict.outcome;
    const call: CallObservation = {
      ...task.call,
      outcome,
      errorCode: outcome === verdict.outcome ? verdict.errorCode : task.call.errorCode,
      errorMessage:
        outcome === verdict.outcome
          ? (verdict.errorMessage ?? task.call.errorMessage)
          : task.call.errorMessage,
      bytesOut: bytes,
      response: value,
    };
    task.sink.call({ ...call, task: taskOf(task), taskUpdate: "result" });
    return true;
  }

  private end(
    task: TaskCall,
    state: TaskState,
    outcome: Outcome,
    at: number,
    response: unknown,
    bytes: number | null,
    errorMessage: string | null,
    errorCode: number | null = null,
  ): void {
    this.changed(task, state, errorMessage, at);
    // An end seen after the task expired: the call was ended (audited, said, exported) as `timeout`, and
    // takes this end in the store only, as a late answer does.
    const late = task.expired;
    task.expired = state === "expired";
    task.ended = true;
    task.heardAt = at;
    task.call = {
      ...task.call,
      outcome,
      durationMs: Math.max(0, at - task.call.startedAt),
      errorCode,
      errorMessage,
      ...(bytes === null ? {} : { bytesOut: bytes, response }),
    };
    task.sink.call({
      ...task.call,
      task: taskOf(task),
      taskUpdate: "end",
      ...(late ? { replaces: "timeout" as const } : {}),
    });
    task.call = { ...task.call, request: null };
    // Its result may still be asked for; once answered (or with no result to come), it is let go.
    if (bytes !== null || state === "unfinished") this.tasks.delete(task.key);
  }

  private changed(task: TaskCall, state: TaskState, message: string | null, at: number): void {
    task.state = state;
    task.message = message;
    addTaskUpdate(task.updates, { at, state, message });
  }

  /**
   * Starts following a task. Past the bound the oldest is let go: an ended one waits for nothing but its
   * result; one still running is ended as `unfinished`, as its end will not be seen. So is one still
   * running whose id a new task takes (a server restarted behind the HTTP proxy, counting its ids
   * afresh): what is told of that id from now on is the new task's, and the old call would run for ever.
   */
  private follow(task: TaskCall): void {
    const same = this.tasks.get(task.key);
    if (same && !same.ended) {
      const why = "no longer followed: a later task took its id";
      this.end(same, "unfinished", "disconnected", task.call.startedAt, null, null, why);
    }
    if (this.tasks.size >= MAX_TASKS) {
      const oldest = this.tasks.values().next().value;
      if (oldest && !oldest.ended) {
        const why = `no longer followed: over ${MAX_TASKS} tasks followed at once`;
        this.end(oldest, "unfinished", "disconnected", task.call.startedAt, null, null, why);
      }
      if (oldest) this.tasks.delete(oldest.key);
    }
    this.tasks.delete(task.key);
    this.tasks.set(task.key, task);
  }
}

/** A status's `ttl` (ms): null when it says `null` (unlimited), `kept` when it says nothing usable. */
function ttlOf(task: Record<string, unknown>, kept: number | null): number | null {
  if (task.ttl === null) return null;
  return typeof task.ttl === "number" && Number.isFinite(task.ttl) && task.ttl >= 0 ? task.ttl : kept;
}

function messageOf(task: Record<string, unknown>): string | null {
  return typeof task.statusMessage === "string" ? task.statusMessage : null;
}

function taskOf(task: TaskCall): NonNullable<CallObservation["task"]> {
  return { id: task.id, state: task.state, updates: [...task.updates] };
}
