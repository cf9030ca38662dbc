/**
 * Copies of the CLI in `<dataDir>/runtime/` stay bounded. Every update or rebuild that instruments from a
 * place that does not last makes a new copy (stable-cli.ts) of 7–8 MB; one that nothing runs any more is
 * removed. A copy is kept while
 *  - it is this install's own (the one `instrument` points entries at),
 *  - an entry of any client's config, or of any file mcpscope instrumented, runs it,
 *  - a running wrapper runs from it (a client keeps a session's process for as long as it lives),
 *  - or something was seen using it within the last day (its folder's time: made, reused, run, moved off
 *    by `--repair` or `uninstrument`): a client that has not restarted since its entry changed still starts
 *    the old command line.
 * When what runs is in doubt — a config that cannot be read, this install's own files — no copy is removed,
 * and the answer says why. A wrapper whose command line cannot be read (off Linux) and that did not say
 * what it runs (one from before its presence file named its script) may run any copy that was there when
 * it started: those are kept, and one made since goes as usual.
 * A copy goes by being renamed aside first (stable-cli.ts moveAside), so a half-removed one is never run.
 */
import { readFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { isAbsolute, join } from "node:path";
import type { RuntimePrune } from "../../../shared/storage.js";
import { CLIENT_READERS } from "../discovery/clients/index.js";
import { defaultDiscoveryContext } from "../discovery/context.js";
import { type CandidateFile, discoverServers, readConfigFiles } from "../discovery/discover.js";
import { insertEvent } from "../events/tracker.js";
import { databasePath } from "../paths.js";
import { type Db, openDb } from "../store/db.js";
import { treeBytes } from "../store/file-sizes.js";
import { liveSessions, wrapperAlive } from "../store/lost-sessions.js";
import { runtimePrunedEvent } from "../store/storage-events.js";
import { VERSION } from "../version.js";
import { wrapperPresenceFiles } from "../wrapper-presence.js";
import { cliInstallRoot } from "./launcher.js";
import { launcherScripts } from "./launcher-check.js";
import { readRecords, recordsPath } from "./records.js";
import { copyOf, holdsAny, readRuntimeFolder } from "./runtime-copies.js";
import { markCopyUsed, moveAside, stableCliName } from "./stable-cli.js";

/** How long a copy nothing runs is kept after something was last seen using it. */
export const RUNTIME_UNUSED_MS = 24 * 3_600_000;

export interface RuntimePruneOptions {
  dataDir: string;
  /** For the open sessions' wrappers (those from before wrappers named their script). */
  db: Db;
  /** Read client configs under this folder instead of the home folder (`--home`, for testing). */
  home?: string;
  now?: number;
  /** This install's own copy's folder name (default: this process's install, stableCliName). */
  ownCopy?: string | null;
  /** A process's command line, null where it cannot be read (default: Linux's /proc; none elsewhere). */
  commandLine?: (pid: number) => string[] | null;
}

/** A running wrapper that does not say which mcpscope it runs, and when it started (epoch ms). */
interface UntoldWrapper {
  pid: number;
  startedAt: number;
}

/** What entries run: their scripts, and the files whose entries could not be read. */
async function entryScripts(dataDir: string, home?: string): Promise<{ scripts: string[]; doubt: string[] }> {
  const ctx = await defaultDiscoveryContext({ home });
  const found = await discoverServers(ctx, { dataDir });
  const doubt = [...(found.unreadable ?? [])];
  // Files mcpscope instrumented that discovery did not read this time (a project folder it was not given).
  const read = new Set([...found.servers.map((s) => s.location?.file), ...found.warnings.map((w) => w.file)]);
  const extra: CandidateFile[] = [];
  try {
    for (const record of await readRecords(dataDir)) {
      if (read.has(record.file) || extra.some((c) => c.file === record.file)) continue;
      const reader = CLIENT_READERS.find((r) => r.id === record.client);
      if (reader) extra.push({ reader, file: record.file, scope: record.scope ?? "project" });
      else doubt.push(record.file);
    }
  } catch {
    doubt.push(recordsPath(dataDir));
  }
  const more = await readConfigFiles(extra, ctx);
  doubt.push(...(more.unreadable ?? []));
  const scripts = [...found.servers, ...more.servers].flatMap((s) =>
    s.rawCommand === null ? [] : launcherScripts(s.rawCommand, s.rawArgs),
  );
  return { scripts, doubt };
}

/** A process's command line (Linux's /proc); null where it cannot be read. */
function commandLine(pid: number): string[] | null {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    return argv[argv.length - 1] === "" ? argv.slice(0, -1) : argv;
  } catch {
    return null;
  }
}

/** The paths running wrappers run (every absolute argument of each), and the wrappers that could not be told. */
function wrapperPaths(
  dataDir: string,
  db: Db,
  readCommandLine: (pid: number) => string[] | null,
): { paths: string[]; unknown: UntoldWrapper[] } {
  const wrappers = new Map<number, { script?: string; startedAt: number }>();
  for (const { presence } of wrapperPresenceFiles(dataDir))
    if (presence && presence.pid !== process.pid && wrapperAlive(presence))
      wrappers.set(presence.pid, { script: presence.script, startedAt: presence.startedAt });
  for (const session of liveSessions(db))
    if (!wrappers.has(session.wrapperPid)) wrappers.set(session.wrapperPid, { startedAt: session.startedAt });
  const paths: string[] = [];
  const unknown: UntoldWrapper[] = [];
  for (const [pid, { script, startedAt }] of wrappers) {
    const argv = readCommandLine(pid);
    if (argv) paths.push(...argv.filter((arg) => isAbsolute(arg)));
    else if (script) paths.push(script);
    else unknown.push({ pid, startedAt });
  }
  return { paths, unknown };
}

