/** The `health_checks` and `tool_snapshots` tables. Snapshots are written only when the hash changes. */
import type { CheckStatus } from "../../../shared/servers.js";
import { captureText } from "../pipeline/capture.js";
import { checkProbedTools } from "../security/pins.js";
import type { Db } from "../store/db.js";
import { WriteGuard } from "../supervisor/telemetry.js";
import type { HealthStatus } from "./state-machine.js";
import type { ToolSnapshot } from "./tool-snapshot.js";

/**
 * The `status` of a row that is not a check: the user stopped the server, so checks end here. Its `state`
 * is `unknown` (neither up nor down): alerts on its health resolve, availability counts the stopped time
 * neither way, and `/metrics` stops exporting its `mcp_server_up` until it is checked again.
 */
export const STOPPED_MARK = "stopped";

export interface HealthCheck {
  time: number;
  serverId: string | null;
  server: string;
  /** This probe's own verdict. */
  status: CheckStatus;
  /** The server's state after it (flap-damped). */
  state: HealthStatus;
  era: string | null;
  protocolVersion: string | null;
  handshakeMs: number | null;
  pingMs: number | null;
  listMs: number | null;
  toolsCount: number | null;
  error: string | null;
}

export interface HealthStore {
  record(check: HealthCheck): void;
  /** Stores `snapshot` if it differs from the server's last one; true if it did. */
  snapshot(serverId: string | null, server: string, snapshot: ToolSnapshot, time: number): boolean;
}

export class DbHealthStore implements HealthStore {
  private readonly guard: WriteGuard;
  private readonly lastHash = new Map<string, string>();

  constructor(
    private readonly db: Db,
    onProblem?: (message: string) => void,
  ) {
    this.guard = new WriteGuard(onProblem);
  }

  record(c: HealthCheck): void {
    this.guard.run("health checks", () =>
      this.db
        .prepare(
          `INSERT INTO health_checks (time, server_id, server, status, state, era, protocol_version,
             handshake_ms, ping_ms, list_ms, tools_count, error)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          c.time,
          c.serverId,
          c.server,
          c.status,
          c.state,
          c.era,
          c.protocolVersion,
          c.handshakeMs,
          c.pingMs,
          c.listMs,
          c.toolsCount,
          c.error === null ? null : captureText(c.error, 2048),
        ),
    );
  }

  /** Marks the end of checks: the user stopped the server on purpose. */
  stopped(serverId: string, server: string, time: number): void {
    this.guard.run("health checks", () =>
      this.db
        .prepare(
          "INSERT INTO health_checks (time, server_id, server, status, state) VALUES (?, ?, ?, ?, 'unknown')",
        )
        .run(time, serverId, server, STOPPED_MARK),
    );
  }

  snapshot(serverId: string | null, server: string, snapshot: ToolSnapshot, time: number): boolean {
    const key = serverId ?? `name:${server}`;
    // Tool-definition pins and poisoning heuristics (security/pins.ts), in one transaction.
    this.guard.run("tool pins", () =>
      this.db.transaction(() => checkProbedTools(this.db, server, snapshot.json, time)),
    );
    return (
      this.guard.run("tool snapshots", () => {
        if (!this.lastHash.has(key)) {
          const row = this.db
            .prepare(
              serverId === null
                ? "SELECT hash FROM tool_snapshots WHERE server_id IS NULL AND server = ? ORDER BY time DESC, id DESC LIMIT 1"
                : "SELECT hash FROM tool_snapshots WHERE server_id = ? ORDER BY time DESC, id DESC LIMIT 1",
            )
            .get(serverId ?? server);
          if (row) this.lastHash.set(key, String(row.hash));
        }
        if (this.lastHash.get(key) === snapshot.hash) return false;
        this.db
          .prepare(
            "INSERT INTO tool_snapshots (time, server_id, server, hash, tools_count, tools_json) VALUES (?, ?, ?, ?, ?, ?)",
          )
          .run(time, serverId, server, snapshot.hash, snapshot.count, snapshot.stored);
        this.lastHash.set(key, snapshot.hash);
        return true;
      }) ?? false
    );
  }
}
