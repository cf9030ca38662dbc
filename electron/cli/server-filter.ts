/**
 * A `--server NAME` that matches nothing. A name nothing was ever recorded under is most likely a typo:
 * every command that filters by server (stats, calls, logs, tools, report) says so the same way, in one
 * line naming the servers there are, and exits 1. A known server with nothing in the range or under the
 * other filters is an empty answer, said as such.
 */
import type { ApiClient } from "../../shared/api.js";
import { type KnownKind, requireKnown } from "../monitor/store/known-servers.js";
import { flagString, type ParsedArgs } from "./args.js";

export { requireKnown, requireKnownServers } from "../monitor/store/known-servers.js";

/**
 * Throws when nothing knows `server`: no calls, logs, events or tool pins are stored under it, and no
 * client config (nor `alsoKnown`) names it. The hint lists the servers that have what the command lists.
 */
export async function checkServerFilter(
  api: ApiClient,
  server: string | undefined,
  kind: KnownKind,
  alsoKnown: readonly string[] = [],
): Promise<void> {
  if (server === undefined) return;
  const known = await api.call("servers.known", {});
  await requireKnown([server], known, () => configuredNames(api), kind, alsoKnown);
}

async function configuredNames(api: ApiClient): Promise<string[]> {
  try {
    return (await api.call("discovery.list", {})).servers.map((s) => s.name);
  } catch {
    return []; // an unreadable config does not make a typo known
  }
}

/** The filter flags given, as typed (`--server files --since 1h`), for an empty answer to name them. */
export function givenFilters(args: ParsedArgs, flags: readonly string[]): string {
  return flags
    .map((flag) => [flag, flagString(args, flag)] as const)
    .filter(([, value]) => value !== undefined)
    .map(([flag, value]) => `--${flag} ${value}`)
    .join(" ");
}