/**
 * Why `copy` may be what a wrapper that did not say runs: it was there when that wrapper started (or when
 * it was made is not recorded); null when every such wrapper started before it was made. The data dir is
 * local (SQLite's WAL needs it), and a file system's clock lags the process's by a tick at most: a copy
 * made just after a wrapper started may look older and be kept, never the other way round.
 */
function heldByUntold(copy: { madeAt: number }, wrappers: readonly UntoldWrapper[]): string | null {
  const holder = wrappers.find(
    (w) => !(copy.madeAt > 0 && Number.isFinite(w.startedAt) && copy.madeAt > w.startedAt),
  );
  return holder ? `a running wrapper (pid ${holder.pid}) does not say which mcpscope it runs` : null;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** This install's own copy's name; null when its files cannot be read. Its files do not change while it runs. */
let ownCopy: { name: string | null } | null = null;
function ownCopyName(): string | null {
  if (!ownCopy) {
    try {
      ownCopy = { name: stableCliName(cliInstallRoot(), VERSION) };
    } catch {
      ownCopy = { name: null };
    }
  }
  return ownCopy.name;
}

/**
 * Removes the copies nothing runs and leftovers of processes that ended; returns what it removed, or null
 * when there was nothing to look at (no copy older than a day but this install's). Never throws.
 */
export async function pruneRuntimeCopies(options: RuntimePruneOptions): Promise<RuntimePrune | null> {
  const { dataDir, db } = options;
  const now = options.now ?? Date.now();
  const folder = readRuntimeFolder(dataDir);
  if (!holdsAny(folder)) return null;
  const own = options.ownCopy === undefined ? ownCopyName() : options.ownCopy;
  const stale = folder.copies.filter((c) => c.name !== own && now - c.usedAt >= RUNTIME_UNUSED_MS);
  // Another process's leftover is its own business while it runs (a copy it is making or deleting).
  const leftovers = folder.leftovers.filter((l) => l.pid === process.pid || !alive(l.pid));
  if (stale.length === 0 && leftovers.length === 0) return null;
  const result: RuntimePrune = { dir: folder.dir, removed: [], bytes: 0, heldBack: null };
  // Deleted off the engine's thread: a copy is some 200 files.
  const remove = async (name: string, aside: (path: string) => string | null) => {
    const path = join(folder.dir, name);
    const bytes = treeBytes(path);
    const gone = aside(path);
    if (gone === null) return;
    await rm(gone, { recursive: true, force: true }).catch(() => {});
    result.removed.push({ name, bytes });
    result.bytes += bytes;
  };
  // Nothing runs a leftover: an entry names a copy's own folder.
  for (const { name } of leftovers) await remove(name, (path) => path);
  if (stale.length === 0) return result.removed.length > 0 ? result : null;
  let used = new Set<string>();
  let doubt: string | null;
  let untold: UntoldWrapper[] = [];
  try {
    const entries = await entryScripts(dataDir, options.home);
    const wrappers = wrapperPaths(dataDir, db, options.commandLine ?? commandLine);
    used = new Set([...entries.scripts, ...wrappers.paths].flatMap((path) => copyOf(path, dataDir) ?? []));
    untold = wrappers.unknown;
    doubt =
      own === null
        ? "this mcpscope's own files cannot be read, so which copy is its own is not known"
        : entries.doubt[0] !== undefined
          ? `${entries.doubt[0]} cannot be read, so what its entries run is not known`
          : null;
  } catch (error) {
    doubt = `what runs them cannot be told (${(error as Error).message})`;
  }
  for (const copy of stale) {
    const path = join(folder.dir, copy.name);
    const held = doubt ?? heldByUntold(copy, untold);
    if (used.has(copy.name)) markCopyUsed(path, now);
    else if (held === null) await remove(copy.name, (p) => moveAside(p, "removed"));
    else result.heldBack = held;
  }
  return result.removed.length > 0 || result.heldBack ? result : null;
}

/**
 * The pruning after `instrument` or `--repair` (which may have made a new copy, or moved entries off an old
 * one), with its event; null when it did nothing or the database cannot be opened. Fail-open: the config
 * is already changed.
 */
export async function pruneAfterConfigChange(dataDir: string, home?: string): Promise<RuntimePrune | null> {
  if (!holdsAny(readRuntimeFolder(dataDir))) return null;
  let db: Db;
  try {
    db = openDb(databasePath(dataDir), { busyTimeoutMs: 2000 });
  } catch {
    return null;
  }
  try {
    const now = Date.now();
    const prune = await pruneRuntimeCopies({ dataDir, db, home, now });
    const event = runtimePrunedEvent(prune, now);
    if (event) db.transaction(() => insertEvent(db, event));
    return prune;
  } catch {
    return null;
  } finally {
    db.close();
  }
}
