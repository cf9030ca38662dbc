/** The `process_runs` table: one row per launch of a managed server, closed with how it ended. */
import { captureText } from "../pipeline/capture.js";
import type { Db } from "../store/db.js";
import { WriteGuard } from "./telemetry.js";

export interface RunStart {
  serverId: string;
  server: string;
  /** The run's own id, also the `session_id` of its stderr lines and events. */
  sessionId: string;
  pid: number | null;
  /** The command line; masked before it is stored. */
  command: string;
  startedAt: number;
  /** Automatic restarts before this run since the server was started by hand. */
  restartCount: number;
}

/** Why a run ended: `stop` / `restart` (asked for), `crash` (exited on its own), `handshake_failed`. */
export type RunEndReason = "stop" | "restart" | "crash" | "handshake_failed";

export interface RunEnd {
  endedAt: number;
  exitCode: number | null;
  signal: string | null;
  uptimeMs: number;
  reason: RunEndReason;
}

export interface RunStore {
  /** Returns the row's id, or null if it could not be written. */
  begin(run: RunStart): number | null;
  end(runId: number | null, end: RunEnd): void;
}

export class DbRunStore implements RunStore {
  private readonly guard: WriteGuard;

  constructor(
    private readonly db: Db,
    onProblem?: (message: string) => void,
  ) {
    this.guard = new WriteGuard(onProblem);
  }

  begin(run: RunStart): number | null {
    return this.guard.run("process runs", () => {
      const result = this.db
        .prepare(
          `INSERT INTO process_runs (server_id, server, session_id, pid, command, started_at, restart_count)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          run.serverId,
          run.server,
          run.sessionId,
          run.pid,
          captureText(run.command, 4096),
          run.startedAt,
          run.restartCount,
        );
      return Number(result.lastInsertRowid);
    });
  }

  end(runId: number | null, end: RunEnd): void {
    if (runId === null) return;
    this.guard.run("process runs", () =>
      this.db
        .prepare(
          `UPDATE process_runs SET ended_at = ?, exit_code = ?, signal = ?, uptime_ms = ?, reason = ?
           WHERE id = ?`,
        )
        .run(end.endedAt, end.exitCode, end.signal, end.uptimeMs, end.reason, runId),
    );
  }
}
