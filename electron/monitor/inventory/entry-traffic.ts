/**
 * Which recorded traffic belongs to a configured entry. Sessions are stored under the server's name and,
 * when an instrumented entry launched them, its client (`run --client`, or the client of the remote entry
 * the engine's proxy stands for). Many clients often configure a server under the same name, so the name
 * alone would give every one of them the traffic of the one that is instrumented.
 */
import type { DiscoveredServer } from "../discovery/types.js";
import type { ServerTraffic } from "./inventory-queries.js";

export interface TrafficKey {
  name: string;
  /** The client marker of the sessions that count; null: sessions started by hand (no marker). */
  client: string | null;
}

/**
 * An entry mcpscope instrumented counts the sessions carrying its client's marker; one wrapped by hand
 * (and a server added in mcpscope) counts the sessions without a marker (`mcpscope run --name X`, and
 * those recorded before markers were stored); an entry that is not wrapped has no recorded traffic
 * (null), whatever else runs under its name.
 */
export function trafficKeyOf(server: DiscoveredServer): TrafficKey | null {
  const { name, client, transport, instrumented } = server.definition;
  if (client === "manual") return { name, client: null };
  if (server.wrapped) return { name, client: server.wrapped.byHand ? null : (server.wrapped.client ?? null) };
  if (transport !== "stdio" && instrumented) return { name, client };
  return null;
}

/** A map key for a TrafficKey. */
export function trafficKeyId(key: TrafficKey): string {
  return `${key.client ?? ""}\u0000${key.name}`;
}

/** An entry's traffic out of serverTraffic's map: none for one that is not wrapped. */
export function trafficOf(
  traffic: Map<string, ServerTraffic>,
  server: DiscoveredServer,
): ServerTraffic | null {
  const key = trafficKeyOf(server);
  return key ? (traffic.get(trafficKeyId(key)) ?? null) : null;
}
