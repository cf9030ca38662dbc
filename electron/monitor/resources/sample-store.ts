/**
 * The `resource_samples` table: one row per server per collection interval, the sum of its live process
 * trees at that time (rows stored by versions before that hold one tree each).
 */
import type { Db } from "../store/db.js";
import { WriteGuard } from "../supervisor/telemetry.js";

export interface ResourceSample {
  time: number;
  serverId: string | null;
  /** The server's name, or "mcpscope" (the engine or CLI) / "mcpscope run" (the wrappers). */
  server: string;
  /** The first tree's root. */
  pid: number;
  cpuPct: number | null;
  /** Summed over the server's trees, as are processCount and cpuPct. */
  rssBytes: number;
  processCount: number;
}

export interface SampleStore {
  record(samples: ResourceSample[]): void;
}

export class DbSampleStore implements SampleStore {
  private readonly guard: WriteGuard;

  constructor(
    private readonly db: Db,
    onProblem?: (message: string) => void,
  ) {
    this.guard = new WriteGuard(onProblem);
  }

  record(samples: ResourceSample[]): void {
    if (samples.length === 0) return;
    this.guard.run("resource samples", () =>
      this.db.transaction(() => {
        const insert = this.db.prepare(
          `INSERT INTO resource_samples (time, server_id, server, pid, cpu_pct, rss_bytes, process_count)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
        );
        for (const s of samples) {
          insert.run(s.time, s.serverId, s.server, s.pid, s.cpuPct, s.rssBytes, s.processCount);
        }
      }),
    );
  }
}
