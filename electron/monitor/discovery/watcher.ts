/**
 * Watches the folders of every candidate config file and calls back with the new discovery result when
 * it changed. Folders, not files: editors save by writing a new file and renaming it over the old one,
 * and a config that does not exist yet is noticed when it appears (its nearest existing ancestor is
 * watched until then). Events are debounced. Scans run one at a time, each arming the watch set before it
 * reads, so a change that lands while a scan is reading is always followed by another scan.
 */
import { existsSync, type FSWatcher, watch } from "node:fs";
import { basename, dirname } from "node:path";
import {
  candidateDirs,
  candidateFiles,
  containerDirs,
  type DiscoverOptions,
  type DiscoveryOutcome,
  discoverServers,
} from "./discover.js";
import { manualServersPath } from "./manual-servers.js";
import type { DiscoveryContext } from "./types.js";

export interface WatchOptions extends DiscoverOptions {
  /** Quiet time after the last file event before rescanning; default 300 ms. */
  debounceMs?: number;
}

export interface DiscoveryWatcher {
  /** The first scan's result; changes are reported relative to it. */
  ready: Promise<DiscoveryOutcome>;
  /**
   * Scans now (after the owner changed a config itself) and reports the result if it changed; resolves
   * once a scan that started after this call has been reported. The owner must take its lists from the
   * reports only: a report is skipped when it equals the last one, which is right only if the owner holds
   * that one.
   */
  rescan(): Promise<void>;
  close(): void;
}

/** For a path that may not exist: the nearest existing folder, and the child name that leads to it. */
function watchPoint(path: string): { dir: string; name: string | null } {
  let child = path;
  let dir = dirname(path);
  while (!existsSync(dir) && dirname(dir) !== dir) {
    child = dir;
    dir = dirname(dir);
  }
  return { dir, name: basename(child) };
}

/** Folder → names in it that matter (`null`: every name, for a folder of config files). */
function watchPlan(ctx: DiscoveryContext, options: DiscoverOptions): Map<string, Set<string> | null> {
  const plan = new Map<string, Set<string> | null>();
  const add = (dir: string, name: string | null) => {
    const names = plan.get(dir);
    if (names === null) return;
    if (name === null) plan.set(dir, null);
    else plan.set(dir, (names ?? new Set()).add(name));
  };
  const files = candidateFiles(ctx, options).map((c) => c.file);
  if (options.dataDir) files.push(manualServersPath(options.dataDir));
  for (const file of files) {
    const point = watchPoint(file);
    add(point.dir, point.name);
  }
  // Watched whole: a folder of config files, and a container whose new subfolder brings new config files.
  const folders = [
    ...candidateDirs(ctx, options).map((c) => c.dir),
    ...containerDirs(ctx, options).map((c) => c.dir),
  ];
  for (const dir of folders) {
    if (existsSync(dir)) add(dir, null);
    else add(watchPoint(dir).dir, watchPoint(dir).name);
  }
  return plan;
}

export function watchDiscovery(
  context: DiscoveryContext | (() => Promise<DiscoveryContext>),
  onChange: (outcome: DiscoveryOutcome) => void,
  options: WatchOptions = {},
): DiscoveryWatcher {
  const getContext = typeof context === "function" ? context : async () => context;
  const watchers = new Map<string, FSWatcher>();
  let plan = new Map<string, Set<string> | null>();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let last = "";

  const schedule = () => {
    if (closed) return;
    clearTimeout(timer);
    timer = setTimeout(() => void rescan(), options.debounceMs ?? 300);
  };

  const rewatch = (ctx: DiscoveryContext) => {
    plan = watchPlan(ctx, options);
    for (const [dir, watcher] of watchers) {
      if (!plan.has(dir)) {
        watcher.close();
        watchers.delete(dir);
      }
    }
    for (const dir of plan.keys()) {
      if (watchers.has(dir)) continue;
      try {
        const watcher = watch(dir, { persistent: false }, (_event, filename) => {
          const names = plan.get(dir);
          if (names === null || !filename || names?.has(filename.toString())) schedule();
        });
        watcher.on("error", () => {
          watcher.close();
          watchers.delete(dir);
          schedule();
        });
        watchers.set(dir, watcher);
      } catch {
        // The folder vanished between planning and watching; the next rescan plans again.
      }
    }
  };

  // Armed before reading: a file written after its read raises an event, and so another scan.
  const scan = async (): Promise<DiscoveryOutcome> => {
    const ctx = await getContext();
    if (!closed) rewatch(ctx);
    return discoverServers(ctx, options);
  };

  const ready = scan().then((outcome) => {
    last = JSON.stringify(outcome);
    return outcome;
  });

  // One scan at a time, reported in the order they ran: a slow scan never overwrites a newer one. A
  // request while a scan is queued but not started joins it (that scan reads after the request).
  let tail: Promise<unknown> = ready.catch(() => {});
  let queued: Promise<void> | null = null;
  const rescan = (): Promise<void> => {
    if (queued) return queued;
    const next = tail.then(async () => {
      queued = null;
      if (closed) return;
      // Discovery turns file problems into warnings; anything else (a context that cannot be built)
      // must not become an unhandled rejection: the next file event tries again.
      const outcome = await scan().catch(() => null);
      const snapshot = JSON.stringify(outcome);
      if (outcome && !closed && snapshot !== last) {
        last = snapshot;
        onChange(outcome);
      }
    });
    queued = next;
    tail = next.catch(() => {});
    return next;
  };

  return {
    ready,
    rescan,
    close() {
      closed = true;
      clearTimeout(timer);
      for (const watcher of watchers.values()) watcher.close();
      watchers.clear();
    },
  };
}
