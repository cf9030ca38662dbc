/**
 * The one event that says the data dir's audit key cannot be had — a file that holds no key (empty,
 * edited by hand, unreadable) or a data dir that cannot take one: a session's call records then keep no
 * argument digest and its tool lists are not compared with their pins, while its calls are stored all the
 * same. Raised once per session (once an hour for health probes, which have none).
 */
import { insertEvent } from "../security/security-event.js";
import type { Db } from "../store/db.js";
import { auditKey } from "./audit-key.js";

export const KEY_UNAVAILABLE = "audit_key.unavailable";

const QUIET_MS = 60 * 60_000;

/** Why the data dir's key cannot be had, or null when it can. */
export function auditKeyProblem(dataDir: string): string | null {
  try {
    auditKey(dataDir);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

export function noteKeyUnavailable(
  db: Db,
  at: { server: string; sessionId: string | null; time: number },
  why: string,
): void {
  const said = at.sessionId
    ? db
        .prepare("SELECT 1 AS x FROM events WHERE type = ? AND server = ? AND session_id = ? LIMIT 1")
        .get(KEY_UNAVAILABLE, at.server, at.sessionId)
    : db
        .prepare(
          "SELECT 1 AS x FROM events WHERE type = ? AND server = ? AND session_id IS NULL AND time > ? LIMIT 1",
        )
        .get(KEY_UNAVAILABLE, at.server, at.time - QUIET_MS);
  if (said) return;
  insertEvent(db, {
    time: at.time,
    category: "security",
    type: KEY_UNAVAILABLE,
    severity: "medium",
    server: at.server,
    session_id: at.sessionId,
    message: `${at.server}: the audit key cannot be had (${why}): call records keep no argument digest and tool lists are not compared with their pins nor scanned; the calls are recorded all the same`,
    details: JSON.stringify({ reason: why }),
  });
}
