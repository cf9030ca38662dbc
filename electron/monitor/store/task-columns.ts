/**
 * How a call's task (task-calls.ts) is kept in its row: `task_id`, `task_state` and `task_updates` (its
 * status changes as JSON: `[[epoch ms, state, message], …]`), and read back for the API.
 */
import {
  isRunningTask,
  RUNNING_TASK_STATES,
  TASK_STATES,
  type TaskState,
  type TaskUpdate,
} from "../../../shared/tasks.js";
import { capText } from "../pipeline/cap-text.js";
import type { CallTask } from "../protocol/observations.js";
import type { SqlValue } from "./db.js";

/** A status message kept of each change, in characters. */
const MESSAGE_CHARS = 500;

/**
 * The condition on a `calls` row that keeps it in the figures: a call whose task still runs has no outcome
 * yet (its stored one is a stand-in), so it counts nowhere until its end is stored.
 */
const RUNNING_SQL = RUNNING_TASK_STATES.map((s) => `'${s}'`).join(", ");
export const ENDED_WHERE = `(task_state IS NULL OR task_state NOT IN (${RUNNING_SQL}))`;
/** The condition on a `calls` row of a call still working: its task runs (the `running` filter). */
export const RUNNING_WHERE = `task_state IN (${RUNNING_SQL})`;

/** The task columns of a call's row; `mask` masks a text the server wrote. */
export function taskColumns(
  task: CallTask | undefined,
  mask: (text: string) => string,
): Record<"task_id" | "task_state" | "task_updates", SqlValue> {
  if (!task) return { task_id: null, task_state: null, task_updates: null };
  const updates = task.updates.map((u) => ({
    ...u,
    message: u.message === null ? null : capText(mask(u.message), MESSAGE_CHARS),
  }));
  return {
    task_id: capText(mask(task.id), 256),
    task_state: task.state,
    task_updates: encodeTaskUpdates(updates),
  };
}

/** A task's status changes as `task_updates` holds them (their messages masked and capped already). */
export function encodeTaskUpdates(updates: readonly TaskUpdate[]): string {
  return JSON.stringify(updates.map((u) => [u.at, u.state, u.message]));
}

/** Whether a stored row counts in the figures (see ENDED_WHERE). */
export function rowEnded(row: Record<string, SqlValue | undefined>): boolean {
  return !isRunningTask(
    row.task_state === null || row.task_state === undefined ? null : String(row.task_state),
  );
}

const STATES: ReadonlySet<string> = new Set(TASK_STATES);

/** A row's task as the API tells it: null for a call that created none. */
export function readTask(row: Record<string, SqlValue | undefined>): { id: string; state: TaskState } | null {
  if (row.task_id === null || row.task_id === undefined) return null;
  const state = String(row.task_state);
  return { id: String(row.task_id), state: STATES.has(state) ? (state as TaskState) : "working" };
}

/** A row's task status changes, oldest first. */
export function readTaskUpdates(text: SqlValue | undefined): TaskUpdate[] {
  if (typeof text !== "string") return [];
  try {
    const parsed: unknown = JSON.parse(text);
    if (!Array.isArray(parsed)) return [];
    return parsed.flatMap((u) =>
      Array.isArray(u) && typeof u[0] === "number" && STATES.has(String(u[1]))
        ? [{ at: u[0], state: u[1] as TaskState, message: typeof u[2] === "string" ? u[2] : null }]
        : [],
    );
  } catch {
    return [];
  }
}
