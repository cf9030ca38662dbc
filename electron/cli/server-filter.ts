/**
 * A `--server NAME` that matches nothing. A name nothing was ever recorded under is most likely a typo:
 * every command that filters by server (stats, calls, logs, tools, report) says so the same way, in one
 * line naming the servers there are, and exits 1. A known server with nothing in the range or under the
 * other filters is an empty answer, said as such.
 */
import type { ApiClient } from "../../shared/api.js";
import { MonitoringError } from "../monitor/errors.js";
import { flagString, type ParsedArgs } from "./args.js";

/** Throws when `server` is not among the recorded servers (nor `alsoKnown`); `what` is what it would have. */
export async function checkServerFilter(
  api: ApiClient,
  server: string | undefined,
  what: string,
  alsoKnown: readonly string[] = [],
): Promise<void> {
  if (server === undefined) return;
  requireKnownServers([server], [...(await api.call("servers.recorded", {})), ...alsoKnown], what);
}

/** The same, for commands that read the store without the API client (report) and may name several. */
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
