/**
 * Whether an older mcpscope may still be writing here. Once the database is upgraded no older writer starts
 * a session (a wrapper meeting a newer schema records nothing; the first release's is stopped by the
 * sessions trigger), but one that was recording before the upgrade carries on, with the formats it knows:
 * a session begun before the newest upgrade whose wrapper still runs.
 */
import { UPGRADED_EVENT } from "./before-upgrade.js";
import type { Db } from "./db.js";
import { liveSessionBegunBefore } from "./lost-sessions.js";

export function olderWriterRecording(db: Db): boolean {
  const upgraded = db
    .prepare("SELECT MAX(time) AS time FROM events WHERE type = ?")
    .get(UPGRADED_EVENT)?.time;
  return typeof upgraded === "number" && liveSessionBegunBefore(db, upgraded);
}
