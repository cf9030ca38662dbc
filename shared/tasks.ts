/**
 * MCP tasks (protocol revision 2025-11-25): a request sent with `task` in its params is answered at once
 * with the task it created, and its real end comes later. The states a stored call's task can be in:
 * plain values with no schema library, read by the wrapper's observer thread, the store and every front.
 */

/** The task statuses of the protocol. */
export const TASK_STATUSES = ["working", "input_required", "completed", "failed", "cancelled"] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/**
 * What a stored call says of its task: a protocol status, `unfinished` when the session ended before the
 * task did (the wrapper never saw its end), or `expired` when nothing was heard of the task for longer
 * than its bound (`taskSilenceBound`: its receiver may have deleted it, and its client stopped asking).
 */
export const TASK_STATES = [...TASK_STATUSES, "unfinished", "expired"] as const;
export type TaskState = (typeof TASK_STATES)[number];

/**
 * The states of a task still running: its call has no outcome yet, and counts in no figure (calls, errors,
 * latency, rollups, reports, alerts, exports) until its task ends.
 */
export const RUNNING_TASK_STATES = ["working", "input_required"] as const satisfies TaskState[];

const RUNNING: ReadonlySet<string> = new Set(RUNNING_TASK_STATES);
const STATUSES: ReadonlySet<string> = new Set(TASK_STATUSES);

/** Whether a call whose task is in `state` (null: not a task) still waits for its end. */
export function isRunningTask(state: string | null | undefined): boolean {
  return state != null && RUNNING.has(state);
}

/** A status as the protocol names it, or null for anything else. */
export function taskStatusOf(value: unknown): TaskStatus | null {
  return typeof value === "string" && STATUSES.has(value) ? (value as TaskStatus) : null;
}

/** One change of a task's status (or of its status message) as the wrapper saw it. */
export interface TaskUpdate {
  /** Epoch ms. */
  at: number;
  state: TaskState;
  message: string | null;
}

/** The error message of a call whose session ended while its task ran (`unfinished`, `disconnected`). */
export const UNFINISHED_TASK_MESSAGE = "the session ended while its task ran";

/** How many status changes a call keeps of its task: the first, and the latest ones. */
export const MAX_TASK_UPDATES = 32;

/**
 * Adds a status change to a task's list, in place: not when it repeats the last one (a task created
 * already ended is told once), and past MAX_TASK_UPDATES the first (its creation) and the latest are kept.
 */
export function addTaskUpdate(updates: TaskUpdate[], update: TaskUpdate): void {
  const last = updates[updates.length - 1];
  if (last?.state === update.state && last.message === update.message) return;
  updates.push(update);
  if (updates.length > MAX_TASK_UPDATES) updates.splice(1, 1);
}

/**
 * How long a task whose receiver gave no `ttl` (or `null`: unlimited) may go unheard of before its call
 * ends as `timeout`: no status of it read, and no `tasks/result` waiting on it. A client that follows its
 * task polls every few seconds, or waits on `tasks/result`; one silent for an hour has let it go.
 */
export const UNHEARD_TASK_MS = 60 * 60_000;

/**
 * How long a task may go unheard of (see UNHEARD_TASK_MS) before its call ends as `timeout`, its task
 * `expired`: its `ttl` (the receiver may delete it once that has passed since its creation, so its end may
 * never be told), else UNHEARD_TASK_MS; never less than the request timeout, so that a client polling at
 * the pace a server asks is not cut off by a ttl shorter than that pace.
 */
export function taskSilenceBound(ttl: number | null, requestTimeoutMs: number): number {
  return Math.max(ttl ?? UNHEARD_TASK_MS, requestTimeoutMs);
}

/** A task state in words, as every front says it. */
export const TASK_STATE_TEXT: Record<TaskState, string> = {
  working: "working",
  input_required: "input required",
  completed: "completed",
  failed: "failed",
  cancelled: "cancelled",
  unfinished: "unfinished (the session ended first)",
  expired: "expired (nothing heard of it past its ttl)",
};

/**
 * A call's outcome in words where calls are listed: a call that created a task says so, and one whose task
 * still runs shows the task's state, as it has no outcome yet.
 */
export function callOutcomeText(call: { outcome: string | null; task: { state: TaskState } | null }): string {
  if (call.task === null) return call.outcome ?? "";
  if (call.outcome === null || isRunningTask(call.task.state))
    return `${TASK_STATE_TEXT[call.task.state]} (task)`;
  return `${call.outcome} (task ${call.task.state})`;
}
