/**
 * Samples the CPU and memory of registered process trees on the collection interval (default 15 s) and
 * stores one row per server name per interval: the sum of its live trees at that sample time (a server
 * that mcpscope starts and clients also run through wrappers uses every tree's memory), under the
 * inventory id when one managed entry is among them. The trees are managed
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
  private stopped = false;

  constructor(private readonly options: ResourceSamplerOptions) {
    this.reader = options.reader ?? processTableReader();
    this.clock = options.clock ?? systemClock();
  }

  /** Samples now, then every interval until `stop()`. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.stopped = false;
    this.tick();
  }

  /**
   * Resolves once the sample under way, if any, has ended; one whose reading lands after this stores
   * nothing. Its owner closes the database next: nothing of the sampler may touch it afterwards.
   */
  async stop(): Promise<void> {
    this.started = false;
    this.stopped = true;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    await this.running?.catch(() => {});
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
      if (roots.length === 0 || this.stopped) return [];
      table = await this.reader.read();
    } catch (error) {
      if (!this.stopped) this.problem("read", (error as Error).message);
      return [];
    }
    if (this.stopped) return [];
    const time = this.clock.now();
    const seen = new Set<number>();
    const live = roots.filter((r) => {
      if (seen.has(r.pid) || !table.processes.has(r.pid)) return false;
      seen.add(r.pid);
      return !r.guard || table.processes.get(r.guard.pid)?.ppid === r.guard.ppid;
    });
    const children = childrenIndex(table.processes);
    const rootPids = new Set(live.map((r) => r.pid));
    // One figure per server name, whoever started its trees (mcpscope or a client's wrapper).
    const byServer = new Map<string, { roots: SampleRoot[]; pids: number[] }>();
    for (const root of live) {
      const group = byServer.get(root.server) ?? { roots: [], pids: [] };
      byServer.set(root.server, group);
      group.roots.push(root);
      group.pids.push(...treePids(root.pid, children, rootPids));
    }
    const samples: ResourceSample[] = [];
    for (const [server, { roots: trees, pids }] of byServer) {
      // CPU is tracked over the server's processes together: a tree that appears since the last
      // reading counts like any new process (its CPU time is in the gap) instead of blanking the total.
      const usage = this.cpu.usage(server, table, pids);
      const ids = new Set(trees.map((r) => r.serverId).filter((id) => id !== null));
      const serverId = ids.size === 1 ? [...ids][0] : null;
      samples.push({ time, serverId: serverId ?? null, server, pid: trees[0]?.pid ?? 0, ...usage });
    }
    this.cpu.keepOnly(new Set(byServer.keys()));
    this.options.store.record(samples);
    return samples;
  }

  private problem(kind: string, message: string): void {
    if (this.reported.has(kind)) return;
    this.reported.add(kind);
    this.options.onProblem?.(message);
  }
}
