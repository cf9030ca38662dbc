/**
 * After an engine crash: the servers it had launched (launch-records.ts). A starting engine claims each
 * record whose engine is gone, stops every recorded process group whose leader is still the very process
 * that was launched (same pid and same start ticks: a pid another process got since is never signalled),
 * records one event per group it stopped, and hands back the servers the user had started so that they
 * are started again. The claimed servers go into this engine's own record before the dead engine's file
 * is removed, so that an engine that dies in turn while reclaiming leaves them to the next one. Without start ticks (off Linux) a process cannot be told from a reused pid, so it is
 * left alone and only its server is started again.
 */
import { readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { TrackedEvent } from "../events/tracker.js";
import { processStat } from "../process-start.js";
import { wrapperAlive } from "../store/lost-sessions.js";
import {
  type LaunchedServer,
  type LaunchFile,
  type LaunchRecords,
  launchedFolder,
} from "./launch-records.js";
import { DEFAULT_STOP_GRACE_MS } from "./stop-grace.js";

export const ORPHAN_STOPPED_EVENT = "server.orphan_stopped";

export interface ReclaimOptions {
  track(event: TrackedEvent): void;
  /** How long a group has after SIGTERM before SIGKILL (default 2 s). */
  graceMs?: number;
  onProblem?(message: string): void;
  /** This engine's own record, which takes over the claimed servers. */
  records?: Pick<LaunchRecords, "adopt" | "exited" | "stopped">;
}

export interface Reclaimed {
  /** The servers the user had started in the dead engines, to start again. */
  restart: Array<{ id: string; name: string }>;
  /** How many process groups were still running and were stopped. */
  stopped: number;
}

export async function reclaimLaunched(dataDir: string, options: ReclaimOptions): Promise<Reclaimed> {
  const folder = launchedFolder(dataDir);
  let names: string[];
  try {
    names = readdirSync(folder).filter((name) => name.endsWith(".json"));
  } catch {
    return { restart: [], stopped: 0 };
  }
  const restart = new Map<string, { id: string; name: string }>();
  const orphans: LaunchedServer[] = [];
  for (const name of names) {
    const claimed = claim(folder, name, options.onProblem);
    if (!claimed) continue;
    const adopted: LaunchedServer[] = [];
    // A quit cut short (the engine killed while it stopped its servers): what is left is stopped, and
    // nothing is the user's to run any more.
    const quit = claimed.content.quit === true;
    for (const server of claimed.content.servers) {
      if (!quit) restart.set(server.id, { id: server.id, name: server.name });
      const running = leaderRunning(server);
      if (running) orphans.push(server);
      if (!quit) adopted.push(running ? server : { ...server, pid: null, startTicks: null });
    }
    if (adopted.length > 0) options.records?.adopt(adopted);
    remove(claimed.taken, options.onProblem);
  }
  const graceMs = options.graceMs ?? DEFAULT_STOP_GRACE_MS;
  const stopped = await Promise.all(orphans.map((server) => stopGroup(server, graceMs)));
  for (const [i, server] of orphans.entries()) {
    if (!stopped[i]) continue;
    options.records?.exited(server.id, server.pid);
    options.track({
      category: "system",
      type: ORPHAN_STOPPED_EVENT,
      severity: "medium",
      server: server.name,
      message: `stopped ${server.name} (pid ${server.pid}): the mcpscope engine that ran it had ended without stopping it`,
      details: { serverId: server.id, pid: server.pid },
    });
  }
  return { restart: [...restart.values()], stopped: stopped.filter(Boolean).length };
}

/** Where the servers to start again are started, if they are still configured. */
export interface RestartTarget {
  has(id: string): boolean;
  start(id: string): Promise<{ ok: boolean; message: string }>;
  /** The engine is closing: start nothing more. */
  closed(): boolean;
}

/** Reclaims what dead engines launched, then starts again the servers the user had started there. */
export async function reclaimAndRestart(
  dataDir: string,
  options: ReclaimOptions & { servers: RestartTarget },
): Promise<void> {
  const { restart } = await reclaimLaunched(dataDir, options);
  for (const { id, name } of restart) {
    if (options.servers.closed()) return;
    if (!options.servers.has(id)) {
      options.onProblem?.(`${name} was running before the engine ended, but is no longer configured`);
      options.records?.stopped(id);
      continue;
    }
    const result = await options.servers.start(id);
    if (!result.ok) options.onProblem?.(`cannot start ${name} again: ${result.message}`);
  }
}

/**
 * Takes a dead engine's record for this engine alone (a rename: of two engines starting at once, one
 * wins) and reads it; null for a live engine's record or one another engine took first. The caller
 * removes the taken file once it holds the servers. A file that is not a launch record is removed, and
 * said, so that it stops no later reclaim.
 */
function claim(
  folder: string,
  name: string,
  onProblem?: (message: string) => void,
): { content: LaunchFile; taken: string } | null {
  const file = join(folder, name);
  let content: unknown;
  try {
    content = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== undefined) return null;
    content = null;
  }
  const launch = isLaunchFile(content) ? content : null;
  // A file handed over by an engine that lost the lease is the holder's now, though that engine lives.
  if (launch && !launch.handedOver) {
    const { engine } = launch;
    if (wrapperAlive({ pid: engine.pid, startTicks: engine.startTicks, startedAt: engine.startedAt }))
      return null;
  }
  const taken = `${file}.${process.pid}.claimed`;
  try {
    renameSync(file, taken);
  } catch {
    return null;
  }
  if (launch) return { content: launch, taken };
  onProblem?.(`removed ${file}: it is not a record of the servers an engine launched`);
  remove(taken, onProblem);
  return null;
}

