/**
 * The call records' argument digests are keyed with the data dir's audit key: an export or a copy of the
 * database is no oracle for guessing a password a tool was sent, while an auditor holding the arguments
 * still checks them (`mcpscope audit digest`), and records written before keyed digests still match.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { appendAuditRecord, canonicalJson } from "../../electron/monitor/audit/audit-log.js";
import { openDb } from "../../electron/monitor/store/db.js";
import { filesUnder } from "../helpers/files.js";
import { connect, MCPSCOPE, ROOT, SERVERS, tempDir, waitFor } from "../helpers/mcp.js";
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
    await client.close();
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
    expect(other.code).toBe(1);
    const verify = await mcpscopeRun(["audit", "verify", "--data-dir", dir.path]);
    expect(verify).toMatchObject({ code: 0, stdout: "1 records, chain intact\n" });
  });
});
