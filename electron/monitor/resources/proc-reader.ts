/**
 * Linux: every process's /proc/<pid>/stat (one small read each), which holds its parent, CPU time
 * (utime + stime, in clock ticks) and resident set (in pages). Ticks per second and the page size come
 * from this process's auxiliary vector (/proc/self/auxv: what the C library's sysconf answers too,
 * usually 100 and 4096), read once; from `getconf` where that cannot be read.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { endianness } from "node:os";
import type { ProcessInfo, ProcessTable, ProcessTableReader } from "./process-table.js";

const BATCH = 64;
const MAX_PROCESSES = 20_000;

export class ProcReader implements ProcessTableReader {
  readonly ticksPerSecond: number;
  readonly pageSize: number;

  constructor(private readonly root = "/proc") {
    // Spawning getconf twice held the engine's start for tens of ms: the kernel hands both figures to
    // every process at exec.
    const aux = auxiliaryVector(`${root}/self/auxv`);
    this.ticksPerSecond = aux.get(AT_CLKTCK) ?? getconf("CLK_TCK", 100);
    this.pageSize = aux.get(AT_PAGESZ) ?? getconf("PAGESIZE", 4096);
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

/** The auxiliary vector's entry types for the page size and the clock ticks per second (<elf.h>). */
const AT_PAGESZ = 6;
const AT_CLKTCK = 17;
/** Architectures whose `unsigned long`, the auxiliary vector's word, is 32 bits wide. */
const WORD_32_ARCHES = new Set(["arm", "ia32", "mips", "mipsel", "ppc"]);

/** The auxiliary vector as type → value (positive values only); empty where it cannot be read. */
export function auxiliaryVector(path: string): Map<number, number> {
  const entries = new Map<number, number>();
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch {
    return entries;
  }
  const word = WORD_32_ARCHES.has(process.arch) ? 4 : 8;
  const little = endianness() === "LE";
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const read = (at: number) =>
    word === 8 ? Number(view.getBigUint64(at, little)) : view.getUint32(at, little);
  for (let at = 0; at + 2 * word <= bytes.length; at += 2 * word) {
    const type = read(at);
    if (type === 0) break; // AT_NULL ends the vector
    const value = read(at + word);
    if (Number.isSafeInteger(value) && value > 0) entries.set(type, value);
  }
  return entries;
}

function getconf(name: string, fallback: number): number {
  try {
    const value = Number(execFileSync("getconf", [name], { encoding: "utf8", timeout: 2000 }).trim());
    return Number.isFinite(value) && value > 0 ? value : fallback;
  } catch {
    return fallback;
  }
}