function remove(file: string, onProblem?: (message: string) => void): void {
  try {
    rmSync(file, { force: true });
  } catch (error) {
    onProblem?.(`cannot remove ${file}: ${(error as Error).message}`);
  }
}

const isInt = (value: unknown): value is number => Number.isInteger(value);
const isIntOrNull = (value: unknown): boolean => value === null || isInt(value);

function isLaunchFile(value: unknown): value is LaunchFile {
  if (typeof value !== "object" || value === null) return false;
  const { engine, servers, quit, handedOver } = value as Partial<LaunchFile>;
  if (typeof engine !== "object" || engine === null) return false;
  if (quit !== undefined && quit !== true) return false;
  if (handedOver !== undefined && handedOver !== true) return false;
  if (!isInt(engine.pid) || !isIntOrNull(engine.startTicks) || typeof engine.startedAt !== "number")
    return false;
  return (
    Array.isArray(servers) &&
    servers.every(
      (s: Partial<LaunchedServer> | null) =>
        typeof s === "object" &&
        s !== null &&
        typeof s.id === "string" &&
        typeof s.name === "string" &&
        isIntOrNull(s.pid) &&
        isIntOrNull(s.startTicks),
    )
  );
}

/** Whether the recorded leader still runs as the process that was launched (not a zombie, not a reuse). */
function leaderRunning(server: LaunchedServer): boolean {
  if (server.pid === null || server.startTicks === null) return false;
  const stat = processStat(server.pid);
  return stat !== null && stat.startTicks === server.startTicks && stat.state !== "Z";
}

/** SIGTERM to the group, SIGKILL after `graceMs`; true once the leader is gone. */
async function stopGroup(server: LaunchedServer, graceMs: number): Promise<boolean> {
  for (const signal of ["SIGTERM", "SIGKILL"] as const) {
    if (!leaderRunning(server)) return true;
    signalGroup(server.pid as number, signal);
    if (await gone(server, signal === "SIGTERM" ? graceMs : graceMs * 2)) return true;
  }
  return !leaderRunning(server);
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // Gone meanwhile.
    }
  }
}

const POLL_MS = 25;

function gone(server: LaunchedServer, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  return new Promise((resolve) => {
    const check = () => {
      if (!leaderRunning(server)) resolve(true);
      else if (Date.now() >= until) resolve(false);
      else setTimeout(check, POLL_MS);
    };
    check();
  });
}
