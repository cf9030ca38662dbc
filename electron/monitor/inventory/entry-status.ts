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
import { sampleFreshMs } from "../resources/sampler.js";
import { type ManagedStatus, ownCopyDown } from "../supervisor/managed-status.js";
import { iso } from "../time.js";
import { trafficKeyOf } from "./entry-traffic.js";
import type { LastCheck, LatestSample, ServerTraffic } from "./inventory-queries.js";

export interface EntryParts {
  server: DiscoveredServer;
  managed: ManagedStatus | null;
  health: ServerHealth | null;
  lastCheck: LastCheck | null;
  sample: LatestSample | null;
  traffic: ServerTraffic | null;
  proxy: RemoteProxyInfo | null;
  /** A sample older than this (ms) is from a process that is gone (default: sampleFreshMs()). */
  sampleFreshMs?: number;
  now?: number;
}

/** Health as shown for a server that is not being checked (stopped on purpose): nothing to report. */
const NOT_CHECKED: HealthInfo = {
  status: "unknown",
  checkedAt: null,
  handshakeMs: null,
  listMs: null,
  toolsCount: null,
  protocolVersion: null,
  error: null,
};

export function toEntry({
  server,
  managed,
  health,
  lastCheck,
  sample,
  traffic,
  proxy,
  sampleFreshMs: freshMs = sampleFreshMs(),
  now = Date.now(),
}: EntryParts): ServerEntry {
  // An entry its client switched off is not checked: a check from before says nothing about it now.
  const check = health?.lastCheck ?? (lastCheck?.stopped || server.definition.disabled ? null : lastCheck);
  const healthInfo: HealthInfo = check
    ? {
        status: health?.status ?? (lastCheck ? damped(lastCheck.state) : "unknown"),
        checkedAt: iso(check.time),
        handshakeMs: check.handshakeMs ?? null,
        listMs: check.listMs ?? null,
        toolsCount: check.toolsCount ?? null,
        protocolVersion: check.protocolVersion ?? null,
        error: check.error ?? null,
      }
    : { ...NOT_CHECKED, status: health?.status ?? "unknown" };
  const probed = statusOf(managed, healthInfo.status);
  // Figures only for a live process, sampled lately: for one mcpscope runs, sampled in this run (not the
  // one before a crash); a wrapper's is alive while sampled.
  const fresh = sample !== null && sample.time >= now - freshMs;
  const live = managed
    ? fresh && managed.pid !== null && managed.startedAt !== null && sample.time >= managed.startedAt
    : fresh;
  return {
    ...server.definition,
    status: withTraffic(probed, managed, check?.time ?? null, traffic),
    process: managed ? processInfo(managed) : null,
    health: healthInfo,
    traffic: {
      lastCallAt: traffic?.lastCallAt == null ? null : iso(traffic.lastCallAt),
      recentAnswered: traffic?.recentAnswered ?? 0,
    },
    resources:
      live && sample
        ? { cpuPct: sample.cpuPct, rssBytes: sample.rssBytes, sampledAt: iso(sample.time) }
        : { cpuPct: null, rssBytes: null, sampledAt: null },
    proxy,
    wrappedByHand: server.wrapped?.byHand === true,
    recordsHere: trafficKeyOf(server) !== null,
  };
}

/**
 * One word for the list. For a server mcpscope runs, its process speaks before any probe: `stopped` when
 * stopped on purpose; `down` when it crashed (waiting to restart, starting again after a crash, in a
 * crash loop) or cannot start, since a probe that found it up before it died is stale; `unknown` while
 * a start by hand is under way. Otherwise the flap-damped health state decides (`unknown` until probed).
 */
function statusOf(managed: ManagedStatus | null, health: HealthInfo["status"]): ServerStatus {
  if (!managed) return health;
  if (managed.state === "stopped") return "stopped";
  if (ownCopyDown(managed)) return "down";
  if (managed.state === "starting") return "unknown";
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
  if (
    status === "down" &&
    !(managed !== null && ownCopyDown(managed)) &&
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
