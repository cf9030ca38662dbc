/**
 * What a change to a client's config leaves in the database, whichever front asked for it (the app's
 * Instrument button, `mcpscope instrument`, the API): one audit record and one `system` event of the same
 * type. Fail-open: the config is already changed; a database that cannot be written does not undo that.
 */
import { localActor } from "../audit/admin.js";
import { recordAdminAction } from "../audit/audit-log.js";
import { insertEvent } from "../events/tracker.js";
import { databasePath } from "../paths.js";
import { openDb } from "../store/db.js";

/**
 * What mcpscope does to a client's config entry: the audit record's action, the event's type and the
 * backup's action in the manifest. repair: a wrapped entry re-pointed at this mcpscope (repair.ts).
 */
export type ConfigAction = "instrument" | "uninstrument" | "repair";

export interface ConfigChange {
  action: ConfigAction;
  client: string;
  server: string;
  file: string;
  /** The event's message: what happened to the entry, in a few words. */
  message: string;
  /** Stored with both (masked); the audit record has the file as its target, the event in its details. */
  details: Record<string, unknown>;
}

export function recordConfigChange(dataDir: string, change: ConfigChange): boolean {
  const details = { client: change.client, ...change.details };
  try {
    const db = openDb(databasePath(dataDir), { busyTimeoutMs: 2000 });
    try {
      recordAdminAction(db, {
        actor: localActor(),
        action: change.action,
        server: change.server,
        target: change.file,
        details,
      });
      db.transaction(() =>
        insertEvent(db, {
          category: "system",
          type: change.action,
          severity: "info",
          server: change.server,
          message: change.message,
          details: { ...details, file: change.file },
        }),
      );
      return true;
    } finally {
      db.close();
    }
  } catch {
    return false;
  }
}
