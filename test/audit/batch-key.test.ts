/**
 * The audit key is looked at once per batch of call records, not on every call: every record of a batch
 * is keyed under one key (its id in each digest), and a key replaced, removed or unreadable is followed
 * from the next batch on, as a running wrapper's writer commits them. A real writer on a real database;
 * the batches are the writer's flushes.
 */
import { createHmac, randomBytes } from "node:crypto";
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { auditWatcher } from "../../electron/monitor/audit/audit-watcher.js";
import type { CallObservation } from "../../electron/monitor/protocol/observations.js";
import { BatchWriter } from "../../electron/monitor/store/batch-writer.js";
import { openDb } from "../../electron/monitor/store/db.js";
import { testDir } from "../helpers/mcp.js";
import { dbFile, readAudit } from "./helpers.js";

/** The id a key's digests start with, and its digest of `{"n": n}`, computed apart from the module. */
function keyed(hex: string) {
  const secret = Buffer.from(hex, "hex");
  const hmac = (text: string) => createHmac("sha256", secret).update(text).digest("hex");
  const id = hmac("mcpscope audit key id").slice(0, 8);
  return { id, digest: (n: number) => id + hmac(`{"n":${n}}`) };
}

/** Puts a new file in place, as an editor or `cp` over it does (a new inode, whatever its size). */
function replaceFile(path: string, text: string): void {
  writeFileSync(`${path}.new`, text, { mode: 0o600 });
  renameSync(`${path}.new`, path);
}

/** The audit watcher of one session on `writer`: `record(n)` observes call n. */
function watch(dataDir: string, writer: BatchWriter) {
  const watcher = auditWatcher({
    identity: {
      sessionId: "s-1",
      server: "files",
      command: "files-server",
      startedAt: 1_000,
      pid: null,
      wrapperPid: process.pid,
    },
    writer,
    dataDir,
    client: null,
  });
  return (n: number) => watcher.call?.(call(n), { clientName: "client" });
}

function call(n: number): CallObservation {
  return {
    direction: "c2s",
    requestId: String(n),
    method: "tools/call",
    target: "echo",
    startedAt: 1_000 + n,
    durationMs: 1,
    outcome: "ok",
    errorCode: null,
    errorMessage: null,
    bytesIn: 10,
    bytesOut: 10,
    request: { jsonrpc: "2.0", id: n, method: "tools/call", params: { name: "echo", arguments: { n } } },
    response: null,
    progressCount: 0,
    rounds: 0,
  };
}

it("keys a batch's records under one key and follows a replaced, removed or unreadable key from the next batch", async () => {
  const dataDir = await testDir();
  const keyFile = join(dataDir, "audit-key");
  // No timer flushes: the test's own flushes are the batches.
  const writer = new BatchWriter({ open: () => openDb(dbFile(dataDir)), flushIntervalMs: 3_600_000 });
  const record = watch(dataDir, writer);
  const digests = () => readAudit(dataDir).map((r) => r.args_digest);

  const a = randomBytes(32).toString("hex");
  writeFileSync(keyFile, `${a}\n`, { mode: 0o600 });
  record(1);
  // Replaced while the batch fills: its records stay under the key it started with.
  const b = randomBytes(32).toString("hex");
  replaceFile(keyFile, `${b}\n`);
  record(2);
  expect(writer.flush()).toBe(true);
  expect(digests()).toEqual([keyed(a).digest(1), keyed(a).digest(2)]);

  // The next batch takes the new key, for all of its records.
  record(3);
  replaceFile(keyFile, `${a}\n`);
  record(4);
  expect(writer.flush()).toBe(true);
  expect(digests().slice(2)).toEqual([keyed(b).digest(3), keyed(b).digest(4)]);

  // Removed: the next batch starts a new key (and the file holds it).
  rmSync(keyFile);
  record(5);
  expect(writer.flush()).toBe(true);
  const made = readAudit(dataDir)[4]?.args_digest;
  const c = readFileSync(keyFile, "utf8").trim();
  expect(made).toBe(keyed(c).digest(5));
  expect(keyed(c).id).not.toBe(keyed(a).id);

  // A file that holds no key: the next batch's records keep no digest, and the session says why once.
  replaceFile(keyFile, "edited by hand\n");
  record(6);
  record(7);
  expect(writer.flush()).toBe(true);
  expect(digests().slice(5)).toEqual([null, null]);
  replaceFile(keyFile, `${a}\n`);
  record(8);
  expect(writer.close()).toBe(true);
  expect(digests().slice(7)).toEqual([keyed(a).digest(8)]);

  const db = openDb(dbFile(dataDir), { readOnly: true });
  try {
    const events = db.prepare("SELECT type, session_id FROM events").all();
    expect(events).toEqual([expect.objectContaining({ type: "audit_key.unavailable", session_id: "s-1" })]);
  } finally {
    db.close();
  }
});

it("keeps a batch held by another process's lock under the key it started with", async () => {
  const dataDir = await testDir();
  const keyFile = join(dataDir, "audit-key");
  const writer = new BatchWriter({
    open: () => openDb(dbFile(dataDir), { busyTimeoutMs: 20 }),
    flushIntervalMs: 3_600_000,
  });
  const record = watch(dataDir, writer);
  const a = randomBytes(32).toString("hex");
  writeFileSync(keyFile, `${a}\n`, { mode: 0o600 });
  expect(writer.flush()).toBe(true); // the database made, before another process takes its lock

  const other = openDb(dbFile(dataDir));
  other.exec("BEGIN IMMEDIATE");
  record(1);
  expect(writer.flush()).toBe(false);
  expect(writer.queuedAudit).toBe(1);
  // A new key while the record waits: records queued beside it join its batch, and its key.
  const b = randomBytes(32).toString("hex");
  replaceFile(keyFile, `${b}\n`);
  record(2);
  other.exec("COMMIT");
  other.close();
  expect(writer.flush()).toBe(true);
  expect(writer.queuedAudit).toBe(0);
  record(3);
  expect(writer.close()).toBe(true);
  expect(readAudit(dataDir).map((r) => r.args_digest)).toEqual([
    keyed(a).digest(1),
    keyed(a).digest(2),
    keyed(b).digest(3),
  ]);
});
