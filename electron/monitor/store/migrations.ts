/**
 * Versioned schema migrations, tracked in `PRAGMA user_version`. Each migration runs once, inside an
 * IMMEDIATE transaction, so wrappers starting together do not race: the second waits, then sees the
 * version already applied.
 */
import type { Db } from "./db.js";

const MIGRATIONS: string[] = [
  // 1: sessions, calls, logs, events, counters.
  `
  CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    server TEXT NOT NULL,
    started_at REAL NOT NULL,
    ended_at REAL,
    command TEXT,
    pid INTEGER,
    wrapper_pid INTEGER,
    era TEXT,
    protocol_version TEXT,
    client_name TEXT,
    client_version TEXT,
    server_name TEXT,
    server_version TEXT,
    exit_code INTEGER,
    exit_signal TEXT,
    dropped INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX sessions_server ON sessions(server, started_at);

  CREATE TABLE calls (
    id INTEGER PRIMARY KEY,
    session_id TEXT NOT NULL,
    server TEXT NOT NULL,
    direction TEXT NOT NULL,
    request_id TEXT NOT NULL,
    method TEXT NOT NULL,
    target TEXT,
    started_at REAL NOT NULL,
    duration_ms REAL NOT NULL,
    outcome TEXT NOT NULL,
    error_code INTEGER,
    error_message TEXT,
    bytes_in INTEGER NOT NULL,
    bytes_out INTEGER NOT NULL,
    progress_count INTEGER NOT NULL DEFAULT 0,
    rounds INTEGER NOT NULL DEFAULT 0,
    request TEXT,
    response TEXT
  );
  CREATE INDEX calls_time ON calls(started_at);
  CREATE INDEX calls_server_time ON calls(server, started_at);
  CREATE INDEX calls_session ON calls(session_id);

  CREATE TABLE logs (
    id INTEGER PRIMARY KEY,
    time REAL NOT NULL,
    level TEXT NOT NULL,
    server TEXT NOT NULL,
    session_id TEXT,
    source TEXT NOT NULL,
    logger TEXT,
    message TEXT NOT NULL,
    fields TEXT,
    request_id TEXT
  );
  CREATE INDEX logs_time ON logs(time);
  CREATE INDEX logs_server_time ON logs(server, time);

  CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    time REAL NOT NULL,
    category TEXT NOT NULL,
    type TEXT NOT NULL,
    severity TEXT NOT NULL,
    server TEXT,
    session_id TEXT,
    message TEXT NOT NULL,
    details TEXT
  );
  CREATE INDEX events_time ON events(time);
  CREATE INDEX events_type_time ON events(type, time);
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export function migrate(db: Db): void {
  const current = () => Number(db.prepare("PRAGMA user_version").get()?.user_version ?? 0);
  if (current() >= SCHEMA_VERSION) return;
  db.transaction(() => {
    const from = current();
    if (from > SCHEMA_VERSION) return;
    for (let v = from; v < SCHEMA_VERSION; v++) {
      db.exec(MIGRATIONS[v] ?? "");
    }
    db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
  });
}
