/** Composes one inventory entry from its definition, its process, its health and its latest sample. */
import type {
  HealthInfo,
  ProcessInfo,
  RemoteProxyInfo,
  ServerEntry,
  ServerStatus,
} from "../../../shared/servers.js";
import type { DiscoveredServer } from "../discovery/types.js";
import type { ServerHealth } from "../health/prober.js";
import type { ManagedStatus } from "../supervisor/managed-status.js";
import { iso } from "../time.js";
import type { LastCheck, LatestSample } from "./inventory-queries.js";

export interface EntryParts {
  server: DiscoveredServer;
  managed: ManagedStatus | null;
  health: ServerHealth | null;
  lastCheck: LastCheck | null;
  sample: LatestSample | null;
  proxy: RemoteProxyInfo | null;
}

const NOT_RUNNING = new Set(["stopped", "crash_loop", "failed"]);

export function toEntry({ server, managed, health, lastCheck, sample, proxy }: EntryParts): ServerEntry {
  const check = health?.lastCheck ?? lastCheck;
  const healthInfo: HealthInfo = {
    status: health?.status ?? (lastCheck ? damped(lastCheck.state) : "unknown"),
    checkedAt: check ? iso(check.time) : null,
    handshakeMs: check?.handshakeMs ?? null,
    listMs: check?.listMs ?? null,
    toolsCount: check?.toolsCount ?? null,
    protocolVersion: check?.protocolVersion ?? null,
    error: check?.error ?? null,
  };
  return {
    ...server.definition,
    status: statusOf(managed, healthInfo.status),
    process: managed ? processInfo(managed) : null,
    health: healthInfo,
    resources: {
      cpuPct: sample?.cpuPct ?? null,
      rssBytes: sample?.rssBytes ?? null,
      sampledAt: sample ? iso(sample.time) : null,
    },
    proxy,
  };
}

/**
 * One word for the list: a server mcpscope runs is `stopped` when its process is not running; otherwise
 * the flap-damped health state decides (`unknown` until probed).
 */
function statusOf(managed: ManagedStatus | null, health: HealthInfo["status"]): ServerStatus {
  if (managed && NOT_RUNNING.has(managed.state)) return managed.state === "stopped" ? "stopped" : "down";
  if (managed && (managed.state === "starting" || managed.state === "backoff"))
    return health === "up" ? "up" : "unknown";
  return health;
}

function damped(state: string): HealthInfo["status"] {
  return state === "up" || state === "degraded" || state === "down" ? state : "unknown";
}

function processInfo(m: ManagedStatus): ProcessInfo {
  return {
    state: m.state,
    pid: m.pid,
    startedAt: m.startedAt === null ? null : iso(m.startedAt),
    restarts: m.restarts,
    lastExit: m.lastExit
      ? {
          at: iso(m.lastExit.at),
          code: m.lastExit.code,
          signal: m.lastExit.signal,
          uptimeMs: m.lastExit.uptimeMs,
          reason: m.lastExit.reason,
        }
      : null,
    lastError: m.lastError,
  };
}
