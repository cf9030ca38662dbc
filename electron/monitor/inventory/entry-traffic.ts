/**
 * Which recorded traffic belongs to a configured entry. Sessions are stored under the server's name and,
 * when an instrumented entry launched them, its client (`run --client`, or the client of the remote entry
 * the engine's proxy stands for) and the entry's own id (`run --entry`, or the remote entry's id). Many
 * clients often configure a server under the same name, and one client several entries of that name (two
 * VS Code profiles), so neither the name nor the client alone says whose traffic it is.
 */
import type { DiscoveredServer } from "../discovery/types.js";
import type { ServerTraffic } from "./inventory-queries.js";

export interface TrafficKey {
  name: string;
  /** The client marker of the sessions that count; null: sessions started by hand (no marker). */
  client: string | null;
  /**
   * The entry marker of its sessions (`run --entry`); a session carrying one counts only for the entry
   * whose key names it. Sessions without one (recorded before, or launched by a wrapping that predates it)
   * are counted by `client` and `unmarked`, so their history stays.
   */
  entry: string | null;
  /** Sessions without a marker count too (see trafficKeysOf). */
  unmarked: boolean;
}

/** What a session carries to say whose it is. */
export interface SessionMarker {
  client: string | null;
  entry: string | null;
}

/**
 * An entry mcpscope instrumented counts the sessions carrying its entry marker, and of those without one,
 * the sessions carrying its client's marker (a wrapping from before entry markers); one wrapped by hand
 * (and a server added in mcpscope) counts the sessions without a marker (`mcpscope run --name X`, and
 * those recorded before markers were stored); an entry that is not wrapped, or whose wrapper records into
 * another data dir, has no recorded traffic (null), whatever else runs under its name.
 */
export function trafficKeyOf(server: DiscoveredServer): TrafficKey | null {
  const { name, client, transport, instrumented } = server.definition;
  if (client === "manual") return { name, client: null, entry: null, unmarked: true };
  if (server.wrapped?.recordsElsewhere) return null;
  if (server.wrapped) {
    const marker = server.wrapped.byHand ? null : (server.wrapped.client ?? null);
    // The entry marker as the entry writes it: what its sessions carry, even in an entry copied from
    // another (a profile made from another profile), which then shares that one's sessions.
    return { name, client: marker, entry: server.wrapped.entry ?? null, unmarked: marker === null };
  }
  // The engine's proxy for a remote entry marks its sessions with the entry's id (remote-proxies.ts).
  if (transport !== "stdio" && instrumented)
    return { name, client, entry: server.definition.id, unmarked: false };
  return null;
}

/**
 * Each entry's key among all the entries shown: sessions recorded before markers were stored have none,
 * so an instrumented entry that is the only entry recording under its name counts them too (they can
 * only be its own); with others beside it, they stay with the entry wrapped by hand, or with none.
 */
export function trafficKeysOf(
  servers: readonly DiscoveredServer[],
): Map<DiscoveredServer, TrafficKey | null> {
  const keys = new Map(servers.map((server) => [server, trafficKeyOf(server)] as const));
  const recording = new Map<string, number>();
  for (const key of keys.values()) if (key) recording.set(key.name, (recording.get(key.name) ?? 0) + 1);
  for (const [server, key] of keys) {
    if (key && !key.unmarked && recording.get(key.name) === 1) keys.set(server, { ...key, unmarked: true });
  }
  return keys;
}

/** A map key for a TrafficKey. */
export function trafficKeyId(key: TrafficKey): string {
  return `${key.client ?? ""}\u0000${key.entry ?? ""}\u0000${key.unmarked ? 1 : 0}\u0000${key.name}`;
}

/**
 * Whether an entry's key counts a session: by its entry marker when it has one, else by its client marker
 * (null: none). The same rule as ENTRY_SESSION in store/entry-sessions.ts, which reads it in SQL.
 */
export function counts(key: TrafficKey, session: SessionMarker): boolean {
  if (session.entry !== null) return session.entry === key.entry;
  return session.client === key.client || (session.client === null && key.unmarked);
}

/** Which of a name's session markers an entry's key counts: all of them, some, or none. */
export function sessionsCounted(key: TrafficKey, markers: readonly SessionMarker[]): "all" | "some" | "none" {
  const counted = markers.filter((m) => counts(key, m)).length;
  return counted === 0 ? "none" : counted === markers.length ? "all" : "some";
}

/** An entry's traffic out of serverTraffic's map: none for one that is not wrapped. */
export function trafficOf(
  traffic: Map<string, ServerTraffic>,
  key: TrafficKey | null | undefined,
): ServerTraffic | null {
  return key ? (traffic.get(trafficKeyId(key)) ?? null) : null;
}
