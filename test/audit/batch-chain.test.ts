/**
 * The audit chain sealed per batch, on real database files: records written through the batch writer in
 * several transactions verify; an edited record, a deleted record, two records swapped, an edited shared
 * subject, a removed batch and an edited link are each caught, naming the first bad record. A database
 * that kept the per-record chain (before batches) upgrades, still verifies, continues its chain, exports
 * both forms in order, and still names a tampered old record.
 */

import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditEntry } from "../../electron/monitor/audit/audit-chain.js";
import { iterateAudit, recordAdminAction, verifyChain } from "../../electron/monitor/audit/audit-log.js";
import { canonicalJson, legacyRecordHash } from "../../electron/monitor/audit/audit-record.js";
import { pruneAuditStep, recordPrune } from "../../electron/monitor/audit/audit-retention.js";
import { BatchWriter } from "../../electron/monitor/store/batch-writer.js";
import { openDb } from "../../electron/monitor/store/db.js";
import { MIGRATIONS, SCHEMA_VERSION } from "../../electron/monitor/store/migrations.js";
import { tempDir } from "../helpers/mcp.js";

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  dir = await tempDir("mcpscope-batch-chain-");
});
afterAll(() => dir.cleanup());

const T0 = Date.parse("2026-11-20T10:00:00Z");

function call(i: number, session = "s-1"): AuditEntry {
  return {
    subject: {
      kind: "call",
      actor: "client-a",
      server: "files",
      session_id: session,
      action: "tools/call",
      target: i % 2 ? "read" : "write",
      client: "claude-code",
      client_name: "client-a",
      client_version: "1.2.3",
    },
    row: {
      time: T0 + i * 1000,
      args_digest: (i % 16).toString(16).repeat(64),
      outcome: i % 5 === 0 ? "tool_error" : "ok",
      request_id: String(i),
      duration_us: 1500 + i,
      error_code: null,
      details: null,
    },
  };
}

let files = 0;
/** A database with `batches` transactions of `perBatch` call records each, written by the batch writer. */
function chain(batches = 3, perBatch = 5): string {
  const path = join(dir.path, `chain-${++files}.db`);
  const writer = new BatchWriter({ open: () => openDb(path) });
  let i = 0;
  for (let b = 0; b < batches; b++) {
    for (let k = 0; k < perBatch; k++) writer.enqueueAudit(call(++i));
    expect(writer.flush()).toBe(true);
  }
  writer.close();
  return path;
}

function tamper(path: string, ...statements: string[]): void {
  const db = new DatabaseSync(path);
  try {
    for (const sql of statements) db.exec(sql);
  } finally {
    db.close();
  }
}

function verify(path: string) {
  const db = openDb(path);
  try {
    return verifyChain(db);
  } finally {
    db.close();
  }
}

