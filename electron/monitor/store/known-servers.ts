/**
 * The server names the store holds something for, by kind. Logs and pins are read by hopping along an
 * index (one lookup per distinct name, however many rows); events have no index on the server, and are
 * bounded by retention.
 */
import type { KnownServers } from "../../../shared/servers.js";
import { MonitoringError } from "../errors.js";
import type { Db } from "./db.js";
import { recordedServerNames } from "./queries.js";

const MAX_NAMES = 2000;

export function knownServers(db: Db): KnownServers {
  return {
    calls: recordedServerNames(db),
    logs: distinctByIndex(db, "logs"),
    events: names(
      db,
      `SELECT DISTINCT server FROM events WHERE server IS NOT NULL ORDER BY 1 LIMIT ${MAX_NAMES}`,
    ),
    pins: distinctByIndex(db, "tool_pins"),
  };
}

function distinctByIndex(db: Db, table: "logs" | "tool_pins"): string[] {
  return names(
    db,
    `WITH RECURSIVE hop(server, n) AS (
       SELECT (SELECT min(server) FROM ${table}), 1
       UNION ALL
       SELECT (SELECT min(server) FROM ${table} WHERE server > hop.server), n + 1 FROM hop
        WHERE hop.server IS NOT NULL AND n < ${MAX_NAMES}
     ) SELECT server FROM hop WHERE server IS NOT NULL`,
  );
}

function names(db: Db, sql: string): string[] {
  return db
    .prepare(sql)
    .all()
    .map((row) => String(row.server));
}

/** What a command lists, and how its typo hint says it. */
const KIND_TEXT = { calls: "calls", logs: "logs", events: "events", pins: "tool definitions" } as const;
export type KnownKind = keyof typeof KIND_TEXT;

/**
 * The same for several names, from the store's known names and, only when one is not among them, the
 * names the configs give (`configured`, which reads them).
 */
export async function requireKnown(
  servers: readonly string[],
  known: KnownServers,
  configured: () => Promise<string[]>,
  kind: keyof typeof KIND_TEXT,
  alsoKnown: readonly string[] = [],
): Promise<void> {
  const listed = [...known[kind], ...alsoKnown];
  requireKnownServers(await unknownServers(servers, known, configured, alsoKnown), listed, KIND_TEXT[kind]);
}

/**
 * Of `servers`, those neither the store (any kind) nor the configs know; `configured` is read only when
 * the store does not know one.
 */
export async function unknownServers(
  servers: readonly string[],
  known: KnownServers,
  configured: () => Promise<string[]>,
  alsoKnown: readonly string[] = [],
): Promise<string[]> {
  const stored = new Set([...alsoKnown, ...known.calls, ...known.logs, ...known.events, ...known.pins]);
  const missing = servers.filter((s) => !stored.has(s));
  if (missing.length === 0) return [];
  const names = new Set(await configured());
  return missing.filter((s) => !names.has(s));
}

/** Throws for the first of `servers` not in `known`, naming what is known. */
export function requireKnownServers(
  servers: readonly string[],
  known: readonly string[],
  what: string,
): void {
  const names = [...new Set(known)].sort();
  const unknown = servers.find((s) => !names.includes(s));
  if (unknown === undefined) return;
  const shown = names.slice(0, 8).join(", ") + (names.length > 8 ? `, … (${names.length} in all)` : "");
  throw MonitoringError.input(
    names.length
      ? `no server named "${unknown}" has recorded ${what}; known: ${shown}`
      : `no server named "${unknown}" has recorded ${what}; none has yet (wrap a server with \`mcpscope run\`)`,
  );
}
