/** Reads for the Servers view: latest samples and checks per server, and one server's history. */
import type { CheckStatus, SeenServerDetail, ServerDetail } from "../../../shared/servers.js";
import { STOPPED_MARK } from "../health/health-store.js";
import { readState, STATE } from "../metrics/rollups.js";
import type { Db, SqlValue } from "../store/db.js";
import {
  answeredSince,
  clientCallReads,
  lastAnsweredSince,
  listCalls,
  listClientCalls,
  listServers,
} from "../store/queries.js";
import { iso } from "../time.js";
import { type SessionMarker, sessionsCounted, type TrafficKey, trafficKeyId } from "./entry-traffic.js";

const num = (v: SqlValue | undefined): number | null => (v === null || v === undefined ? null : Number(v));
const str = (v: SqlValue | undefined): string | null => (v === null || v === undefined ? null : String(v));

export interface LatestSample {
  time: number;
  cpuPct: number | null;
  rssBytes: number;
}

/** The newest resource sample of each server name (by id when managed, else by name). */
export function latestSamples(db: Db, sinceMs: number): Map<string, LatestSample> {
  const rows = db
    .prepare(
      `SELECT server_id, server, time, cpu_pct, rss_bytes FROM resource_samples r
       WHERE time >= ? AND time = (SELECT max(time) FROM resource_samples x WHERE x.server = r.server AND x.time >= ?)`,
    )
    .all(sinceMs, sinceMs);
  const out = new Map<string, LatestSample>();
  for (const row of rows) {
    const sample = { time: Number(row.time), cpuPct: num(row.cpu_pct), rssBytes: Number(row.rss_bytes) };
    if (row.server_id) out.set(`id:${row.server_id}`, sample);
    out.set(`name:${row.server}`, sample);
  }
  return out;
}

export interface ServerTraffic {
  /** Start of the newest stored call (ms), however old. */
  lastCallAt: number | null;
  /** Client→server calls the server answered since `sinceMs`, up to a cap (see answeredSince). */
  recentAnswered: number;
  /** Start of the newest of those answered calls (ms), null when there is none. */
  lastAnsweredAt: number | null;
}

const NO_TRAFFIC: ServerTraffic = { lastCallAt: null, recentAnswered: 0, lastAnsweredAt: null };

/**
 * The recorded traffic of each entry's key (entry-traffic.ts), by trafficKeyId. A name whose sessions
 * all count for one entry (the usual case: one entry of that name instrumented) is read per name from
 * calls_server_time, so the cost grows with neither the calls table nor the answered traffic's rate;
 * only a name recorded for several entries reads calls joined to their sessions.
 */
export function serverTraffic(
  db: Db,
  keys: Iterable<TrafficKey>,
  sinceMs: number,
): Map<string, ServerTraffic> {
  const markersOf = sessionMarkers(db);
  const last = db.prepare("SELECT max(started_at) AS t FROM calls WHERE server = ?");
  const recent = answeredSince(db);
  const lastAnswered = lastAnsweredSince(db);
  const byClient = clientCallReads(db);
  const out = new Map<string, ServerTraffic>();
  for (const key of keys) {
    const id = trafficKeyId(key);
    if (out.has(id)) continue;
    const { name } = key;
    const counted = sessionsCounted(key, markersOf(name));
    if (counted === "none") {
      out.set(id, NO_TRAFFIC);
      continue;
    }
    const alone = counted === "all";
    const lastCallAt = alone ? num(last.get(name)?.t) : byClient.lastCall(key);
    const recentAnswered =
      lastCallAt === null || lastCallAt < sinceMs
        ? 0
        : alone
          ? recent(name, sinceMs)
          : byClient.answeredSince(key, sinceMs);
    const lastAnsweredAt =
      recentAnswered === 0
        ? null
        : alone
          ? lastAnswered(name, sinceMs)
          : byClient.lastAnsweredSince(key, sinceMs);
    out.set(id, { lastCallAt, recentAnswered, lastAnsweredAt });
  }
  return out;
}

