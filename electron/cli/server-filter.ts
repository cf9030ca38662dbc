/**
 * A `--server NAME` that matches nothing. A name nothing was ever recorded under is most likely a typo:
 * every command that filters by server (stats, calls, logs, tools, report) says so the same way, in one
 * line naming the servers there are, and exits 1. A known server with nothing in the range or under the
 * other filters is an empty answer, said as such.
 */
import type { ApiClient } from "../../shared/api.js";
import type { KnownServers } from "../../shared/servers.js";
import { MonitoringError } from "../monitor/errors.js";
import { flagString, type ParsedArgs } from "./args.js";

/** What a command lists, and how its typo hint says it. */
const KIND_TEXT = { calls: "calls", logs: "logs", events: "events", pins: "tool definitions" } as const;

/**
 * Throws when nothing knows `server`: no calls, logs, events or tool pins are stored under it, and no
 * client config (nor `alsoKnown`) names it. The hint lists the servers that have what the command lists.
 */
export async function checkServerFilter(
  api: ApiClient,
  server: string | undefined,
  kind: keyof typeof KIND_TEXT,
  alsoKnown: readonly string[] = [],
): Promise<void> {
  if (server === undefined) return;
  const known = await api.call("servers.known", {});
  await requireKnown([server], known, () => configuredNames(api), kind, alsoKnown);
}

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
  const stored = new Set([...listed, ...known.calls, ...known.logs, ...known.events, ...known.pins]);
  const missing = servers.filter((s) => !stored.has(s));
  if (missing.length === 0) return;
  const names = await configured();
  requireKnownServers(
    missing.filter((s) => !names.includes(s)),
    listed,
    KIND_TEXT[kind],
  );
}

async function configuredNames(api: ApiClient): Promise<string[]> {
  try {
    return (await api.call("discovery.list", {})).servers.map((s) => s.name);
  } catch {
    return []; // an unreadable config does not make a typo known
  }
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
      : `no server named "${unknown}": nothing has been recorded yet (wrap a server with \`mcpscope run\`)`,
  );
}

/** The filter flags given, as typed (`--server files --since 1h`), for an empty answer to name them. */
export function givenFilters(args: ParsedArgs, flags: readonly string[]): string {
  return flags
    .map((flag) => [flag, flagString(args, flag)] as const)
    .filter(([, value]) => value !== undefined)
    .map(([flag, value]) => `--${flag} ${value}`)
    .join(" ");
}
