/**
 * The client identity a session had before each change of it: a second `initialize` on one connection, or
 * another client of a stateless HTTP session naming itself. The session's row holds the latest identity;
 * `session_clients` keeps each earlier one with the time it stopped being in force (the request that
 * changed it). A call reads the identity in force when it started, so a later `initialize` never rewrites
 * the client or protocol version of calls already made. A session that never changes has no rows here.
 */
import type { SessionFacts } from "../protocol/observations.js";
import type { Db } from "./db.js";

/** Whether facts a message told start a new client identity rather than complete the current one. */
export function changesClient(current: SessionFacts, told: SessionFacts): boolean {
  // The first identity, or the server's side of the handshake (its answer names no client): no change.
  if (current.clientName === undefined && current.protocolVersion === undefined) return false;
  if (told.clientName === undefined && told.clientVersion === undefined) return false;
  const differs = (key: "clientName" | "clientVersion" | "protocolVersion") =>
    told[key] !== undefined && told[key] !== current[key];
  return differs("clientName") || differs("clientVersion") || differs("protocolVersion");
}

/** Keeps `was`, the identity in force until `until` (epoch ms), for the calls made before then. */
export function writeClientChange(db: Db, sessionId: string, until: number, was: SessionFacts): void {
  db.prepare(
    `INSERT OR REPLACE INTO session_clients (session_id, until, era, protocol_version, client_name, client_version)
     VALUES (?, ?, ?, ?, ?, ?)`,
  ).run(
    sessionId,
    until,
    was.era ?? null,
    was.protocolVersion ?? null,
    was.clientName ?? null,
    was.clientVersion ?? null,
  );
}

/**
 * Joins a call `c` (with its session `s`) to the identity in force when it started: the earliest change
 * after its start, else the session's own row.
 */
export const CALL_CLIENT_JOIN = `LEFT JOIN session_clients i ON i.session_id = c.session_id AND i.until =
  (SELECT min(until) FROM session_clients WHERE session_id = c.session_id AND until > c.started_at)`;

const pick = (column: string) =>
  `CASE WHEN i.session_id IS NULL THEN s.${column} ELSE i.${column} END AS ${column}`;

/** The call's protocol version, client name and client version, as CALL_CLIENT_JOIN finds them. */
export const CALL_CLIENT_COLUMNS = ["protocol_version", "client_name", "client_version"].map(pick).join(", ");
