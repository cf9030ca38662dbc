/**
 * A process tree's totals: the root and every descendant (walked by parent pid), its resident memory
 * summed, and its CPU % from the change in CPU time since the previous reading over the wall time between
 * them (100 % is one core fully busy; a tree can use more than one).
 */
import type { ProcessInfo, ProcessTable } from "./process-table.js";

const MAX_TREE = 10_000;

export function childrenIndex(processes: Map<number, ProcessInfo>): Map<number, number[]> {
  const children = new Map<number, number[]>();
  for (const p of processes.values()) {
    if (p.ppid === p.pid) continue;
    const list = children.get(p.ppid);
    if (list) list.push(p.pid);
    else children.set(p.ppid, [p.pid]);
  }
  return children;
}

/** `root` and its descendants, not descending into `exclude` (another root's tree). */
export function treePids(
  root: number,
  children: Map<number, number[]>,
  exclude: Set<number> = new Set(),
): number[] {
  const out: number[] = [];
  const seen = new Set<number>();
  const queue = [root];
  while (queue.length && out.length < MAX_TREE) {
    const pid = queue.shift() as number;
    if (seen.has(pid) || (pid !== root && exclude.has(pid))) continue;
    seen.add(pid);
    out.push(pid);
    for (const child of children.get(pid) ?? []) queue.push(child);
  }
  return out;
}

export interface TreeUsage {
  rssBytes: number;
  /** null on the first reading of a tree whose CPU is known only as time (no previous reading yet). */
  cpuPct: number | null;
  processCount: number;
}

/** Remembers each tree's CPU times between readings. */
export class CpuTracker {
  private readonly last = new Map<string, { at: number; cpu: Map<number, number> }>();

  usage(key: string, table: ProcessTable, pids: number[]): TreeUsage {
    let rssBytes = 0;
    let reportedPct = 0;
    let allReported = pids.length > 0;
    const cpu = new Map<number, number>();
    for (const pid of pids) {
      const p = table.processes.get(pid);
      if (!p) continue;
      rssBytes += p.rssBytes;
      if (p.cpuSeconds !== null) cpu.set(pid, p.cpuSeconds);
      if (p.cpuPct !== null) reportedPct += p.cpuPct;
      else allReported = false;
    }
    const previous = this.last.get(key);
    this.last.set(key, { at: table.at, cpu });
    let cpuPct: number | null = null;
    if (allReported) cpuPct = reportedPct;
    else if (previous && table.at > previous.at) {
      let used = 0;
      // A process new since the last reading most likely started after it: all its CPU time is in the gap.
      for (const [pid, seconds] of cpu) used += Math.max(0, seconds - (previous.cpu.get(pid) ?? 0));
      cpuPct = (used / ((table.at - previous.at) / 1000)) * 100;
    }
    return {
      rssBytes,
      cpuPct: cpuPct === null ? null : Math.round(cpuPct * 10) / 10,
      processCount: pids.length,
    };
  }

  /** Forgets trees not seen in the last reading (bounded memory as servers come and go). */
  keepOnly(keys: Set<string>): void {
    for (const key of this.last.keys()) if (!keys.has(key)) this.last.delete(key);
  }
}