export interface LastCheck {
  time: number;
  status: CheckStatus;
  state: string;
  handshakeMs: number | null;
  listMs: number | null;
  toolsCount: number | null;
  protocolVersion: string | null;
  error: string | null;
  /** Not a check: the user stopped the server here, and it has not been checked since. */
  stopped: boolean;
}

/** The latest stored health check per server id (survives engine restarts). */
export function latestChecks(db: Db): Map<string, LastCheck> {
  const rows = db
    .prepare(
      `SELECT * FROM health_checks h WHERE server_id IS NOT NULL
       AND id = (SELECT max(id) FROM health_checks x WHERE x.server_id = h.server_id)`,
    )
    .all();
  const out = new Map<string, LastCheck>();
  for (const row of rows) {
    out.set(String(row.server_id), {
      time: Number(row.time),
      status: row.status as LastCheck["status"],
      state: String(row.state),
      handshakeMs: num(row.handshake_ms),
      listMs: num(row.list_ms),
      toolsCount: num(row.tools_count),
      protocolVersion: str(row.protocol_version),
      error: str(row.error),
      stopped: row.status === STOPPED_MARK,
    });
  }
  return out;
}

/** How far back a server's detail reads its health checks and resource samples. */
export const DETAIL_HISTORY_MS = 24 * 3_600_000;

/**
 * One server's history for the detail view (bounded lists); a null id: one known by name only. `traffic`
 * (a configured entry's): its recent calls are those of its own sessions (entry-traffic.ts), none when it
 * is not wrapped (null); its logs, tools and checks stay the server's, by name.
 */
export function serverHistory(
  db: Db,
  id: string | null,
  name: string,
  sinceMs: number,
  traffic?: TrafficKey | null,
): Omit<ServerDetail, "server"> {
  const health = db
    .prepare(
      `SELECT time, status, handshake_ms, list_ms, tools_count, error FROM health_checks
       WHERE server_id = ? AND time >= ? AND status != ? ORDER BY time DESC LIMIT 500`,
    )
    .all(id, sinceMs, STOPPED_MARK)
    .reverse()
    .map((row) => ({
      time: iso(Number(row.time)),
      status: row.status as CheckStatus,
      handshakeMs: num(row.handshake_ms),
      listMs: num(row.list_ms),
      toolsCount: num(row.tools_count),
      error: str(row.error),
    }));
  const resources = db
    .prepare(
      `SELECT time, cpu_pct, rss_bytes FROM resource_samples
       WHERE (server_id = ? OR (server_id IS NULL AND server = ?)) AND time >= ? ORDER BY time DESC LIMIT 2000`,
    )
    .all(id, name, sinceMs)
    .reverse()
    .map((row) => ({
      time: iso(Number(row.time)),
      cpuPct: num(row.cpu_pct),
      rssBytes: Number(row.rss_bytes),
    }));
  const snapshot = db
    .prepare(
      "SELECT tools_json FROM tool_snapshots WHERE server_id = ? OR server = ? ORDER BY time DESC LIMIT 1",
    )
    .get(id, name);
  const stderr = db
    .prepare(
      "SELECT time, level, message FROM logs WHERE server = ? AND source = 'stderr' ORDER BY id DESC LIMIT 200",
    )
    .all(name)
    .reverse()
    .map((row) => ({ time: iso(Number(row.time)), level: String(row.level), message: String(row.message) }));
  const listed = parseTools(str(snapshot?.tools_json));
  return {
    health,
    resources,
    tools: listed.length ? listed : knownTools(db, name),
    toolsSource: listed.length ? "probe" : "recorded",
    stderr,
    calls: traffic === undefined ? listCalls(db, { server: name, limit: 50 }) : entryCalls(db, traffic),
    identity: lastIdentity(db, name),
  };
}

/** What the newest session of a name whose handshake named the server said it was. */
function lastIdentity(db: Db, name: string): ServerDetail["identity"] {
  const row = db
    .prepare(
      `SELECT id, started_at, server_name, server_version FROM sessions
       WHERE server = ? AND (server_name IS NOT NULL OR server_version IS NOT NULL)
       ORDER BY started_at DESC LIMIT 1`,
    )
    .get(name);
  if (!row) return null;
  return {
    name: str(row.server_name),
    version: str(row.server_version),
    session: String(row.id),
    seenAt: iso(Number(row.started_at)),
  };
}

