/**
 * Recording an administrative action from code that holds a data dir rather than a database or writer
 * (instrument, uninstrument, CLI commands). Fail-open: the action already happened; an audit log that
 * cannot be written returns false and never turns the action into a failure.
 */
import { userInfo } from "node:os";
import { databasePath } from "../paths.js";
import { openDb } from "../store/db.js";
import { type AdminAction, recordAdminAction } from "./audit-log.js";

/** The local user, as the actor of actions taken on this machine. */
export function localActor(): string {
  try {
    return userInfo().username;
  } catch {
    return "unknown";
  }
}

export function auditAdminAction(dataDir: string, action: AdminAction): boolean {
  try {
    const db = openDb(databasePath(dataDir), { busyTimeoutMs: 2000 });
    try {
      recordAdminAction(db, { actor: localActor(), ...action });
      return true;
    } finally {
      db.close();
    }
  } catch {
    return false;
  }
}
