/**
 * What a session's handshake tells of it, as the sink stores it: the client's side from a request it
 * sends, the server's from its answer to `initialize` or `server/discover`.
 */

import { requestFacts, serverFacts } from "./mcp.js";
import type { SessionFacts } from "./observations.js";

/** Facts a client's request carries (its era, protocol version and name), or null when it has none. */
export function clientSessionFacts(
  method: string,
  params: Record<string, unknown> | undefined,
): SessionFacts | null {
  const facts = requestFacts(method, params);
  if (!facts.era && !facts.protocolVersion && !facts.client) return null;
  return {
    era: facts.era ?? undefined,
    protocolVersion: facts.protocolVersion ?? undefined,
    clientName: facts.client?.name ?? undefined,
    clientVersion: facts.client?.version ?? undefined,
  };
}

/** Facts a server's result to a request of `method` carries, or null when it has none. */
export function serverSessionFacts(method: string, result: unknown): SessionFacts | null {
  const facts = serverFacts(method, result);
  if (!facts) return null;
  return {
    protocolVersion: facts.protocolVersion ?? undefined,
    serverName: facts.server?.name ?? undefined,
    serverVersion: facts.server?.version ?? undefined,
    ...(method === "server/discover" ? { era: "stateless" as const } : {}),
  };
}
