/**
 * Composes one inventory entry from its definition, its process, its health, its recorded traffic, its
 * latest sample and, for a remote entry, the proxy mcpscope runs for it.
 */
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
import type { LastCheck, LatestSample, ServerTraffic } from "./inventory-queries.js";

export interface EntryParts {
  server: DiscoveredServer;
  managed: ManagedStatus | null;
  health: ServerHealth | null;
  lastCheck: LastCheck | null;
  sample: LatestSample | null;
  traffic: ServerTraffic | null;
  proxy: RemoteProxyInfo | null;
}

const NOT_RUNNING = new Set(["stopped", "crash_loop", "failed"]);

export function toEntry({
  server,
  managed,
  health,
  lastCheck,
  sample,
  traffic,
  proxy,
}: EntryParts): ServerEntry {
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
  const probed = statusOf(managed, healthInfo.status);
  return {
    ...server.definition,
    status: withTraffic(probed, managed, check?.time ?? null, traffic),
    process: managed ? processInfo(managed) : null,
    health: healthInfo,
    traffic: {
      lastCallAt: traffic?.lastCallAt == null ? null : iso(traffic.lastCallAt),
      recentAnswered: traffic?.recentAnswered ?? 0,
    },
    resources: {
      cpuPct: sample?.cpuPct ?? null,
      rssBytes: sample?.rssBytes ?? null,
      sampledAt: sample ? iso(sample.time) : null,
    },
    proxy,
    wrappedByHand: server.wrapped?.byHand === true,
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

/**
 * Calls answered within the active window make a server `active` when nothing better is known: it was not
 * probed, mcpscope's own copy is stopped (a client runs it), or its last failed probe is older than the
 * newest answered call (calls it failed or refused after the probe do not say it is back). A probe that
 * found it up or degraded keeps its word, and so does a copy mcpscope runs that crashed or failed to start.
 */
function withTraffic(
  status: ServerStatus,
  managed: ManagedStatus | null,
  checkedAt: number | null,
  traffic: ServerTraffic | null,
): ServerStatus {
  if (!traffic || traffic.recentAnswered === 0) return status;
  if (status === "unknown" || status === "stopped") return "active";
  const ownCopyFailed = managed !== null && (managed.state === "crash_loop" || managed.state === "failed");
  if (
    status === "down" &&
    !ownCopyFailed &&
    (checkedAt === null || (traffic.lastAnsweredAt ?? 0) > checkedAt)
  )
    return "active";
  return status;
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
