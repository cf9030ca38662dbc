/**
 * Which servers a report scoped to one MCP client counts. Calls are stored (and rolled up) per server
 * name, so a name is counted whole or not at all; what decides is the client each session was launched
 * by (`sessions.client`, written by `mcpscope run --client`), read over the report's period and the
 * previous one so both are compared over the same servers:
 * - a name the client configures today is counted, unless every session of it in those periods was
 *   launched by other clients (the client's own entry then never ran: its figures would be theirs);
 * - a name the client no longer configures is counted when its sessions there were launched by it;
 * - a counted name whose sessions other clients also launched says so: its figures include their calls.
 */
import type { Report } from "../../../shared/report.js";
import { MonitoringError } from "../errors.js";
import type { Db } from "../store/db.js";
import type { TimeRange } from "../store/queries.js";

export type ClientServer = NonNullable<Report["scope"]["clientServers"]>[number];

interface Launches {
  own: boolean;
  others: string[];
}

/** Per server name, whether the client launched a session of it in the range, and which other clients did. */
function launchesIn(db: Db, client: string, range: TimeRange): Map<string, Launches> {
  const rows = db
    .prepare(
      `SELECT DISTINCT server, client FROM sessions
       WHERE client IS NOT NULL AND started_at <= ? AND (ended_at IS NULL OR ended_at >= ?)`,
    )
    .all(range.until, range.since);
  const out = new Map<string, Launches>();
  for (const row of rows) {
    const server = String(row.server);
    const by = String(row.client);
    let l = out.get(server);
    if (!l) {
      l = { own: false, others: [] };
      out.set(server, l);
    }
    if (by === client) l.own = true;
    else l.others.push(by);
  }
  return out;
}

/**
 * The client's server names, each with how it is counted, for the range spanning both compared periods.
 * `named`: the `--server` names the scope is also limited to.
 */
export function clientServers(
  db: Db,
  client: string,
  configured: readonly string[],
  range: TimeRange,
  named: readonly string[] | null,
): ClientServer[] {
  const launches = launchesIn(db, client, range);
  const today = new Set(configured);
  const recorded = [...launches].filter(([, l]) => l.own).map(([server]) => server);
  if (today.size === 0 && recorded.length === 0)
    throw MonitoringError.input(
      `${client} has no MCP servers configured on this machine; \`mcpscope discover\` lists each client's servers`,
    );
  const names = [...new Set([...today, ...recorded])].filter((n) => named === null || named.includes(n));
  if (names.length === 0) throw MonitoringError.input(`none of the servers named is configured in ${client}`);
  return names.sort().map((server) => {
    const l = launches.get(server) ?? { own: false, others: [] };
    return {
      server,
      configured: today.has(server),
      counted: l.own || l.others.length === 0,
      otherClients: [...new Set(l.others)].sort(),
    };
  });
}
