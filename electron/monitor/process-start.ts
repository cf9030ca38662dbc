/**
 * When a process started, as the kernel counts it: on Linux, field 22 of /proc/PID/stat (clock ticks since
 * boot). The count never moves with the wall clock, so the same pid with the same start ticks is the same
 * process, and a pid another process got since has different ticks. Elsewhere there is no such count: null.
 */
import { readFileSync } from "node:fs";

/** The start ticks of `pid` ("self" for this process); null off Linux or where /proc cannot be read. */
export function processStartTicks(pid: number | "self"): number | null {
  return processStat(pid)?.startTicks ?? null;
}

/**
 * The process's state letter (`R`, `S`, `Z` for a zombie waiting to be reaped…) and start ticks; null off
 * Linux, for a pid with no process, or where /proc cannot be read.
 */
export function processStat(pid: number | "self"): { state: string; startTicks: number | null } | null {
  if (process.platform !== "linux") return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces and parentheses: count fields after its closing one.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[19]);
    return { state: fields[0] ?? "", startTicks: Number.isSafeInteger(ticks) ? ticks : null };
  } catch {
    return null;
  }
}

let own: number | null | undefined;

/** This process's own start ticks, read once (they never change). */
export function ownStartTicks(): number | null {
  own ??= processStartTicks("self");
  return own;
}

/**
 * When the system booted (epoch ms), read again each time: /proc/stat's `btime` moves whenever the wall
 * clock is set, so a cached value drifts from the start times it is added to.
 */
export function bootTime(): number | null {
  if (process.platform !== "linux") return null;
  try {
    return Number(/^btime (\d+)$/m.exec(readFileSync("/proc/stat", "utf8"))?.[1]) * 1000 || null;
  } catch {
    return null;
  }
}
