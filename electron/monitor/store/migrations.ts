/**
 * Versioned schema migrations, tracked in `PRAGMA user_version`. Each migration runs once, inside an
 * IMMEDIATE transaction, so wrappers starting together do not race: the second waits, then sees the
 * version already applied.
 *
 * A migration runs before whatever opened the database can answer, and holds the write lock meanwhile:
 * one that rewrites or indexes a table that grows with calls (calls, call_rollups, logs) costs seconds per
 * million rows (call_rollups_series: 14 s at 5 million calls). Whoever opens says so first (`upgrading`),
 * and such work belongs after start where it can (docs/architecture.md, "Upgrading the database").
 *
 * A database's version is a count of the steps it has run, so the list is append only: a step once
 * released is never edited, removed or moved (test/store/migration-fingerprints.test.ts holds each step's
 * fingerprint). A step may only gain IF NOT EXISTS, so that a database that ran it elsewhere passes through.
 */
import { basename } from "node:path";
import { MonitoringError } from "../errors.js";
import type { Db } from "./db.js";

/**
 * The SQL function every connection of this mcpscope defines (store/db.ts), called by a trigger on every
 * new session: a writer that lacks it (the first release's) cannot start one. Its name is what such a
 * writer prints.
 */
export const CURRENT_WRITER_FUNCTION = "only_a_newer_mcpscope_records_here";

/** The schema from which the audit chain is sealed per batch: writers before it write `audit_log`, closed since. */
export const BATCHED_AUDIT_SCHEMA = 15;

