/**
 * A snapshot of the machine's processes — pid, parent, resident memory, CPU time — read from /proc on
 * Linux and from `ps` on macOS. Other platforms get a clear "not supported" error instead of a crash.
 */
import { MonitoringError } from "../errors.js";
import { ProcReader } from "./proc-reader.js";
import { PsReader } from "./ps-reader.js";

export interface ProcessInfo {
  pid: number;
  ppid: number;
  rssBytes: number;
  /** CPU time used so far (user + system), in seconds, when the platform tells it (Linux). */
  cpuSeconds: number | null;
  /** CPU use as the platform reports it (macOS `ps %cpu`, a recent average), when there is no CPU time. */
  cpuPct: number | null;
}

export interface ProcessTable {
  /** Monotonic time of the reading, in ms (for CPU deltas). */
  at: number;
  processes: Map<number, ProcessInfo>;
}

export interface ProcessTableReader {
  read(): Promise<ProcessTable>;
}

export function processTableReader(platform: NodeJS.Platform = process.platform): ProcessTableReader {
  if (platform === "linux" || platform === "android") return new ProcReader();
  if (platform === "darwin" || platform === "freebsd" || platform === "openbsd") return new PsReader();
  return {
    read: () =>
      Promise.reject(
        MonitoringError.collection(
          `resource usage is not supported on this platform (${platform}) yet; servers still run and are probed`,
        ),
      ),
  };
}
