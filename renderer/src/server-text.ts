import type { ServerDefinition } from "../../shared/discovery.js";
import type { ServerSummary } from "../../shared/domain.js";
import { peerText } from "../../shared/peer.js";
import {
  ACTIVE_WINDOW_MS,
  RECENT_ANSWERED_CAP,
  type ServerDetail,
  type ServerEntry,
} from "../../shared/servers.js";
import { clientName } from "./clients.js";
import { formatAgo, formatDuration } from "./format.js";

/** How a server is launched or reached, in one line: `npx -y pkg /dir`, or its URL. */
export function launchLine(server: ServerDefinition): string {
  if (server.transport !== "stdio") return server.url ?? "";
  return [server.command ?? "", ...server.args.map(quoteArg)].join(" ").trim();
}

function quoteArg(arg: string): string {
  return arg === "" || /[\s"'\\$`]/.test(arg) ? JSON.stringify(arg) : arg;
}

/** What the server said it is in its newest recorded handshake, and when: "fake 2.1.0, 3 min ago". */
export function identityText(identity: ServerDetail["identity"], now: number): string | null {
  const name = identity && peerText(identity.name, identity.version);
  return name ? `${name}, ${formatAgo(identity.seenAt, now)}` : null;
}

/** One line explaining the status: the last error, or when it was last checked. */
export function statusDetail(server: ServerEntry): string | null {
  const p = server.process;
  if (p?.lastError && (p.state === "crash_loop" || p.state === "failed" || p.state === "backoff")) {
    return p.lastError;
  }
  if (server.health.error) return server.health.error;
  return null;
}

/** What the search box matches against. */
export function searchText(server: ServerEntry, clientLabel: string): string {
  return [server.name, server.client, clientLabel, server.scope, server.file ?? "", launchLine(server)]
    .join("\n")
    .toLowerCase();
}

/** Under the status: when a client last called it (through `mcpscope run`) and when a probe last checked it. */
export function activityLine(server: ServerEntry, now: number): string {
  const parts: string[] = [];
  if (server.traffic.lastCallAt) parts.push(`last call ${formatAgo(server.traffic.lastCallAt, now)}`);
  if (server.health.checkedAt) parts.push(`checked ${formatAgo(server.health.checkedAt, now)}`);
  else parts.push(notCheckedText(server));
  return parts.join(" · ");
}

/**
 * Why a server has no check to show: its client has it switched off, it was stopped on purpose (not
 * checked until started), or it was never probed.
 */
export function notCheckedText(server: ServerEntry): string {
  if (server.disabled) return `not checked while disabled in ${clientName(server.client)}`;
  return server.process?.state === "stopped" ? "not checked while stopped" : "not probed yet";
}

/** The detail's "Last call" fact: when, and how many answered calls make it `active`. */
export function lastCallText(server: ServerEntry, now: number): string {
  const { lastCallAt, recentAnswered } = server.traffic;
  if (!lastCallAt) {
    // Calls of another entry with this name are not this one's (its client does not go through mcpscope).
    return !recordsCalls(server)
      ? "none recorded (this entry is not instrumented: its client's calls do not go through mcpscope)"
      : "none recorded (calls are recorded through mcpscope run or mcpscope proxy)";
  }
  const window = formatDuration(ACTIVE_WINDOW_MS);
  const count =
    recentAnswered > RECENT_ANSWERED_CAP
      ? `more than ${RECENT_ANSWERED_CAP.toLocaleString("en-US")}`
      : `${recentAnswered}`;
  const recent =
    recentAnswered > 0 ? `${count} answered in the last ${window}` : `none in the last ${window}`;
  return `${formatAgo(lastCallAt, now)} — ${recent}`;
}

/** What `active` means, for tooltips. */
export const ACTIVE_MEANING = `answered calls through mcpscope run or proxy (not refused with 401/403) in the last ${formatDuration(ACTIVE_WINDOW_MS)}`;

/**
 * The live dot of a server seen in traffic only: lit by calls it answered lately, as `active` is, not by
 * open sessions (a proxy keeps one open for a while even when the upstream refused every connection).
 */
export function seenLive(server: ServerSummary): { live: boolean; title: string } {
  return server.recentAnswered > 0
    ? { live: true, title: `Active: ${ACTIVE_MEANING}` }
    : { live: false, title: `Not active: no ${ACTIVE_MEANING}` };
}

export interface ServerCounts {
  /** Probed up, or active from recent traffic. */
  up: number;
  /** Of `up`, those known up from their traffic alone. */
  active: number;
  down: number;
  configured: number;
}

/**
 * Servers seen in recorded traffic under a name that no entry of the inventory can record: none has that
 * name, or none of those that have it is wrapped (an entry that is not wrapped has no recorded calls, so
 * `mcpscope run --name X` started by hand would otherwise show nowhere).
 */
export function trafficOnly(
  entries: readonly ServerEntry[],
  seen: readonly ServerSummary[],
): ServerSummary[] {
  const names = new Set(entries.filter(recordsCalls).map((s) => s.name));
  return seen.filter((s) => !names.has(s.name));
}

/** What the force dialog's button does: only a restore writes the file, so only it keeps a backup. */
export function forcingText(
  forcing: "restore" | "forget" | undefined,
  label: string,
  name: string,
  client: string,
): string {
  return forcing === "forget"
    ? `${label}: the entry ${name} is gone from the file, so mcpscope drops its record of it; the file is not changed.`
    : `${label}: mcpscope puts back the entry ${name} as it was before it wrapped it, over what ${client} or you changed in that entry; a backup of the file as it is now is kept.`;
}

/** Whether calls can be recorded for this entry here, as the engine decides it. */
function recordsCalls(server: ServerEntry): boolean {
  return server.recordsHere;
}

/**
 * The Overview's server card: traffic counts as up, since a server that answers calls is up; that
 * holds for servers seen in traffic only (no client config names them) as for configured ones.
 */
export function serverCounts(entries: readonly ServerEntry[], seen: readonly ServerSummary[]): ServerCounts {
  const active =
    entries.filter((s) => s.status === "active").length +
    trafficOnly(entries, seen).filter((s) => s.recentAnswered > 0).length;
  return {
    up: entries.filter((s) => s.status === "up").length + active,
    active,
    down: entries.filter((s) => s.status === "down").length,
    configured: entries.length,
  };
}