describe("the batched audit chain", () => {
  it("verifies records written in several batches, one link each", () => {
    const path = chain();
    expect(verify(path)).toEqual({ ok: true, records: 15 });
    const db = openDb(path);
    try {
      const records = [...iterateAudit(db)];
      expect(records.map((r) => r.id)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
      expect(new Set(records.map((r) => r.link))).toEqual(new Set([1, 2, 3]));
      expect(records[6]).toMatchObject({ kind: "call", actor: "client-a", target: "read", outcome: "ok" });
      expect(JSON.parse(String(records[6]?.details))).toEqual({
        client: "claude-code",
        clientName: "client-a",
        clientVersion: "1.2.3",
        durationMs: 1.507,
        errorCode: null,
        requestId: "7",
      });
      // The shared facts are stored once per session and target, not per record.
      expect(Number(db.prepare("SELECT count(*) AS n FROM audit_subjects").get()?.n)).toBe(2);
    } finally {
      db.close();
    }
  });

  it("names a record edited inside a batch", () => {
    const path = chain();
    tamper(path, "UPDATE audit_records SET outcome = 'ok' WHERE id = 10");
    expect(verify(path)).toMatchObject({
      ok: false,
      records: 10,
      broken: { id: 10, reason: "hash mismatch" },
    });
  });

  it("names the record after one deleted from the middle of a batch", () => {
    const path = chain();
    tamper(path, "DELETE FROM audit_records WHERE id = 7");
    expect(verify(path).broken).toMatchObject({
      id: 8,
      time: T0 + 8000,
      reason: "missing",
      message: "1 record(s) before it are missing (ids 7..7)",
    });
  });

  it("names the first of two records swapped", () => {
    const path = chain();
    tamper(
      path,
      "UPDATE audit_records SET id = -1 WHERE id = 6",
      "UPDATE audit_records SET id = 6 WHERE id = 7",
      "UPDATE audit_records SET id = 7 WHERE id = -1",
    );
    expect(verify(path).broken).toMatchObject({ id: 6, reason: "hash mismatch" });
  });

  it("names the first record of an edited shared subject", () => {
    const path = chain();
    tamper(path, "UPDATE audit_subjects SET client_version = '9.9.9' WHERE target = 'write'");
    expect(verify(path).broken).toMatchObject({ id: 2, reason: "hash mismatch" });
  });

  it("names the record after a removed batch, and a batch whose link was edited", () => {
    const removed = chain();
    tamper(
      removed,
      "DELETE FROM audit_records WHERE id BETWEEN 6 AND 10",
      "DELETE FROM audit_links WHERE id = 2",
    );
    expect(verify(removed).broken).toMatchObject({ id: 11, reason: "missing" });

    const edited = chain();
    tamper(edited, "UPDATE audit_links SET max_time = max_time + 1 WHERE id = 3");
    expect(verify(edited).broken).toMatchObject({ id: 11, reason: "hash mismatch" });

    const unlinked = chain();
    tamper(unlinked, "DELETE FROM audit_links WHERE id = 3");
    expect(verify(unlinked).broken).toMatchObject({ id: 11, reason: "missing" });
  });
});

/** A database as mcpscope wrote it before batches: the schema back before them, records chained one by one. */
function legacyDatabase(records: number): string {
  const path = join(dir.path, `legacy-${++files}.db`);
  openDb(path).close();
  const db = new DatabaseSync(path);
  try {
    // Back before the batched chain's migration, and the columns that came after it (one undo each: a
    // migration appended after them needs its undo here too, which the check below asks for).
    const undo = [
      "ALTER TABLE sessions DROP COLUMN end_reason",
      "ALTER TABLE tool_pins DROP COLUMN findings; ALTER TABLE tool_pins DROP COLUMN pending_findings",
      "ALTER TABLE sessions DROP COLUMN wrapper_start_ticks",
      "ALTER TABLE alert_deliveries DROP COLUMN claimed_until",
      "ALTER TABLE sessions DROP COLUMN client",
      "ALTER TABLE sessions DROP COLUMN entry",
      "DROP TABLE engine_leases",
      "ALTER TABLE log_templates DROP COLUMN any_level",
      "ALTER TABLE tool_pins DROP COLUMN listed_for",
      "DROP TRIGGER session_clients_gone; DROP TABLE session_clients",
      `CREATE TABLE rollup_series_old (id INTEGER PRIMARY KEY, server TEXT NOT NULL, method TEXT NOT NULL,
        target TEXT NOT NULL, outcome TEXT NOT NULL, last_seen REAL NOT NULL, UNIQUE (server, method, target, outcome));
      INSERT INTO rollup_series_old SELECT id, server, method, target, outcome, last_seen FROM rollup_series;
      DROP TABLE rollup_series; ALTER TABLE rollup_series_old RENAME TO rollup_series`,
      "DROP TRIGGER sessions_by_current_writers",
      // Before the column it reads goes.
      "DROP INDEX calls_running",
      "ALTER TABLE calls DROP COLUMN task_id; ALTER TABLE calls DROP COLUMN task_state; ALTER TABLE calls DROP COLUMN task_updates",
    ];
    const chain = MIGRATIONS.findIndex((sql) => sql.includes("audit_records ("));
    expect(SCHEMA_VERSION - chain - 1, "migrations after the batched chain's, each undone here").toBe(
      undo.length,
    );
    db.exec(`DROP TRIGGER audit_log_closed; DROP TABLE audit_records; DROP TABLE audit_links;
      DROP TABLE audit_subjects; ${undo.join("; ")};
      PRAGMA user_version = ${chain}`);
    let prev = "";
    for (let id = 1; id <= records; id++) {
      const record = {
        id,
        time: T0 - (records - id) * 60_000,
        kind: "admin" as const,
        actor: "cli",
        server: null,
        session_id: null,
        action: "instrument",
        target: `/home/u/.config/client-${id}.json`,
        args_digest: null,
        outcome: "ok",
        details: canonicalJson({ client: "codex", n: id }),
        prev_hash: prev,
      };
      const hash = legacyRecordHash(record);
      db.prepare(
        `INSERT INTO audit_log (id, time, kind, actor, server, session_id, action, target, args_digest, outcome,
           details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        id,
        record.time,
        "admin",
        "cli",
        null,
        null,
        "instrument",
        record.target,
        null,
        "ok",
        record.details,
        prev,
        hash,
      );
      prev = hash;
    }
  } finally {
    db.close();
  }
  return path;
}

describe("a database with the per-record chain", () => {
  it("upgrades, verifies, continues the chain in batches and exports both forms in order", () => {
    const path = legacyDatabase(3);
    const db = openDb(path);
    try {
      expect(verifyChain(db)).toEqual({ ok: true, records: 3 });
      recordAdminAction(db, { action: "settings_change", actor: "app", time: T0 + 1 });
    } finally {
      db.close();
    }
    const writer = new BatchWriter({ open: () => openDb(path) });
    for (let i = 1; i <= 4; i++) writer.enqueueAudit(call(i));
    writer.close();

    expect(verify(path)).toEqual({ ok: true, records: 8 });
    const read = openDb(path);
    try {
      const records = [...iterateAudit(read)];
      expect(records.map((r) => [r.id, r.action, r.link === null])).toEqual([
        [1, "instrument", true],
        [2, "instrument", true],
        [3, "instrument", true],
        [4, "settings_change", false],
        [5, "tools/call", false],
        [6, "tools/call", false],
        [7, "tools/call", false],
        [8, "tools/call", false],
      ]);
      // The first link continues the old chain from its last record's hash.
      const first = read.prepare("SELECT prev_hash FROM audit_links ORDER BY id LIMIT 1").get();
      expect(first?.prev_hash).toBe(records[2]?.hash);
      // The old table takes no new records (an older wrapper still running cannot fork the chain).
      expect(() =>
        read
          .prepare(
            "INSERT INTO audit_log (time, kind, action, prev_hash, hash) VALUES (1, 'admin', 'x', '', '')",
          )
          .run(),
      ).toThrow(/written in batches/);
    } finally {
      read.close();
    }

    tamper(path, "UPDATE audit_log SET target = 'elsewhere' WHERE id = 2");
    expect(verify(path).broken).toMatchObject({ id: 2, reason: "hash mismatch" });
  });

  it("prunes the old records and whole expired batches, and verifies from the first kept record", () => {
    const path = legacyDatabase(3);
    const writer = new BatchWriter({ open: () => openDb(path) });
    for (let b = 0; b < 3; b++) {
      for (let k = 1; k <= 4; k++) writer.enqueueAudit(call(b * 100 + k, `s-${b}`));
      writer.flush();
    }
    writer.close();
    const db = openDb(path);
    try {
      // Everything up to the second batch (times up to T0 + 104 s) is past the cutoff.
      const cutoff = T0 + 150_000;
      let deleted = 0;
      for (let n = pruneAuditStep(db, cutoff, 2, cutoff); n > 0; n = pruneAuditStep(db, cutoff, 2, cutoff))
        deleted += n;
      recordPrune(db, deleted, cutoff);
      expect(deleted).toBe(3 + 8);
      expect(verifyChain(db)).toMatchObject({ ok: true, records: 5, from: { id: 12, prunedThrough: 11 } });
      // The facts only pruned records shared went with them.
      expect(db.prepare("SELECT DISTINCT session_id FROM audit_subjects WHERE kind = 'call'").all()).toEqual([
        { session_id: "s-2" },
      ]);
    } finally {
      db.close();
    }
  });
});
