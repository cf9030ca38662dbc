/**
 * Whether the mcpscope each wrapped entry runs is still there: looked for at every scan of the configs,
 * and again every minute, since an install can go while no config changes (an npx cache cleaned). One
 * event when it goes (its client can no longer start the entry), and one when it is back (repaired, or
 * the install put back); one when it runs another mcpscope install than this one (after an upgrade, an
 * older install's wrapper may no longer record here): once per entry and change, not at every scan, and
 * not again after an engine restart — the entry's last such event is read back from the database.
 */
import { entryPickFlags, entryPlace } from "../api/entry-pick.js";
import { recheckLaunchers } from "../discovery/discover.js";
import type { DiscoveredServer } from "../discovery/types.js";
import type { EventTracker } from "../events/tracker.js";
import { launcherGoneMessage, launcherOtherMessage } from "../instrument/instrument-status.js";
import type { Db } from "../store/db.js";

export const LAUNCHER_GONE = "instrument.launcher_gone";
export const LAUNCHER_BACK = "instrument.launcher_back";
/** A wrapped entry runs another mcpscope install, still there (or another than at the last look). */
export const LAUNCHER_OTHER = "instrument.launcher_other";

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

/** What an entry's launcher was at a look: its mcpscope gone, another install (and which), or this one. */
type LauncherState = "gone" | "ok" | `other:${string}`;

export class LauncherWatch {
  /** By entry id: its launcher's state at the last look. */
  private readonly states = new Map<string, LauncherState>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly options: LauncherWatchOptions) {}

  start(): void {
    this.timer = setInterval(() => {
      const next = recheckLaunchers(this.options.servers(), this.options.dataDir);
      if (next) this.options.update(next);
    }, this.options.intervalMs ?? LAUNCHER_CHECK_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Compares each entry mcpscope wrapped with its last state, and records the changes. */
  note(servers: readonly DiscoveredServer[]): void {
    const place = (s: DiscoveredServer) => ({
      client: s.definition.client,
      server: s.definition.name,
      ...entryPlace(s.location?.file ?? "", s.definition.scope, s.location?.path ?? []),
    });
    // Flags unique among the wrapped entries are unique among those recorded, which --repair acts on.
    const wrapped = servers.filter((s) => s.wrapped && s.location).map(place);
    for (const server of servers) {
      if (!server.wrapped || server.wrapped.byHand || !server.location) continue;
      const { id, name, client, file, launcherGone, launcherOther } = server.definition;
      // One recording into another data dir is that data dir's install's business: its launcher is not said.
      const other = server.wrapped.recordsElsewhere ? undefined : launcherOther;
      const now: LauncherState = launcherGone !== undefined ? "gone" : other ? `other:${other.path}` : "ok";
      const before = this.states.get(id) ?? this.lastRecorded(id, name);
      this.states.set(id, now);
      if (now === before) continue;
      const where = `${name} (${client}) in ${file}`;
      const details = { client, file, entry: id };
      if (launcherGone !== undefined)
        this.options.tracker.track({
          category: "system",
          type: LAUNCHER_GONE,
          severity: "high",
          server: name,
          message: launcherGoneMessage(where, launcherGone, this.options.dataDir),
          details: { ...details, launcher: launcherGone },
        });
      else if (other)
        // A notice: the other install may be newer, or chosen; only one known to be older cannot record.
        this.options.tracker.track({
          category: "system",
          type: LAUNCHER_OTHER,
          severity: other.older ? "medium" : "info",
          server: name,
          message: launcherOtherMessage(
            where,
            other,
            this.options.dataDir,
            entryPickFlags(place(server), wrapped),
          ),
          details: { ...details, launcher: other.path, version: other.version, older: other.older },
        });
      else
        this.options.tracker.track({
          category: "system",
          type: LAUNCHER_BACK,
          severity: "info",
          server: name,
          message:
            before === "gone"
              ? `${where}: its client can start it again (the mcpscope it runs is there)`
              : `${where} runs this mcpscope again`,
          details,
        });
    }
  }

  /** The entry's launcher state by its last recorded change ("ok" when none is stored). */
  private lastRecorded(id: string, name: string): LauncherState {
    try {
      const row = this.options.db
        .prepare(
          `SELECT type, json_extract(details, '$.launcher') AS launcher FROM events
           WHERE type IN (?, ?, ?) AND server = ? AND json_extract(details, '$.entry') = ?
           ORDER BY id DESC LIMIT 1`,
        )
        .get(LAUNCHER_GONE, LAUNCHER_OTHER, LAUNCHER_BACK, name, id) as
        | { type: string; launcher: string | null }
        | undefined;
      if (row?.type === LAUNCHER_GONE) return "gone";
      return row?.type === LAUNCHER_OTHER ? `other:${row.launcher}` : "ok";
    } catch {
      return "ok";
    }
  }
}
