/**
 * What fails on its own in a batch fails alone: a write after the rows (the session's row, the log index)
 * that throws is undone and skipped, and a call row the database refuses is dropped by itself and counted
 * in its session as a call not recorded; a batch whose audit link cannot be written loses its audit
 * records, not its calls, and leaves the chain intact. The batch's other calls are stored either way, and
 * each kind of failure is said once. On a real database file, with the session recorder the wrapper uses.
 */
import { join } from "node:path";
import { expect, it } from "vitest";
import type { AuditEntry } from "../../electron/monitor/audit/audit-chain.js";
import { verifyChain } from "../../electron/monitor/audit/audit-log.js";
import type { CallObservation } from "../../electron/monitor/protocol/observations.js";
import { BatchWriter } from "../../electron/monitor/store/batch-writer.js";
import { openDb } from "../../electron/monitor/store/db.js";
import { SessionRecorder } from "../../electron/monitor/store/session-recorder.js";
import { testDir } from "../helpers/mcp.js";

function callRow(i: number) {
  return {
    session_id: "s-1",
    server: "files",
    direction: "c2s",
    request_id: String(i),
    method: "tools/call",
    target: "read",
    started_at: 1_000 + i,
    duration_ms: 1,
    outcome: "ok",
    bytes_in: 10,
    bytes_out: 20,
    progress_count: 0,
    rounds: 1,
  };
}

function call(i: number): CallObservation {
  return {
    direction: "c2s",
    requestId: String(i),
    method: "tools/call",
    target: "read",
    startedAt: 1_000 + i,
    durationMs: 1,
    outcome: "ok",
    errorCode: null,
    errorMessage: null,
    bytesIn: 10,
    bytesOut: 20,
    request: { jsonrpc: "2.0", id: i, method: "tools/call", params: { name: "read", arguments: {} } },
    response: { jsonrpc: "2.0", id: i, result: { content: [] } },
    progressCount: 0,
    rounds: 0,
  };
}

function auditEntry(i: number): AuditEntry {
  return {
    subject: {
      kind: "call",
      actor: "client",
      server: "files",
      session_id: "s-1",
      action: "tools/call",
      target: "read",
      client: null,
      client_name: "client",
      client_version: "1",
    },
    row: {
      time: 1_000 + i,
      args_digest: null,
      outcome: "ok",
      request_id: String(i),
      duration_us: 1000,
      error_code: null,
      details: null,
    },
  };
}

function storedIds(path: string): string[] {
  const db = openDb(path, { readOnly: true });
  try {
    return db
      .prepare("SELECT request_id FROM calls ORDER BY id")
      .all()
      .map((r) => String(r.request_id));
  } finally {
    db.close();
  }
}

it("a write after the rows that fails alone is undone and skipped; the batch's calls are stored", async () => {
  const path = join(await testDir(), "mcpscope.db");
  const problems: string[] = [];
  let failing = true;
  const writer = new BatchWriter({
    open: () => openDb(path),
    onProblem: (m) => problems.push(m),
    afterBatch: (db) => {
      db.prepare(
        "INSERT INTO tool_pins (server, tool, hash, definition, pinned_at, status) VALUES ('files', 'after', 'h', '{}', 1, 'pinned')",
      ).run();
      if (failing) throw new Error("no session row this time");
    },
  });
  writer.enqueue("calls", callRow(1));
  writer.enqueue("calls", callRow(2));
  expect(writer.flush()).toBe(true);
  writer.enqueue("calls", callRow(3));
  expect(writer.flush()).toBe(true);
  failing = false;
  writer.enqueue("calls", callRow(4));
  expect(writer.close()).toBe(true);

  expect(storedIds(path)).toEqual(["1", "2", "3", "4"]);
  const db = openDb(path, { readOnly: true });
  try {
    // The failed tries' half-made writes were undone; the one that held is there once.
    expect(db.prepare("SELECT count(*) AS n FROM tool_pins").get()?.n).toBe(1);
  } finally {
    db.close();
  }
  expect(writer.droppedCalls).toBe(0);
  expect(writer.pendingCalls).toBe(0);
  expect(problems).toEqual([
    expect.stringMatching(/failed and was skipped \(no session row this time\); the calls are kept/),
  ]);
});

it("a call row the database refuses is dropped alone and counted in its session as a call not recorded", async () => {
  const path = join(await testDir(), "mcpscope.db");
  const problems: string[] = [];
  let recorder: SessionRecorder | null = null;
  const writer = new BatchWriter({
    open: () => openDb(path),
    onProblem: (m) => problems.push(m),
    afterBatch: (db) => recorder?.writeSessionRow(db),
    onBatch: () => recorder?.committed(),
  });
  recorder = new SessionRecorder(writer, {
    sessionId: "s-1",
    server: "files",
    command: "files-server",
    startedAt: 1_000,
    pid: null,
    wrapperPid: process.pid,
  });
  recorder.call(call(1));
  // A row that breaks the table's NOT NULL constraint, between two good ones of the same batch.
  writer.enqueue("calls", { ...callRow(2), method: null });
  recorder.call(call(3));
  expect(writer.flush()).toBe(true);
  recorder.call(call(4));
  expect(writer.close()).toBe(true);

  expect(storedIds(path)).toEqual(["1", "3", "4"]);
  const db = openDb(path, { readOnly: true });
  try {
    expect(db.prepare("SELECT dropped FROM sessions WHERE id = 's-1'").get()?.dropped).toBe(1);
  } finally {
    db.close();
  }
  expect(writer.droppedCalls).toBe(1);
  expect(writer.pendingCalls).toBe(0);
  expect(problems).toEqual([
    expect.stringMatching(
      /a row the database refused was dropped and counted \(NOT NULL constraint failed: calls\.method\)/,
    ),
  ]);
});

it("a batch whose audit link cannot be written keeps its calls; its records go with the link, the chain intact", async () => {
  const path = join(await testDir(), "mcpscope.db");
  const setUp = openDb(path);
  setUp.exec(
    `CREATE TABLE test_block (x);
     INSERT INTO test_block VALUES (1);
     CREATE TRIGGER test_refuse BEFORE INSERT ON audit_links WHEN EXISTS (SELECT 1 FROM test_block)
     BEGIN SELECT RAISE(ABORT, 'links refused by the test'); END;`,
  );
  setUp.close();
  const problems: string[] = [];
  const writer = new BatchWriter({ open: () => openDb(path), onProblem: (m) => problems.push(m) });
  writer.enqueue("calls", callRow(1));
  writer.enqueueAudit(auditEntry(1));
  writer.enqueue("calls", callRow(2));
  writer.enqueueAudit(auditEntry(2));
  expect(writer.flush()).toBe(true);

  const unblock = openDb(path);
  unblock.exec("DELETE FROM test_block");
  unblock.close();
  writer.enqueue("calls", callRow(3));
  writer.enqueueAudit(auditEntry(3));
  expect(writer.close()).toBe(true);

  expect(storedIds(path)).toEqual(["1", "2", "3"]);
  const db = openDb(path, { readOnly: true });
  try {
    expect(
      db
        .prepare("SELECT request_id FROM audit_records ORDER BY id")
        .all()
        .map((r) => r.request_id),
    ).toEqual(["3"]);
    expect(verifyChain(db)).toEqual({ ok: true, records: 1 });
  } finally {
    db.close();
  }
  expect(writer.droppedCalls).toBe(0);
  expect(writer.dropped).toBe(2);
  expect(problems).toEqual([
    expect.stringMatching(/cannot append to the audit log: links refused by the test/),
  ]);
});
