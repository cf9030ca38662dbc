/**
 * What each running engine has launched, on disk, so that the engine after a crash can clean up: one file
 * per engine in `<dataDir>/launched/`, naming the engine (pid and start ticks) and each server the user
 * started in it, with its process group's leader (pid and start ticks) while it runs. Servers lead
 * process groups of their own, so an engine killed outright (SIGKILL, out of memory) leaves them running
 * unsupervised; the file says which groups those are and which servers the user wanted running.
 *
 * An engine the user closes stops its servers and removes its file; one that ends otherwise (a signal to
 * it alone, an uncaught exception) stops them and keeps the file without pids. A file whose engine is gone
 * is what a crash left, and the next engine claims it (orphans.ts). Writing fails open: supervision goes on.
 */
import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { processStartTicks } from "../process-start.js";
import { wrapperAlive } from "../store/lost-sessions.js";
import { ensurePrivateDir, writePrivateFileSync } from "../store/private-files.js";

export const LAUNCHED_FOLDER = "launched";

/** One server an engine runs because the user started it. */
export interface LaunchedServer {
  id: string;
  name: string;
  /** The process group's leader while a process runs; null between runs (backoff) or for a remote server. */
  pid: number | null;
  /** The leader's start ticks (process-start.ts): the same pid with other ticks is another process. */
  startTicks: number | null;
}

/** The file's content. */
export interface LaunchFile {
  engine: { pid: number; startTicks: number | null; startedAt: number };
  servers: LaunchedServer[];
  /**
   * The user quit this engine, which is stopping its servers: an engine that finds the file (the quit was
   * cut short) stops what is left and starts nothing again.
   */
  quit?: true;
  /**
   * This engine, still running, lost the supervision lease and stopped its servers: the engine that holds
   * it now claims the file although its engine is alive, and starts them again.
   */
  handedOver?: true;
}

export function launchedFolder(dataDir: string): string {
  return join(dataDir, LAUNCHED_FOLDER);
}

/** The servers the engine with `pid` runs for the user, from its record (none if it has none). */
export function launchedBy(dataDir: string, pid: number): LaunchedServer[] {
  const folder = launchedFolder(dataDir);
  try {
    return readdirSync(folder)
      .filter((name) => name.startsWith(`${pid}-`) && name.endsWith(".json"))
      .flatMap((name) => {
        const content = JSON.parse(readFileSync(join(folder, name), "utf8")) as Partial<LaunchFile>;
        return Array.isArray(content.servers) ? content.servers : [];
      });
  } catch {
    return [];
  }
}

/**
 * Servers another engine of a live process still runs for the user in a process of its own, by id, with
 * that engine's pid: one the supervision lease was taken from while it was held up (SIGSTOP, swapping)
 * runs them until it runs again, then stops them and hands them over. A record handed over already, or
 * of a quit, is left out, and so is a process other than the one recorded (start ticks).
 */
export function stillRunElsewhere(dataDir: string): Map<string, number> {
  const found = new Map<string, number>();
  let names: string[];
  try {
    names = readdirSync(launchedFolder(dataDir)).filter((name) => name.endsWith(".json"));
  } catch {
    return found;
  }
  for (const name of names) {
    let content: Partial<LaunchFile>;
    try {
      content = JSON.parse(readFileSync(join(launchedFolder(dataDir), name), "utf8")) as Partial<LaunchFile>;
    } catch {
      continue;
    }
    const { engine, servers } = content;
    if (!engine || !Array.isArray(servers) || content.handedOver || content.quit) continue;
    if (engine.pid === process.pid || !wrapperAlive(engine)) continue;
    for (const server of servers)
      if (
        server.pid !== null &&
        server.startTicks !== null &&
        processStartTicks(server.pid) === server.startTicks
      )
        found.set(server.id, engine.pid);
  }
  return found;
}

export class LaunchRecords {
  private file: string;
  private readonly servers = new Map<string, LaunchedServer>();
  private readonly engine: LaunchFile["engine"];
  private closed = false;
  private quit = false;