export const MIGRATIONS: readonly string[] = [
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
  // 2: process runs of managed servers, health checks, tool-definition snapshots, resource samples.
  `
  CREATE TABLE process_runs (
    id INTEGER PRIMARY KEY,
    server_id TEXT NOT NULL,
    server TEXT NOT NULL,
    session_id TEXT NOT NULL,
    pid INTEGER,
    command TEXT,
    started_at REAL NOT NULL,
    ended_at REAL,
    exit_code INTEGER,
    signal TEXT,
    uptime_ms REAL,
    restart_count INTEGER NOT NULL DEFAULT 0,
    reason TEXT
  );
  CREATE INDEX process_runs_time ON process_runs(started_at);
  CREATE INDEX process_runs_server_time ON process_runs(server_id, started_at);

  CREATE TABLE health_checks (
    id INTEGER PRIMARY KEY,
    time REAL NOT NULL,
    server_id TEXT,
    server TEXT NOT NULL,
    status TEXT NOT NULL,
    state TEXT NOT NULL,
    era TEXT,
    protocol_version TEXT,
    handshake_ms REAL,
    ping_ms REAL,
    list_ms REAL,
    tools_count INTEGER,
    error TEXT
  );
  CREATE INDEX health_checks_time ON health_checks(time);
  CREATE INDEX health_checks_server_time ON health_checks(server, time);

  CREATE TABLE tool_snapshots (
    id INTEGER PRIMARY KEY,
    time REAL NOT NULL,
    server_id TEXT,
    server TEXT NOT NULL,
    hash TEXT NOT NULL,
    tools_count INTEGER NOT NULL,
    tools_json TEXT NOT NULL
  );
  CREATE INDEX tool_snapshots_time ON tool_snapshots(time);
  CREATE INDEX tool_snapshots_server_time ON tool_snapshots(server, time);

  CREATE TABLE resource_samples (
    id INTEGER PRIMARY KEY,
    time REAL NOT NULL,
    server_id TEXT,
    server TEXT NOT NULL,
    pid INTEGER NOT NULL,
    cpu_pct REAL,
    rss_bytes INTEGER NOT NULL,
    process_count INTEGER NOT NULL
  );
  CREATE INDEX resource_samples_time ON resource_samples(time);
  CREATE INDEX resource_samples_server_time ON resource_samples(server, time);
  `,
  // 3: call rollups (minute, hour and day rows with a DDSketch of latency) and the collector's state.
  `
  CREATE TABLE call_rollups (
    id INTEGER PRIMARY KEY,
    resolution INTEGER NOT NULL,
    bucket_start INTEGER NOT NULL,
    server TEXT NOT NULL,
    method TEXT NOT NULL,
    target TEXT NOT NULL,
    outcome TEXT NOT NULL,
    count INTEGER NOT NULL,
    bytes_in INTEGER NOT NULL,
    bytes_out INTEGER NOT NULL,
    sketch BLOB NOT NULL
  );
  CREATE UNIQUE INDEX call_rollups_key ON call_rollups(resolution, bucket_start, server, method, target, outcome);

  CREATE TABLE metrics_state (
    key TEXT PRIMARY KEY,
    value REAL NOT NULL
  );
  `,
  // 4: logs: full-text index, per-minute level counts, per-server size, Drain templates, analyzer state.
  // The FTS5 index is contentless (the text lives once, in logs) with contentless_delete, so retention
  // deletes by rowid without re-reading and re-tokenizing the old text. Records are indexed once per
  // write transaction (logs/fts-index.ts, cursor `fts` in log_analysis), not by a row trigger, which
  // costs FTS5 a flush per row. Triggers keep the per-minute counts and the sizes exact for every writer
  // (wrappers, supervisor, engine) without any of them knowing. A record's size is estimated as twice
  // its text (the row and its postings) plus 170 bytes (other columns, three indexes, counts): within a
  // few percent of the file's growth in the bench.
  `
  CREATE VIRTUAL TABLE logs_fts USING fts5(
    message, fields, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2'
  );

  CREATE TABLE log_minutes (
    minute INTEGER NOT NULL,
    server TEXT NOT NULL,
    level TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (minute, server, level)
  ) WITHOUT ROWID;

  CREATE TABLE log_usage (
    server TEXT PRIMARY KEY,
    rows INTEGER NOT NULL,
    bytes INTEGER NOT NULL
  ) WITHOUT ROWID;

  CREATE TABLE log_templates (
    id INTEGER PRIMARY KEY,
    server TEXT NOT NULL,
    route TEXT NOT NULL,
    template TEXT NOT NULL,
    level TEXT NOT NULL,
    count INTEGER NOT NULL,
    first_seen REAL NOT NULL,
    last_seen REAL NOT NULL,
    example TEXT NOT NULL,
    example_id INTEGER
  );
  CREATE INDEX log_templates_server_seen ON log_templates(server, last_seen);
  CREATE INDEX log_templates_seen ON log_templates(last_seen);

  CREATE TABLE log_analysis (
    key TEXT PRIMARY KEY,
    value INTEGER NOT NULL
  ) WITHOUT ROWID;

  CREATE INDEX logs_session ON logs(session_id);

  CREATE TRIGGER logs_after_insert AFTER INSERT ON logs BEGIN
    INSERT INTO log_minutes (minute, server, level, count)
      VALUES (CAST(new.time / 60000 AS INTEGER), new.server, new.level, 1)
      ON CONFLICT (minute, server, level) DO UPDATE SET count = count + 1;
    INSERT INTO log_usage (server, rows, bytes)
      VALUES (new.server, 1, 2 * (octet_length(new.message) + coalesce(octet_length(new.fields), 0)) + 170)
      ON CONFLICT (server) DO UPDATE SET rows = rows + 1, bytes = bytes + excluded.bytes;
  END;

  CREATE TRIGGER logs_after_delete AFTER DELETE ON logs BEGIN
    DELETE FROM logs_fts WHERE rowid = old.id;
    UPDATE log_usage
      SET rows = rows - 1, bytes = bytes - (2 * (octet_length(old.message) + coalesce(octet_length(old.fields), 0)) + 170)
      WHERE server = old.server;
  END;

  INSERT INTO logs_fts (rowid, message, fields) SELECT id, message, fields FROM logs;
  INSERT INTO log_analysis (key, value) SELECT 'fts', coalesce(max(id), 0) FROM logs;
  INSERT INTO log_minutes (minute, server, level, count)
    SELECT CAST(time / 60000 AS INTEGER), server, level, count(*) FROM logs GROUP BY 1, 2, 3;
  INSERT INTO log_usage (server, rows, bytes)
    SELECT server, count(*), sum(2 * (octet_length(message) + coalesce(octet_length(fields), 0)) + 170)
    FROM logs GROUP BY server;
  `,
  // 5: rollups keyed by a series id (no strings per row, WITHOUT ROWID: a time range is contiguous pages).
  // Rollups are derived from calls: the old table is dropped and the collector folds again from the
  // calls still stored.
  `
  DROP TABLE call_rollups;
  CREATE TABLE rollup_series (
    id INTEGER PRIMARY KEY,
    server TEXT NOT NULL,
    method TEXT NOT NULL,
    target TEXT NOT NULL,
    outcome TEXT NOT NULL,
    last_seen REAL NOT NULL,
    UNIQUE (server, method, target, outcome)
  );
  CREATE TABLE call_rollups (
    resolution INTEGER NOT NULL,
    bucket_start INTEGER NOT NULL,
    series INTEGER NOT NULL,
    count INTEGER NOT NULL,
    bytes_in INTEGER NOT NULL,
    bytes_out INTEGER NOT NULL,
    sketch BLOB NOT NULL,
    PRIMARY KEY (resolution, bucket_start, series)
  ) WITHOUT ROWID;
  DELETE FROM metrics_state;
  `,
  // 6: event correlation (request, trace, progress token, parent event) and error fingerprints; error
  // groups are a view over the fingerprinted events.
  `
  ALTER TABLE events ADD COLUMN request_id TEXT;
  ALTER TABLE events ADD COLUMN trace_id TEXT;
  ALTER TABLE events ADD COLUMN progress_token TEXT;
  ALTER TABLE events ADD COLUMN parent_event INTEGER;
  ALTER TABLE events ADD COLUMN fingerprint TEXT;
  CREATE INDEX events_session_time ON events(session_id, time);
  CREATE INDEX events_category_time ON events(category, time);
  CREATE INDEX events_fingerprint_time ON events(fingerprint, time) WHERE fingerprint IS NOT NULL;
  CREATE VIEW error_groups AS
    SELECT fingerprint, min(type) AS type, server, min(message) AS message, count(*) AS count,
      min(time) AS first_seen, max(time) AS last_seen
    FROM events WHERE fingerprint IS NOT NULL GROUP BY fingerprint, server;
  `,
  // 7: the tamper-evident audit log (audit/audit-log.ts): one hash chain over calls and admin actions.
  `
  CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    time INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('call', 'admin')),
    actor TEXT,
    server TEXT,
    session_id TEXT,
    action TEXT NOT NULL,
    target TEXT,
    args_digest TEXT,
    outcome TEXT,
    details TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
  );
  CREATE INDEX audit_log_time ON audit_log(time);
  `,
  // tool-definition pins (security/pins.ts): one row per (server, tool), with a pending change to approve.
  `
  CREATE TABLE tool_pins (
    server TEXT NOT NULL,
    tool TEXT NOT NULL,
    hash TEXT NOT NULL,
    definition TEXT NOT NULL,
    pinned_at REAL NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pinned', 'changed', 'removed')),
    pending_hash TEXT,
    pending_definition TEXT,
    pending_seen_at REAL,
    PRIMARY KEY (server, tool)
  );
  `,
  // 9: alerts (monitor/alerts/): instances with their Prometheus state and timers, so a restart neither
  // loses a firing alert nor fires it twice; state history; silences; notification groups with what
  // each last told its channels; the outbox of deliveries with every attempt; small key/value state.
  `
  CREATE TABLE alert_instances (
    id TEXT PRIMARY KEY,
    rule TEXT NOT NULL,
    labels TEXT NOT NULL,
    severity TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'firing', 'resolved')),
    active_at REAL NOT NULL,
    fired_at REAL,
    resolved_at REAL,
    last_active_at REAL NOT NULL,
    keep_firing_since REAL,
    value REAL,
    summary TEXT NOT NULL,
    acknowledged INTEGER NOT NULL DEFAULT 0
  );

  CREATE TABLE alert_history (
    id INTEGER PRIMARY KEY,
    time REAL NOT NULL,
    alert_id TEXT NOT NULL,
    rule TEXT NOT NULL,
    severity TEXT NOT NULL,
    labels TEXT NOT NULL,
    from_state TEXT NOT NULL,
    to_state TEXT NOT NULL,
    value REAL,
    summary TEXT NOT NULL
  );
  CREATE INDEX alert_history_time ON alert_history(time);
  CREATE INDEX alert_history_alert ON alert_history(alert_id, time);

  CREATE TABLE alert_silences (
    id TEXT PRIMARY KEY,
    matchers TEXT NOT NULL,
    starts_at REAL NOT NULL,
    ends_at REAL NOT NULL,
    created_by TEXT NOT NULL,
    comment TEXT NOT NULL,
    created_at REAL NOT NULL
  );

  CREATE TABLE alert_groups (
    key TEXT PRIMARY KEY,
    first_seen_at REAL NOT NULL,
    last_sent_at REAL,
    sent_firing TEXT NOT NULL
  );

  CREATE TABLE alert_deliveries (
    id INTEGER PRIMARY KEY,
    channel TEXT NOT NULL,
    kind TEXT NOT NULL,
    group_key TEXT NOT NULL,
    alert_ids TEXT NOT NULL,
    title TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    created_at REAL NOT NULL,
    next_at REAL,
    delivered_at REAL,
    last_error TEXT,
    attempts INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX alert_deliveries_due ON alert_deliveries(status, next_at);
  CREATE INDEX alert_deliveries_created ON alert_deliveries(created_at);

  CREATE TABLE alert_delivery_attempts (
    id INTEGER PRIMARY KEY,
    delivery_id INTEGER NOT NULL,
    time REAL NOT NULL,
    ok INTEGER NOT NULL,
    status INTEGER,
    error TEXT,
    duration_ms REAL NOT NULL
  );
  CREATE INDEX alert_delivery_attempts_delivery ON alert_delivery_attempts(delivery_id);

  CREATE TABLE alert_meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) WITHOUT ROWID;
  `,

  // HTTP transports: the status of the exchange that carried each call (null over stdio).
  `
  ALTER TABLE calls ADD COLUMN http_status INTEGER;
  `,

  // audit checkpoints (audit/audit-retention.ts): what retention pruned from the head of the audit chain,
  // so that verification starts from the oldest kept record instead of failing on the gap.
  `
  CREATE TABLE audit_checkpoints (
    id INTEGER PRIMARY KEY,
    time REAL NOT NULL,
    from_id INTEGER NOT NULL,
    through_id INTEGER NOT NULL UNIQUE,
    count INTEGER NOT NULL,
    last_hash TEXT NOT NULL,
    digest TEXT NOT NULL
  );
  `,

  // One server's calls, newest first (the Calls view filtered by server), read from an index instead of
  // sorting all of that server's calls: an index on a rowid table ends in the rowid, so this is
  // (server, id).
  `
  CREATE INDEX calls_server_id ON calls(server);
  `,

  // scheduled reports (reports/scheduler.ts): the last due time each schedule has handled, so a restart
  // runs a missed schedule once, and every run with where it went.
  `
  CREATE TABLE report_schedule_state (
    schedule TEXT PRIMARY KEY,
    last_due REAL NOT NULL
  );
  CREATE TABLE report_runs (
    id INTEGER PRIMARY KEY,
    schedule TEXT NOT NULL,
    due_at REAL NOT NULL,
    started_at REAL NOT NULL,
    since REAL NOT NULL,
    until REAL NOT NULL,
    formats TEXT NOT NULL,
    error TEXT,
    destinations TEXT NOT NULL
  );
  CREATE INDEX report_runs_schedule ON report_runs(schedule, id);
  `,

  // Rollups by series: a chart reads two summary series over a day of minutes, rows the primary key (by
  // time, then series) interleaves with every operation's; this reads them alone.
  `
  CREATE INDEX call_rollups_series ON call_rollups(series, resolution, bucket_start);
  `,

  // The audit chain sealed per batch (audit/audit-chain.ts): a compact row per record, the facts records
  // share stored once, one link per write transaction. `audit_log` keeps the records written before (the
  // first link chains from its last hash) and takes no new ones: a wrapper of an older version still
  // running would otherwise continue the old chain beside the new one. IF NOT EXISTS: one day's builds
  // (2026-12-06, 07:02–07:17) ran this as step 14, before the index above was added ahead of it; their
  // databases (schema 14) meet it a second time and must pass through.
  `
  CREATE TABLE IF NOT EXISTS audit_subjects (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('call', 'admin')),
    actor TEXT,
    server TEXT,
    session_id TEXT,
    action TEXT NOT NULL,
    target TEXT,
    client TEXT,
    client_name TEXT,
    client_version TEXT,
    last_id INTEGER NOT NULL
  );
  CREATE TABLE IF NOT EXISTS audit_records (
    id INTEGER PRIMARY KEY,
    time INTEGER NOT NULL,
    subject INTEGER NOT NULL,
    args_digest BLOB,
    outcome TEXT,
    request_id TEXT,
    duration_us INTEGER,
    error_code INTEGER,
    details TEXT
  );
  CREATE TABLE IF NOT EXISTS audit_links (
    id INTEGER PRIMARY KEY,
    first_id INTEGER NOT NULL,
    last_id INTEGER NOT NULL,
    min_time INTEGER NOT NULL,
    max_time INTEGER NOT NULL,
    tags BLOB NOT NULL,
    digest TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
  );
  CREATE TRIGGER IF NOT EXISTS audit_log_closed BEFORE INSERT ON audit_log BEGIN
    SELECT RAISE(ABORT, 'this audit log is written in batches by a newer mcpscope; restart this wrapper');
  END;
  `,

  // How a session ended (the reasons are listed in shared/events.ts): the wrapper's or the proxy's own
  // ('exit', 'client_closed', …), or 'lost' when the engine closed it because the wrapper's process was
  // gone (store/lost-sessions.ts); null while it runs.
  `
  ALTER TABLE sessions ADD COLUMN end_reason TEXT;
  `,

  // Tool-poisoning findings of a pinned and of a pending definition (security/pins.ts), JSON: scanned on
  // the definition as the server sent it, since the stored text is masked. Null on rows pinned before.
  `
  ALTER TABLE tool_pins ADD COLUMN findings TEXT;
  ALTER TABLE tool_pins ADD COLUMN pending_findings TEXT;
  `,

  // The wrapper's own process start, in the kernel's clock ticks since boot (Linux; null elsewhere): the
  // same pid with the same ticks is the same wrapper, whatever the wall clock did meanwhile.
  `
  ALTER TABLE sessions ADD COLUMN wrapper_start_ticks INTEGER;
  `,

  // Until when an engine holds a pending delivery it is sending (alerts/outbox.ts): the app and
  // `mcpscope serve` on one data dir may both show desktop notifications, and the claim makes one do it.
  `
  ALTER TABLE alert_deliveries ADD COLUMN claimed_until REAL;
  `,

  // The MCP client whose config entry launched the session (`run --client`, or the client of the remote
  // entry the engine's proxy stands for): same-named entries of different clients are told apart by it.
  // Null for a session started by hand (`mcpscope run --name X`) and for sessions recorded before.
  `
  ALTER TABLE sessions ADD COLUMN client TEXT;
  `,

  // The config entry that launched the session (`run --entry`: the entry's id, a hash of its client, file
  // and place in the file, discovery/entry.ts): two entries of one client under one name (two VS Code
  // profiles) are told apart by it. Null for sessions started without it, still counted by `client`.
  `
  ALTER TABLE sessions ADD COLUMN entry TEXT;
  `,

  // Leases that let one engine of several on a data dir do a job alone (store/engine-leases.ts): which
  // engine (pid and start ticks, so a dead one's lease is taken over at once) holds it, until when.
  `
  CREATE TABLE engine_leases (
    name TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    pid INTEGER NOT NULL,
    start_ticks INTEGER,
    started_at REAL NOT NULL,
    until REAL NOT NULL
  );
  `,

  // Templates mined before a template held lines of one level took lines of every level and wore the
  // highest (logs/drain.ts): marked so that they keep doing so, rather than split into one template per
  // level, each reported again as a new template.
  `
  ALTER TABLE log_templates ADD COLUMN any_level INTEGER NOT NULL DEFAULT 0;
  UPDATE log_templates SET any_level = 1;
  `,

  // The capability sets of the clients whose complete tool listings held a pinned tool (security/pins.ts),
  // JSON: a tool counts as removed only when a listing to one of them no longer holds it, since servers
  // offer some tools only to clients that declare a capability. Null on pins made before, until listed.
  `
  ALTER TABLE tool_pins ADD COLUMN listed_for TEXT;
  `,

  // A session's client identities before each change of it (store/session-clients.ts): a call keeps the
  // client and protocol version in force when it was made. Gone with its session.
  `
  CREATE TABLE session_clients (
    session_id TEXT NOT NULL,
    until REAL NOT NULL,
    era TEXT,
    protocol_version TEXT,
    client_name TEXT,
    client_version TEXT,
    PRIMARY KEY (session_id, until)
  ) WITHOUT ROWID;
  CREATE TRIGGER session_clients_gone AFTER DELETE ON sessions BEGIN
    DELETE FROM session_clients WHERE session_id = old.id;
  END;
  `,

  // Rollup series by direction (metrics/rollups.ts): the requests a server sent its client (sampling,
  // elicitation, roots) are folded into series of their own, never into the server's figures. The series
  // table is small (one row per operation and outcome), so it is rebuilt with its ids kept. Series folded
  // before stay `c2s`: they hold what was folded then, the server's own requests included.
  `
  CREATE TABLE rollup_series_by_direction (
    id INTEGER PRIMARY KEY,
    server TEXT NOT NULL,
    direction TEXT NOT NULL DEFAULT 'c2s',
    method TEXT NOT NULL,
    target TEXT NOT NULL,
    outcome TEXT NOT NULL,
    last_seen REAL NOT NULL,
    UNIQUE (server, direction, method, target, outcome)
  );
  INSERT INTO rollup_series_by_direction (id, server, direction, method, target, outcome, last_seen)
    SELECT id, server, 'c2s', method, target, outcome, last_seen FROM rollup_series;
  DROP TABLE rollup_series;
  ALTER TABLE rollup_series_by_direction RENAME TO rollup_series;
  `,

  // Writers of the first release (2026-11-25) have no newer-schema guard: they would go on recording into
  // this database, their pins read as changed definitions at every session (the pin format changed since)
  // and their calls never reaching the audit chain. Every session starts with this insert, and the trigger
  // calls a function every connection of this mcpscope defines (store/db.ts) and theirs do not: their
  // insert fails, and with it each of their batches, so they record nothing (traffic unaffected) and say
  // `no such function: only_a_newer_mcpscope_records_here` once on their stderr.
  `
  CREATE TRIGGER sessions_by_current_writers BEFORE INSERT ON sessions BEGIN
    SELECT ${CURRENT_WRITER_FUNCTION}();
  END;
  `,

  // Task-augmented calls (MCP 2025-11-25 tasks, store/task-columns.ts): the task a call created, its state
  // (a running one keeps the call out of every figure until it ends) and its status changes. Columns with
  // no default cost nothing at start, whatever the table holds.
  `
  ALTER TABLE calls ADD COLUMN task_id TEXT;
  ALTER TABLE calls ADD COLUMN task_state TEXT;
  ALTER TABLE calls ADD COLUMN task_updates TEXT;
  `,

  // The calls still running (`calls --outcome running`, store/task-columns.ts RUNNING_WHERE, whose
  // condition this must match word for word for SQLite to use it): a handful of rows at any time, found in
  // a fraction of a millisecond, where reading the calls newest first took a second per million calls
  // with none running. Building it reads the table once (about 0.6 s per million calls) and writes nearly
  // nothing (bench/README.md).
  `
  CREATE INDEX IF NOT EXISTS calls_running ON calls(started_at) WHERE task_state IN ('working', 'input_required');
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Told before migrations run on an existing database: from its schema version to this one's. */
export type UpgradeListener = (from: number, to: number) => void;

/**
 * Brings the database to `to` (this mcpscope's schema unless a test stops earlier, to stand for a
 * database an older version left).
 */
export function migrate(db: Db, upgrading?: UpgradeListener, to = SCHEMA_VERSION): void {
  const current = () => Number(db.prepare("PRAGMA user_version").get()?.user_version ?? 0);
  const found = current();
  if (found > SCHEMA_VERSION) throw newerSchemaError(db.path, found);
  if (found >= to) return;
  db.transaction(() => {
    // Read again under the lock: another process (a wrapper) may have run the migrations meanwhile.
    const from = current();
    if (from > SCHEMA_VERSION) throw newerSchemaError(db.path, from);
    if (from >= to) return;
    // A new database (version 0) is created in milliseconds: only an upgrade is announced.
    if (from > 0) upgrading?.(from, to);
    for (let v = from; v < to; v++) {
      try {
        db.exec(MIGRATIONS[v] ?? "");
      } catch (error) {
        // A new database (version 0) that cannot be created is not an upgrade: SQLite's words say it.
        if (from === 0) throw error;
        throw new UpgradeError(db.path, from, to, v + 1, error);
      }
    }
    db.exec(`PRAGMA user_version = ${to}`);
  });
}

/**
 * A step that failed: the whole upgrade was rolled back, so the file is as it was. Said in words the user
 * can act on; `reason` is the short form, for a caller that names the file itself (restore).
 */
export class UpgradeError extends MonitoringError {
  readonly reason: string;
  constructor(path: string, from: number, to: number, step: number, cause: unknown) {
    const reason = `step ${step} of the upgrade from schema ${from} to ${to} failed: ${(cause as Error).message}`;
    super(
      "storage",
      `the database ${path} (schema ${from}) cannot be upgraded: ${reason}; nothing was changed. ` +
        `A pre-release or branch build of mcpscope may have written it. To go on, move ${basename(path)} aside ` +
        "(the next start begins a fresh one; the old file keeps your history), or `mcpscope restore` a backup into a new --data-dir",
      false,
      { cause },
    );
    this.reason = reason;
  }
}

/** What a terminal is told while an upgrade runs, in one line. */
export function upgradeLine(from: number, to: number, keepingCopy = true): string {
  const copy = keepingCopy ? ", keeping a copy of it in backups/" : "";
  return `mcpscope: upgrading the database from schema ${from} to ${to}${copy} (once, after an update; a large database can take a minute)`;
}

/** The one-line refusal of a database written by a newer mcpscope (its tables may not be what we expect). */
export function newerSchemaError(path: string, version: number): MonitoringError {
  return MonitoringError.storage(
    `the database ${path} has schema version ${version}, newer than this mcpscope understands (${SCHEMA_VERSION}); upgrade mcpscope, or use another --data-dir`,
  );
}
