/**
 * Linux: every process's /proc/<pid>/stat (one small read each), which holds its parent, CPU time
 * (utime + stime, in clock ticks) and resident set (in pages). Ticks per second and the page size come
 * from `getconf` once (usually 100 and 4096).
 */
import { execFileSync } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import type { ProcessInfo, ProcessTable, ProcessTableReader } from "./process-table.js";

const BATCH = 64;
const MAX_PROCESSES = 20_000;

export class ProcReader implements ProcessTableReader {
  readonly ticksPerSecond: number;
  readonly pageSize: number;

  constructor(private readonly root = "/proc") {
    this.ticksPerSecond = getconf("CLK_TCK", 100);
    this.pageSize = getconf("PAGESIZE", 4096);
  }

  async read(): Promise<ProcessTable> {
    const at = performance.now();
    const pids = (await readdir(this.root)).filter((name) => /^\d+$/.test(name)).slice(0, MAX_PROCESSES);
    const processes = new Map<number, ProcessInfo>();
    for (let i = 0; i < pids.length; i += BATCH) {
      const texts = await Promise.all(
        pids.slice(i, i + BATCH).map((pid) => readFile(`${this.root}/${pid}/stat`, "utf8").catch(() => null)),
      );
      for (const text of texts) {
        const info = text === null ? null : this.parse(text);
        if (info) processes.set(info.pid, info);
      }
    }
    return { at, processes };
  }

  /** `pid (comm) state ppid …`: comm may hold spaces and parentheses, so fields count from the last `)`. */
  parse(stat: string): ProcessInfo | null {
    const close = stat.lastIndexOf(")");
    if (close === -1) return null;
    const pid = Number.parseInt(stat, 10);
    // After ") ": state(3) ppid(4) … utime(14) stime(15) … rss(24); index 0 here is field 3.
    const fields = stat.slice(close + 2).split(" ");
    const ppid = Number(fields[1]);
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    const rss = Number(fields[21]);
    if (!Number.isFinite(pid) || !Number.isFinite(ppid) || !Number.isFinite(rss)) return null;
    return {
      pid,
      ppid,
      rssBytes: Math.max(0, rss) * this.pageSize,
      cpuSeconds: (utime + stime) / this.ticksPerSecond,
      cpuPct: null,
    };
  }
}

function getconf(name: string, fallback: number): number {
  try {
    const value = Number(execFileSync("getconf", [name], { encoding: "utf8", timeout: 2000 }).trim());
    return Number.isFinite(value) && value > 0 ? value : fallback;
  } catch {
    return fallback;
  }
}
