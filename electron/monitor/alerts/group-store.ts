/** Notification groups (alert_groups): what each group last told its channels, and when. */
import { isStorableTime } from "../../../shared/units.js";
import type { Db } from "../store/db.js";
import type { GroupState } from "./dispatcher.js";

/** The stored groups; one that cannot be read is left out (it starts afresh) and named to `invalid`. */
export function loadGroups(
  db: Db,
  invalid: (key: string, problem: string) => void = () => {},
): Map<string, GroupState> {
  const out = new Map<string, GroupState>();
  for (const row of db.prepare("SELECT * FROM alert_groups").all()) {
    const key = String(row.key);
    let sentFiring: unknown;
    try {
      sentFiring = JSON.parse(String(row.sent_firing));
    } catch {
      sentFiring = null;
    }
    const firstSeenAt = Number(row.first_seen_at);
    const lastSentAt = row.last_sent_at === null ? null : Number(row.last_sent_at);
    if (
      !Array.isArray(sentFiring) ||
      !isStorableTime(firstSeenAt) ||
      (lastSentAt !== null && !isStorableTime(lastSentAt))
    ) {
      invalid(key, "its stored state is not readable");
      continue;
    }
    out.set(key, { key, firstSeenAt, lastSentAt, sentFiring: sentFiring.map(String) });
  }
  return out;
}

/** Upserts changed groups and deletes forgotten ones; call inside a transaction. */
export function saveGroups(db: Db, groups: readonly GroupState[], forget: readonly string[]): void {
  const upsert = db.prepare(
    `INSERT INTO alert_groups (key, first_seen_at, last_sent_at, sent_firing) VALUES (?, ?, ?, ?)
     ON CONFLICT(key) DO UPDATE SET first_seen_at = excluded.first_seen_at, last_sent_at = excluded.last_sent_at,
       sent_firing = excluded.sent_firing`,
  );
  for (const g of groups) upsert.run(g.key, g.firstSeenAt, g.lastSentAt, JSON.stringify(g.sentFiring));
  const del = db.prepare("DELETE FROM alert_groups WHERE key = ?");
  for (const key of forget) del.run(key);
}
