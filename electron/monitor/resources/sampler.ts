/**
 * Samples the CPU and memory of registered process trees on the collection interval (default 15 s) and
 * stores one row per server per interval: the sum of its live trees at that sample time (two clients
 * each running the same server through a wrapper use both trees' memory). The trees are managed
 * servers, the servers behind live `mcpscope run` wrappers, and mcpscope's own processes (without the
 * server trees under them, which are counted as their servers).
 * One process-table reading per interval serves every tree.
 */
import { type Clock, systemClock, type TimerId } from "../supervisor/clock.js";
import { type ProcessTable, type ProcessTableReader, processTableReader } from "./process-table.js";
import { CpuTracker, childrenIndex, treePids } from "./process-tree.js";
import type { ResourceSample, SampleStore } from "./sample-store.js";

export const SAMPLE_INTERVAL_MS = 15_000;

/**
 * A tree is sampled every interval while its process lives: a latest sample older than a few intervals
 * belongs to a process that is gone, and its figures must not be shown as current.
 */
export function sampleFreshMs(intervalMs = SAMPLE_INTERVAL_MS): number {
  return 3 * intervalMs;
}

export interface SampleRoot {
  /** The server's name, or "mcpscope". */
  server: string;
  serverId: string | null;
  pid: number;
  /** Sampled only while process `guard.pid` has parent `guard.ppid` (a stale session's pid may be reused). */
  guard?: { pid: number; ppid: number } | null;
  /** One of mcpscope's own processes: every other root's tree under it is left out of its total. */
  own?: boolean;
}

export interface ResourceSamplerOptions {
  store: SampleStore;
  /** The trees to sample, asked for at every interval. */
  roots: () => SampleRoot[] | Promise<SampleRoot[]>;
  reader?: ProcessTableReader;
  clock?: Clock;
  intervalMs?: number;
  maxRoots?: number;
  /** Told once per kind of problem (e.g. an unsupported platform). */
  onProblem?: (message: string) => void;
}

export class ResourceSampler {
  private readonly reader: ProcessTableReader;
  private readonly clock: Clock;
  private readonly cpu = new CpuTracker();
  private readonly reported = new Set<string>();
  private timer: TimerId | null = null;
  private running: Promise<ResourceSample[]> | null = null;
  private started = false;

  constructor(private readonly options: ResourceSamplerOptions) {
    this.reader = options.reader ?? processTableReader();
    this.clock = options.clock ?? systemClock();
  }

  /** Samples now, then every interval until `stop()`. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.tick();
  }

  stop(): void {
    this.started = false;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  /** One sample of every root, stored and returned (joins a sample already under way). */
  sampleOnce(): Promise<ResourceSample[]> {
    this.running ??= this.sample().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private tick(): void {
    void this.sampleOnce().finally(() => {
      if (!this.started) return;
      this.timer = this.clock.setTimeout(() => {
        this.timer = null;
        this.tick();
      }, this.options.intervalMs ?? SAMPLE_INTERVAL_MS);
    });
  }

  private async sample(): Promise<ResourceSample[]> {
    let roots: SampleRoot[];
    let table: ProcessTable;
    try {
      roots = (await this.options.roots()).slice(0, this.options.maxRoots ?? 500);
      if (roots.length === 0) return [];
      table = await this.reader.read();
    } catch (error) {
      this.problem("read", (error as Error).message);
      return [];
    }
    const time = this.clock.now();
    const seen = new Set<number>();
    const live = roots.filter((r) => {
      if (seen.has(r.pid) || !table.processes.has(r.pid)) return false;
      seen.add(r.pid);
      return !r.guard || table.processes.get(r.guard.pid)?.ppid === r.guard.ppid;
    });
    const children = childrenIndex(table.processes);
    const rootPids = new Set(live.map((r) => r.pid));
    const byServer = new Map<string, ResourceSample>();
    const keys = new Set<string>();
    for (const root of live) {
      const pids = treePids(root.pid, children, rootPids);
      const key = `${root.server}\u0000${root.pid}`;
      keys.add(key);
      const usage = this.cpu.usage(key, table, pids);
      const id = `${root.serverId ?? ""}\u0000${root.server}`;
      const total = byServer.get(id);
      if (!total) {
        byServer.set(id, { time, serverId: root.serverId, server: root.server, pid: root.pid, ...usage });
        continue;
      }
      total.rssBytes += usage.rssBytes;
      total.processCount += usage.processCount;
      // A tree sampled for the first time has no CPU figure yet: the total is unknown, not smaller.
      total.cpuPct = total.cpuPct === null || usage.cpuPct === null ? null : total.cpuPct + usage.cpuPct;
    }
    const samples = [...byServer.values()];
    this.cpu.keepOnly(keys);
    this.options.store.record(samples);
    return samples;
  }

  private problem(kind: string, message: string): void {
    if (this.reported.has(kind)) return;
    this.reported.add(kind);
    this.options.onProblem?.(message);
  }
}
