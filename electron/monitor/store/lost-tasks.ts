/**
 * The task-augmented calls of a session closed as lost (lost-sessions.ts): its wrapper died without seeing
 * their tasks end, so they would stay running for ever. They end as the wrapper ends them when its session
 * closes first — `disconnected`, the task `unfinished` — at the session's last recorded activity (or their
 * task's last news, if later), through the late-answer correction, so the rollups count each once.
 */
import { addTaskUpdate, UNFINISHED_TASK_MESSAGE } from "../../../shared/tasks.js";
import { correctStoredCall } from "../metrics/call-correction.js";
import type { Db } from "./db.js";
import { encodeTaskUpdates, RUNNING_WHERE, readTaskUpdates } from "./task-columns.js";

/** Ends the calls of session `sessionId` whose task still runs, at `endedAt`; returns how many. Call in a transaction. */
export function endLostTasks(db: Db, sessionId: string, endedAt: number): number {
  const running = db
    .prepare(
      `SELECT session_id, direction, request_id, started_at, task_id, task_updates, bytes_out, progress_count,
         rounds, response FROM calls INDEXED BY calls_session WHERE session_id = ? AND ${RUNNING_WHERE}`,
    )
    .all(sessionId);
  for (const row of running) {
    const updates = readTaskUpdates(row.task_updates);
    const at = Math.max(endedAt, Number(row.started_at), ...updates.map((u) => u.at));
    addTaskUpdate(updates, { at, state: "unfinished", message: UNFINISHED_TASK_MESSAGE });
    correctStoredCall(db, {
      ...row,
      duration_ms: at - Number(row.started_at),
      outcome: "disconnected",
      error_code: null,
      error_message: UNFINISHED_TASK_MESSAGE,
      task_state: "unfinished",
      task_updates: encodeTaskUpdates(updates),
    });
  }
  return running.length;
}