  constructor(
    private readonly dataDir: string,
    private readonly onProblem: (message: string) => void = () => {},
  ) {
    this.file = LaunchRecords.fileIn(dataDir);
    this.engine = { pid: process.pid, startTicks: processStartTicks("self"), startedAt: Date.now() };
  }

  /** The user started `id` (or it was started again for them): it is to run until they stop it. */
  started(id: string, name: string): void {
    const known = this.servers.get(id);
    this.servers.set(id, { id, name, pid: known?.pid ?? null, startTicks: known?.startTicks ?? null });
    this.write();
  }

  /**
   * Servers a dead engine had started, taken over before its record is removed, with the process each one
   * left running (still to be stopped) or none. A server this engine already runs keeps its own entry.
   */
  adopt(servers: readonly LaunchedServer[]): void {
    for (const server of servers)
      if (!this.servers.has(server.id)) this.servers.set(server.id, { ...server });
    this.write();
  }

  /** A run of `id` spawned its process, which leads its own group. */
  spawned(id: string, pid: number): void {
    const server = this.servers.get(id);
    if (!server) return;
    server.pid = pid;
    server.startTicks = processStartTicks(pid);
    this.write();
  }

  /** The process of `id` exited (it may be restarted: the server stays wanted). */
  exited(id: string, pid: number | null): void {
    const server = this.servers.get(id);
    if (!server || (pid !== null && server.pid !== pid)) return;
    server.pid = null;
    server.startTicks = null;
    this.write();
  }

  /** The user stopped or removed `id`. */
  stopped(id: string): void {
    if (this.servers.delete(id)) this.write();
  }

  /**
   * The engine ends without the user asking, its servers stopped: the file stays, with no process in it,
   * so that the next engine starts again the servers the user had started.
   */
  /** The user quit: said before the servers stop, so a quit cut short still starts none of them again. */
  quitting(): void {
    this.quit = true;
    this.write();
  }

  release(): void {
    for (const server of this.servers.values()) {
      server.pid = null;
      server.startTicks = null;
    }
    this.write();
    this.closed = true;
  }

  /**
   * Its servers stopped after another engine took the lease over: this file goes to that engine, which
   * starts them again; what this engine runs later (once it holds the lease again) goes in a new one.
   */
  handOver(): void {
    if (this.closed) return;
    for (const server of this.servers.values()) {
      server.pid = null;
      server.startTicks = null;
    }
    try {
      if (this.servers.size > 0) {
        ensurePrivateDir(dirname(this.file));
        const content: LaunchFile = {
          engine: this.engine,
          servers: [...this.servers.values()],
          handedOver: true,
        };
        writePrivateFileSync(this.file, JSON.stringify(content));
      }
    } catch (error) {
      this.onProblem(
        `cannot hand the servers over to the engine that runs them now: ${(error as Error).message}`,
      );
    }
    this.servers.clear();
    this.file = LaunchRecords.fileIn(this.dataDir);
  }

  private static fileIn(dataDir: string): string {
    return join(launchedFolder(dataDir), `${process.pid}-${randomUUID().slice(0, 8)}.json`);
  }

  /** The engine closed, its servers stopped: nothing is left to clean up after it. */
  close(): void {
    this.closed = true;
    try {
      rmSync(this.file, { force: true });
    } catch (error) {
      this.onProblem(`cannot remove ${this.file}: ${(error as Error).message}`);
    }
  }

  private write(): void {
    if (this.closed) return;
    try {
      if (this.servers.size === 0) {
        rmSync(this.file, { force: true });
        return;
      }
      ensurePrivateDir(dirname(this.file));
      const content: LaunchFile = {
        engine: this.engine,
        servers: [...this.servers.values()],
        ...(this.quit ? { quit: true as const } : {}),
      };
      writePrivateFileSync(this.file, JSON.stringify(content));
    } catch (error) {
      this.onProblem(`cannot record the servers this engine runs: ${(error as Error).message}`);
    }
  }
}
