/**
 * The server names the store holds something for, by kind. Logs and pins are read by hopping along an
 * index (one lookup per distinct name, however many rows); events have no index on the server, and are
 * bounded by retention.
 */
import type { KnownServers } from "../../../shared/servers.js";
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
