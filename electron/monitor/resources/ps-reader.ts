/**
 * macOS and the BSDs: one `ps -A -o pid=,ppid=,rss=,%cpu=` per reading. RSS comes in KiB; `%cpu` is the
 * kernel's decaying recent average, used as is (there is no per-process CPU time in this output).
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { MonitoringError } from "../errors.js";
import type { ProcessInfo, ProcessTable, ProcessTableReader } from "./process-table.js";

const run = promisify(execFile);

export class PsReader implements ProcessTableReader {
  async read(): Promise<ProcessTable> {
    const at = performance.now();
    let stdout: string;
    try {
      ({ stdout } = await run("ps", ["-A", "-o", "pid=,ppid=,rss=,%cpu="], {
        timeout: 5000,
        maxBuffer: 16 * 1024 * 1024,
      }));
    } catch (error) {
      throw MonitoringError.collection(`cannot list processes with ps: ${(error as Error).message}`, error);
    }
    return { at, processes: parsePs(stdout) };
  }
}

export function parsePs(text: string): Map<number, ProcessInfo> {
  const processes = new Map<number, ProcessInfo>();
  for (const line of text.split("\n")) {
    const [pid, ppid, rss, cpu] = line.trim().split(/\s+/).map(Number);
    if (pid === undefined || !Number.isFinite(pid) || !Number.isFinite(ppid) || !Number.isFinite(rss))
      continue;
    processes.set(pid, {
      pid,
      ppid: ppid ?? 0,
      rssBytes: (rss ?? 0) * 1024,
      cpuSeconds: null,
      cpuPct: Number.isFinite(cpu) ? (cpu ?? null) : null,
    });
  }
  return processes;
}
