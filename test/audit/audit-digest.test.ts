/**
 * The call records' argument digests are keyed with the data dir's audit key: an export or a copy of the
 * database is no oracle for guessing a password a tool was sent, while an auditor holding the arguments
 * still checks them (`mcpscope audit digest`), and records written before keyed digests still match.
 */
import { spawnSync } from "node:child_process";
import { createHash, createHmac, randomBytes } from "node:crypto";
import { readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { appendAuditRecord, canonicalJson } from "../../electron/monitor/audit/audit-log.js";
import { openDb } from "../../electron/monitor/store/db.js";
import { filesUnder } from "../helpers/files.js";
import { closeOnceStored, connect, MCPSCOPE, ROOT, SERVERS, tempDir, waitFor } from "../helpers/mcp.js";
import { dbFile, mcpscopeRun, readAudit } from "./helpers.js";

const plainDigest = (value: unknown) => createHash("sha256").update(canonicalJson(value)).digest("hex");

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

describe("keyed argument digests", () => {
  it("keeps no guessable digest of a password, and checks the arguments an auditor holds", async () => {
    const dir = await tempDir();
    cleanups.push(dir.cleanup);
    const client = await connect(SERVERS.everything(), { dataDir: dir.path, name: "everything" });
    const password = { message: "Summer2024!" };
    const pin = { message: "4821" };
    await client.callTool({ name: "echo", arguments: password });
    await client.callTool({ name: "echo", arguments: pin });
    await closeOnceStored(client, { dataDir: dir.path, name: "everything" });
    await waitFor(() => (readAudit(dir.path).length >= 2 ? true : undefined));

    const exported = await mcpscopeRun(["audit", "export", "--data-dir", dir.path]);
    expect(exported.code).toBe(0);
    const records = exported.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(records.map((r) => r.id)).toEqual([1, 2]);
    // A word list run through SHA-256 finds nothing: neither in the export nor anywhere in the data dir.
    for (const args of [password, pin]) {
      const plain = plainDigest(args);
      expect(exported.stdout).not.toContain(plain);
      for (const file of await filesUnder(dir.path))
        expect((await readFile(file)).includes(Buffer.from(plain, "hex")), file).toBe(false);
    }
    // The key is the owner's alone, and never part of what is exported.
    const keyFile = join(dir.path, "audit-key");
    if (process.platform !== "win32") expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(exported.stdout).not.toContain(readFileSync(keyFile, "utf8").trim());

    const check = (args: string[], input?: string) =>
      spawnSync(process.execPath, [MCPSCOPE, "audit", "digest", ...args, "--data-dir", dir.path], {
        cwd: ROOT,
        input,
        encoding: "utf8",
      });
    const match = check([JSON.stringify(password), "--record", "1"]);
    expect([match.status, match.stdout]).toEqual([0, "record 1: the arguments match (keyed digest)\n"]);
    // From stdin, so that a password need not be on a command line.
    const fromStdin = check(["-", "--record", "2"], JSON.stringify(pin));
    expect([fromStdin.status, fromStdin.stdout]).toEqual([
      0,
      "record 2: the arguments match (keyed digest)\n",
    ]);
    const wrong = check([JSON.stringify({ message: "4822" }), "--record", "2"]);
    expect([wrong.status, wrong.stdout]).toEqual([1, "record 2: the arguments do not match\n"]);
    const printed = check([JSON.stringify(pin)]);
    expect([printed.status, printed.stdout]).toEqual([0, `${records[1].args_digest}\n`]);
    const notJson = check(["{pin"]);
    expect(notJson.status).toBe(2);
    expect(notJson.stderr).toMatch(/^mcpscope audit: digest: the arguments are not JSON \(.*\)\n$/);
  });

  it("still matches and verifies a record written with a plain SHA-256 before keyed digests", async () => {
    const dir = await tempDir();
    cleanups.push(dir.cleanup);
    const args = { path: "/etc/hosts" };
    const db = openDb(dbFile(dir.path));
    try {
      db.transaction(() =>
        appendAuditRecord(db, {
          time: Date.now(),
          kind: "call",
          actor: "old-client",
          server: "files",
          session_id: "s-old",
          action: "tools/call",
          target: "read_file",
          args_digest: plainDigest(args),
          outcome: "ok",
          details: null,
        }),
      );
    } finally {
      db.close();
    }
    const check = await mcpscopeRun([
      "audit",
      "digest",
      JSON.stringify(args),
      "--record",
      "1",
      "--data-dir",
      dir.path,
    ]);
    expect(check).toMatchObject({
      code: 0,
      stdout: "record 1: the arguments match (plain SHA-256, written before keyed digests)\n",
    });
    const other = await mcpscopeRun([
      "audit",
      "digest",
      '{"path":"/etc/passwd"}',
      "--record",
      "1",
      "--data-dir",
      dir.path,
    ]);
    // With no key here it might as well be a bare HMAC under a key since removed: not a mismatch.
    expect(other).toMatchObject({
      code: 3,
      stdout: `record 1: cannot check: it was written before digests named their key, matches neither a plain SHA-256 nor this data dir's key, and there is no ${join(dir.path, "audit-key")}\n`,
    });
    const verify = await mcpscopeRun(["audit", "verify", "--data-dir", dir.path]);
    expect(verify).toMatchObject({ code: 0, stdout: "1 records, chain intact\n" });
  });
});

describe("a digest names the key it was made under", () => {
  const digestOf = (dataDir: string, args: unknown, record: number) =>
    mcpscopeRun(["audit", "digest", JSON.stringify(args), "--record", String(record), "--data-dir", dataDir]);

  it("says a record made under another key cannot be checked, and follows a new key in a running wrapper", async () => {
    const dir = await tempDir();
    cleanups.push(dir.cleanup);
    const keyFile = join(dir.path, "audit-key");
    const client = await connect(SERVERS.everything(), { dataDir: dir.path, name: "everything" });
    cleanups.push(() => client.close());
    const first = { message: "4821" };
    await client.callTool({ name: "echo", arguments: first });
    await waitFor(() => (readAudit(dir.path).length >= 1 ? true : undefined));
    const oldKey = readFileSync(keyFile, "utf8");
    const oldId = String(readAudit(dir.path)[0]?.args_digest).slice(0, 8);

    // The user starts a new key while the client's session (and so its wrapper) goes on.
    rmSync(keyFile);
    const second = { message: "1234" };
    await client.callTool({ name: "echo", arguments: second });
    await waitFor(() => (readAudit(dir.path).length >= 2 ? true : undefined));
    const newId = String(readAudit(dir.path)[1]?.args_digest).slice(0, 8);
    expect(newId).not.toBe(oldId);
    expect(await digestOf(dir.path, second, 2)).toMatchObject({
      code: 0,
      stdout: "record 2: the arguments match (keyed digest)\n",
    });
    // The right arguments under a key this data dir no longer holds: not a mismatch.
    expect(await digestOf(dir.path, first, 1)).toMatchObject({
      code: 3,
      stdout: `record 1: cannot check: it was keyed with audit key ${oldId}, and this data dir's audit-key is key ${newId}\n`,
    });
    rmSync(keyFile);
    expect(await digestOf(dir.path, first, 1)).toMatchObject({
      code: 3,
      stdout: `record 1: cannot check: it was keyed with audit key ${oldId}, and there is no ${keyFile}\n`,
    });
    // The old key copied back (e.g. kept with the backups): its records check again, both ways.
    writeFileSync(keyFile, oldKey, { mode: 0o600 });
    expect(await digestOf(dir.path, first, 1)).toMatchObject({ code: 0 });
    expect(await digestOf(dir.path, second, 1)).toMatchObject({
      code: 1,
      stdout: "record 1: the arguments do not match\n",
    });
  });

  it("still checks a record keyed before digests named their key", async () => {
    const dir = await tempDir();
    cleanups.push(dir.cleanup);
    const key = randomBytes(32);
    writeFileSync(join(dir.path, "audit-key"), `${key.toString("hex")}\n`, { mode: 0o600 });
    const args = { pin: "4821" };
    const db = openDb(dbFile(dir.path));
    try {
      db.transaction(() =>
        appendAuditRecord(db, {
          time: Date.now(),
          kind: "call",
          actor: "client",
          server: "files",
          session_id: "s-1",
          action: "tools/call",
          target: "unlock",
          args_digest: createHmac("sha256", key).update(canonicalJson(args)).digest("hex"),
          outcome: "ok",
          details: null,
        }),
      );
    } finally {
      db.close();
    }
    expect(await digestOf(dir.path, args, 1)).toMatchObject({
      code: 0,
      stdout: "record 1: the arguments match (keyed digest)\n",
    });
    expect(await digestOf(dir.path, { pin: "4822" }, 1)).toMatchObject({ code: 1 });
  });

  it("does not call the right arguments a mismatch once the key of a record that names none is gone", async () => {
    const dir = await tempDir();
    cleanups.push(dir.cleanup);
    const keyFile = join(dir.path, "audit-key");
    const key = randomBytes(32);
    writeFileSync(keyFile, `${key.toString("hex")}\n`, { mode: 0o600 });
    const args = { message: "hi" };
    // As the previous release wrote it: the bare HMAC-SHA-256, 64 hex digits, no key id.
    const db = openDb(dbFile(dir.path));
    try {
      db.transaction(() =>
        appendAuditRecord(db, {
          time: Date.now(),
          kind: "call",
          actor: "client",
          server: "everything",
          session_id: "s-1",
          action: "tools/call",
          target: "echo",
          args_digest: createHmac("sha256", key).update(canonicalJson(args)).digest("hex"),
          outcome: "ok",
          details: null,
        }),
      );
    } finally {
      db.close();
    }
    expect(await digestOf(dir.path, args, 1)).toMatchObject({ code: 0 });

    rmSync(keyFile);
    expect(await digestOf(dir.path, args, 1)).toMatchObject({
      code: 3,
      stdout: `record 1: cannot check: it was written before digests named their key, matches neither a plain SHA-256 nor this data dir's key, and there is no ${keyFile}\n`,
    });
    // A new key, made by the next call recorded: put in place after the record, so it did not make it.
    const made = await mcpscopeRun(["audit", "digest", "{}", "--data-dir", dir.path]);
    expect(made.code).not.toBe(0); // printing a digest never makes a key
    writeFileSync(keyFile, `${randomBytes(32).toString("hex")}\n`, { mode: 0o600 });
    const newId = (await mcpscopeRun(["audit", "digest", "{}", "--data-dir", dir.path])).stdout.slice(0, 8);
    expect(await digestOf(dir.path, args, 1)).toMatchObject({
      code: 3,
      stdout: `record 1: cannot check: it was written before digests named their key, matches neither a plain SHA-256 nor this data dir's key, and this data dir's audit-key (key ${newId}) was put in place after it\n`,
    });
    // The record's own key copied back: the right arguments match again.
    writeFileSync(keyFile, `${key.toString("hex")}\n`, { mode: 0o600 });
    expect(await digestOf(dir.path, args, 1)).toMatchObject({ code: 0 });
  });
});