/**
 * The newest calls of an entry's own sessions: read by name when every session of the name is its own
 * (the usual case), joined to the sessions only when other entries record under the name too.
 */
function entryCalls(db: Db, key: TrafficKey | null): ServerDetail["calls"] {
  if (!key) return [];
  const counted = sessionsCounted(key, sessionMarkers(db)(key.name));
  if (counted === "none") return [];
  if (counted === "all") return listCalls(db, { server: key.name, limit: 50 });
  return listClientCalls(db, key, 50);
}

/** The distinct client and entry markers of a name's sessions (null: none), read once per name. */
function sessionMarkers(db: Db): (name: string) => readonly SessionMarker[] {
  const markers = db.prepare("SELECT DISTINCT client, entry FROM sessions WHERE server = ?");
  const read = new Map<string, SessionMarker[]>();
  return (name) => {
    let list = read.get(name);
    if (!list) {
      list = markers.all(name).map((row) => ({ client: str(row.client), entry: str(row.entry) }));
      read.set(name, list);
    }
    return list;
  };
}

/** A server seen only in recorded traffic, by name: its summary and its recorded history (null: none). */
export function seenServerDetail(
  db: Db,
  name: string,
  sinceMs = Date.now() - DETAIL_HISTORY_MS,
): SeenServerDetail | null {
  const server = listServers(db).find((s) => s.name === name);
  if (!server) return null;
  const { health: _health, ...history } = serverHistory(db, null, name, sinceMs);
  return { server, ...history };
}

/**
 * A server no probe has listed still has tools mcpscope knows: those from the last `tools/list` its
 * clients made through the wrapper (pinned, or pending approval), and those it saw called (names only,
 * from the last 7 days).
 */
function knownTools(db: Db, name: string): Array<{ name: string; description: string | null }> {
  const tools = new Map<string, string | null>();
  // A changed tool as the server lists it now (its pin panel shows the pinned one beside it).
  const pins = db
    .prepare(
      "SELECT tool, coalesce(pending_definition, definition) AS definition FROM tool_pins WHERE server = ? AND status != 'removed'",
    )
    .all(name);
  for (const pin of pins) tools.set(String(pin.tool), describedIn(str(pin.definition)));
  // Tools called: from the rollup series (one row per tool and outcome, however many calls), and the
  // calls not folded yet (a short tail by id), not a scan of a week of the server's calls.
  const since = Date.now() - 7 * 86_400_000;
  const called = [
    ...db
      .prepare(
        `SELECT DISTINCT target FROM rollup_series WHERE server = ? AND method = 'tools/call' AND target <> ''
         AND last_seen >= ? LIMIT 500`,
      )
      .all(name, since),
    ...db
      .prepare(
        `SELECT DISTINCT target FROM calls NOT INDEXED WHERE id > ? AND server = ? AND started_at >= ?
         AND method = 'tools/call' AND target IS NOT NULL LIMIT 500`,
      )
      .all(readState(db, STATE.folded), name, since),
  ];
  for (const row of called) if (!tools.has(String(row.target))) tools.set(String(row.target), null);
  return [...tools].map(([tool, description]) => ({ name: tool, description }));
}

function describedIn(definition: string | null): string | null {
  try {
    const description = (JSON.parse(definition ?? "null") as { description?: unknown } | null)?.description;
    return typeof description === "string" ? description : null;
  } catch {
    return null;
  }
}

function parseTools(text: string | null): Array<{ name: string; description: string | null }> {
  if (!text) return [];
  try {
    const value = JSON.parse(text) as unknown;
    const list = Array.isArray(value) ? value : ((value as { tools?: unknown[] })?.tools ?? []);
    return list
      .filter(
        (t): t is { name: string; description?: unknown } =>
          typeof (t as { name?: unknown })?.name === "string",
      )
      .map((t) => ({ name: t.name, description: typeof t.description === "string" ? t.description : null }));
  } catch {
    return [];
  }
}
