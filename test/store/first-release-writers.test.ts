/**
 * Writers from before this schema, in the upgraded database. The first release (2026-11-25) has no
 * newer-schema guard: its wrappers would go on recording, their pins flagged as changed definitions at
 * every session and their calls outside the audit trail; so the database refuses their sessions, and
 * they record nothing. Older wrappers still recording when a database is upgraded past the batched audit
 * chain are named, session by session, as no longer audited; those of builds that already wrote that
 * chain (as step 14) are not.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databasePath } from "../../electron/monitor/paths.js";
import { type Db, openDb, openRawDb } from "../../electron/monitor/store/db.js";
import { BATCHED_AUDIT_SCHEMA, MIGRATIONS, migrate } from "../../electron/monitor/store/migrations.js";
import type { EventRecord } from "../../shared/events.js";
import { cliJsonInProcess, cliOkInProcess } from "../helpers/cli-in-process.js";
import { tempDir } from "../helpers/mcp.js";

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(() => dir.cleanup());

describe("writers older than the database", () => {
  it("a first-release wrapper's batch is refused whole: no calls, no session, the pins as approved", () => {
    const path = join(dir.path, "first-release", "mcpscope.db");
    const current = openDb(path);
    current
      .prepare(
        "INSERT INTO tool_pins (server, tool, hash, definition, pinned_at, status) VALUES ('memory', 'read_graph', 'h', '{}', 1, 'pinned')",
      )
      .run();
    current.close();

    // The first release's connection (none of this mcpscope's functions) writing one batch as it did: its
    // rows and pin checks, then its session row, in one transaction.
    const old = new DatabaseSync(path, { timeout: 5000 });
    old.exec("BEGIN IMMEDIATE");
    let refused = "";
    try {
      old
        .prepare(
          `INSERT INTO calls (session_id, server, direction, request_id, method, target, started_at, duration_ms,
             outcome, error_code, error_message, bytes_in, bytes_out, progress_count, rounds, request, response)
           VALUES ('s-old', 'memory', 'c2s', '1', 'tools/list', NULL, 1, 1, 'ok', NULL, NULL, 10, 10, 0, 0, NULL, NULL)`,
        )
        .run();
      old
        .prepare(
          "UPDATE tool_pins SET status = 'changed', pending_hash = 'old-format', pending_definition = '{}', pending_seen_at = 2 WHERE server = 'memory' AND tool = 'read_graph'",
        )
        .run();
      old
        .prepare(
          "INSERT OR IGNORE INTO sessions (id, server, started_at, command, pid, wrapper_pid) VALUES ('s-old', 'memory', 1, 'x', 1, 1)",
        )
        .run();
      old.exec("COMMIT");
    } catch (error) {
      refused = (error as Error).message;
      old.exec("ROLLBACK");
    } finally {
      old.close();
    }
    // What the old wrapper prints, once, on its stderr.
    expect(refused).toBe("no such function: only_a_newer_mcpscope_records_here");

    const db = openRawDb(path, { readOnly: true });
    try {
      expect(db.prepare("SELECT count(*) AS n FROM calls").get()?.n).toBe(0);
      expect(db.prepare("SELECT count(*) AS n FROM sessions").get()?.n).toBe(0);
      expect(db.prepare("SELECT status FROM tool_pins").get()?.status).toBe("pinned");
    } finally {
      db.close();
    }
    // This mcpscope's writers start sessions as before.
    const again = openDb(path);
    try {
      again.prepare("INSERT INTO sessions (id, server, started_at) VALUES ('s-new', 'memory', 3)").run();
    } finally {
      again.close();
    }
  });

  it("an upgrade past the batched audit chain names each session whose older wrapper still records", async () => {
    const dataDir = join(dir.path, "pre-batch");
    const events = await upgradedUnder(dataDir, (db) => migrate(db, undefined, BATCHED_AUDIT_SCHEMA - 1));
    expect(events.map((e) => [e.session, e.server, e.severity])).toEqual([["recording", "memory", "medium"]]);
    expect(events[0]?.message).toContain("recorded but not audited");
  });

  it("a schema-14 database of the builds that ran the batched chain as step 14 names none: they write it", async () => {
    const dataDir = join(dir.path, "audit-first");
    const events = await upgradedUnder(dataDir, (db) => {
      // Their step 14 was this one's step 15 (the chain), the index step 14 of this list not yet there.
      migrate(db, undefined, BATCHED_AUDIT_SCHEMA - 2);
      db.exec(MIGRATIONS[BATCHED_AUDIT_SCHEMA - 1] ?? "");
      db.exec(`PRAGMA user_version = ${BATCHED_AUDIT_SCHEMA - 1}`);
    });
    expect(events).toEqual([]);
  });
});

/**
 * A database made by `older`, holding a session a live wrapper process still records and one it ended,
 * upgraded by a command: the `audit.session_unaudited` events it then holds.
 */
async function upgradedUnder(dataDir: string, older: (db: Db) => void): Promise<EventRecord[]> {
  mkdirSync(dataDir, { recursive: true });
  const wrapper = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
  try {
    await once(wrapper, "spawn");
    const db = openRawDb(databasePath(dataDir));
    db.exec("PRAGMA journal_mode = WAL");
    older(db);
    // Its session started after the process did, as a wrapper's does.
    const started = Date.now();
    const insert = db.prepare(
      "INSERT INTO sessions (id, server, command, started_at, ended_at, wrapper_pid) VALUES (?, 'memory', 'x', ?, ?, ?)",
    );
    insert.run("recording", started, null, wrapper.pid ?? 0);
    insert.run("ended", started, started + 1, wrapper.pid ?? 0);
    db.close();

    await cliOkInProcess(["stats", "--data-dir", dataDir]);
    const { events } = await cliJsonInProcess<{ events: EventRecord[] }>([
      "events",
      "--type",
      "audit.session_unaudited",
      "--data-dir",
      dataDir,
    ]);
    return events;
  } finally {
    wrapper.kill();
  }
}
