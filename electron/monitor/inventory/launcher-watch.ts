/**
 * Whether the mcpscope each wrapped entry runs is still there: looked for at every scan of the configs,
 * and again every minute, since an install can go while no config changes (an npx cache cleaned). One
 * event when it goes (its client can no longer start the entry), and one when it is back (repaired, or
 * the install put back): once per entry and change, not at every scan, and not again after an engine
 * restart — the entry's last such event is read back from the database.
 */
import { recheckLaunchers } from "../discovery/discover.js";
import type { DiscoveredServer } from "../discovery/types.js";
import type { EventTracker } from "../events/tracker.js";
import { launcherGoneMessage } from "../instrument/instrument-status.js";
import type { Db } from "../store/db.js";

export const LAUNCHER_GONE = "instrument.launcher_gone";
export const LAUNCHER_BACK = "instrument.launcher_back";

/** How often the wrapped entries' launchers are looked for between scans. */
export const LAUNCHER_CHECK_MS = 60_000;

export interface LauncherWatchOptions {
  db: Db;
  tracker: EventTracker;
  /** The data dir (named in the repair command when it is not the default). */
  dataDir: string;
  /** The servers as last discovered, and what to do with them when a launcher went or came back. */
  servers: () => readonly DiscoveredServer[];
  update: (servers: DiscoveredServer[]) => void;
  intervalMs?: number;
}

export class LauncherWatch {
  /** By entry id: whether its mcpscope was gone at the last look. */
  private readonly gone = new Map<string, boolean>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly options: LauncherWatchOptions) {}

  start(): void {
    this.timer = setInterval(() => {
      const next = recheckLaunchers(this.options.servers());
      if (next) this.options.update(next);
    }, this.options.intervalMs ?? LAUNCHER_CHECK_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

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
      this.options.tracker.track({
        category: "system",
        type: now ? LAUNCHER_GONE : LAUNCHER_BACK,
        severity: now ? "high" : "info",
        server: name,
        message: now
          ? launcherGoneMessage(where, launcherGone, this.options.dataDir)
          : `${where}: its client can start it again (the mcpscope it runs is there)`,
        details: { client, file, entry: id, ...(now ? { launcher: launcherGone } : {}) },
      });
    }
  }

  /** Whether the entry's last recorded change says its mcpscope is gone (false when none is stored). */
  private lastRecorded(id: string, name: string): boolean {
    try {
      const row = this.options.db
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
