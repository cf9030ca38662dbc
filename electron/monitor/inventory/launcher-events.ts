/**
 * One event when the mcpscope a wrapped entry runs goes (its client can no longer start it), and one when
 * it is back (repaired, or the install put back): once per entry and change, not at every scan, and not
 * again after an engine restart — the entry's last such event is read back from the database.
 */
import type { DiscoveredServer } from "../discovery/types.js";
import type { EventTracker } from "../events/tracker.js";
import { launcherGoneMessage } from "../instrument/instrument-status.js";
import type { Db } from "../store/db.js";

export const LAUNCHER_GONE = "instrument.launcher_gone";
export const LAUNCHER_BACK = "instrument.launcher_back";

export class LauncherEvents {
  /** By entry id: whether its mcpscope was gone at the last look. */
  private readonly gone = new Map<string, boolean>();

  constructor(
    private readonly db: Db,
    private readonly tracker: EventTracker,
    /** The data dir, when it is not the default (named in the repair command). */
    private readonly dataDir?: string,
  ) {}

  /** Compares each entry mcpscope wrapped with its last state, and records the changes. */
  note(servers: readonly DiscoveredServer[]): void {
    for (const server of servers) {
      if (!server.wrapped || server.wrapped.byHand || !server.location) continue;
      const { id, name, client, file, launcherGone } = server.definition;
      const now = launcherGone !== undefined;
      const before = this.gone.get(id) ?? this.lastRecorded(id, name);
      this.gone.set(id, now);
      if (now === before) continue;
      const where = `${name} (${client}) in ${file}`;
      this.tracker.track({
        category: "system",
        type: now ? LAUNCHER_GONE : LAUNCHER_BACK,
        severity: now ? "high" : "info",
        server: name,
        message: now
          ? launcherGoneMessage(where, launcherGone, this.dataDir)
          : `${where}: its client can start it again (the mcpscope it runs is there)`,
        details: { client, file, entry: id, ...(now ? { launcher: launcherGone } : {}) },
      });
    }
  }

  /** Whether the entry's last recorded change says its mcpscope is gone (false when none is stored). */
  private lastRecorded(id: string, name: string): boolean {
    try {
      const row = this.db
        .prepare(
          `SELECT type FROM events WHERE type IN (?, ?) AND server = ? AND json_extract(details, '$.entry') = ?
           ORDER BY id DESC LIMIT 1`,
        )
        .get(LAUNCHER_GONE, LAUNCHER_BACK, name, id) as { type: string } | undefined;
      return row?.type === LAUNCHER_GONE;
    } catch {
      return false;
    }
  }
}
