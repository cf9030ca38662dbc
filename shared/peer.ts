/**
 * How a client or server is named from its handshake (`clientInfo`, `serverInfo`). Kept apart from the
 * schemas (which need the schema library) so that the wrapper's observer thread can say it too.
 */

/** "name version", the one it gave, or null when it gave neither. */
export function peerText(name: string | null | undefined, version: string | null | undefined): string | null {
  return [name, version].filter(Boolean).join(" ") || null;
}
