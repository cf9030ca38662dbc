/**
 * The audit log end to end: real SDK client → `mcpscope run` → server-everything. One audit record per
 * audited request with the keyed digest of the arguments sent (computed here independently with the data
 * dir's audit key), no argument text stored, and one intact chain across concurrent wrappers.
 */
import { createHash, createHmac, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterEach, describe, expect, it } from "vitest";
import { filesUnder } from "../helpers/files.js";
import { closeOnceStored, connect, SERVERS, tempDir, waitFor } from "../helpers/mcp.js";
import { mcpscopeRun, readAudit } from "./helpers.js";

/** Canonical JSON written independently of the module under test: sorted keys, no whitespace. */
function canonical(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  const keys = Object.keys(value as object).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(",")}}`;
}
const plainDigest = (value: unknown) => createHash("sha256").update(canonical(value)).digest("hex");
/**
 * The id of the key the data dir keeps in `audit-key` (64 hex digits; the first 8 hex digits of its HMAC
 * of a fixed text), then the HMAC-SHA-256 under it.
 */
const keyedDigest = (dataDir: string) => {
  const key = Buffer.from(readFileSync(join(dataDir, "audit-key"), "utf8").trim(), "hex");
  expect(key).toHaveLength(32);
  const hmac = (text: string) => createHmac("sha256", key).update(text).digest("hex");
  const id = hmac("mcpscope audit key id").slice(0, 8);
  return (value: unknown) => id + hmac(canonical(value));
};

/** Secret-shaped so the calls table masks it too: no trace of it may remain anywhere in the data dir. */
const secretish = () => `ghp_${randomBytes(18).toString("hex")}`;

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

describe("audit records through the wrapper", () => {
  it("records each tools/call, resources/read and prompts/get with the digest of its arguments", async () => {
    const dir = await tempDir();
    cleanups.push(dir.cleanup);
    const client: Client = await connect(SERVERS.everything(), {
      dataDir: dir.path,
      name: "everything",
      extra: ["--client", "test-client"],
    });
    const echoSecret = secretish();
    const sumArgs = { a: 7, b: 35 };
    const echoArgs = { message: `hello ${echoSecret} from the audit test` };
    const promptSecret = secretish();
    const promptArgs = { state: "Nowhere", city: `Town ${promptSecret}` };

    await client.callTool({ name: "echo", arguments: echoArgs });
    await client.callTool({ name: "get-sum", arguments: sumArgs });
    await client.callTool({ name: "no-such-tool", arguments: {} }).catch(() => {});
    const resource = (await client.listResources()).resources[0];
    expect(resource).toBeDefined();
    const uri = resource?.uri ?? "";
    await client.readResource({ uri });
    await client.getPrompt({ name: "args-prompt", arguments: promptArgs });
    await client.listTools(); // not audited
    await closeOnceStored(client, { dataDir: dir.path, name: "everything" });

    const rows = await waitFor(() => {
      const r = readAudit(dir.path);
      return r.length >= 5 ? r : undefined;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const final = readAudit(dir.path);
    expect(final).toHaveLength(5);
    expect(rows.length).toBe(5);
    const calls = final.filter((r) => r.kind === "call");
    expect(calls.map((r) => [r.action, r.target])).toEqual([
      ["tools/call", "echo"],
      ["tools/call", "get-sum"],
      ["tools/call", "no-such-tool"],
      ["resources/read", uri],
      ["prompts/get", "args-prompt"],
    ]);
    const digest = keyedDigest(dir.path);
    expect(calls.map((r) => r.args_digest)).toEqual([
      digest(echoArgs),
      digest(sumArgs),
      digest({}),
      digest({ uri }),
      digest(promptArgs),
    ]);
    // A bare SHA-256 of small arguments is a guessing oracle (`{"pin": "4821"}` falls in 10,000 tries).
    expect(calls.map((r) => r.args_digest)).not.toContain(plainDigest(sumArgs));
    expect(calls[0]?.outcome).toBe("ok");
    expect(calls[2]?.outcome).not.toBe("ok");
    for (const row of calls) {
      expect(row.server).toBe("everything");
      expect(row.actor).toBe("mcpscope-test");
      expect(JSON.parse(String(row.details)).client).toBe("test-client");
      expect(typeof row.session_id).toBe("string");
    }
    // Nothing of the arguments in the audit table: not even the harmless parts.
    const auditText = JSON.stringify(final);
    for (const fragment of ["from the audit test", "Nowhere", "Town", echoSecret, promptSecret]) {
      expect(auditText).not.toContain(fragment);
    }
    // And the secret-shaped arguments are nowhere in the data dir (database, WAL, logs, anything).
    for (const file of await filesUnder(dir.path)) {
      const bytes = await readFile(file);
      expect(bytes.includes(echoSecret), file).toBe(false);
      expect(bytes.includes(promptSecret), file).toBe(false);
    }

    const verify = await mcpscopeRun(["audit", "verify", "--data-dir", dir.path]);
    expect(verify).toMatchObject({ code: 0, stdout: "5 records, chain intact\n" });
  });

  it("keeps one intact chain across three concurrent wrappers", async () => {
    const dir = await tempDir();
    cleanups.push(dir.cleanup);
    const clients = await Promise.all(
      ["one", "two", "three"].map((name) => connect(SERVERS.everything(), { dataDir: dir.path, name })),
    );
    const perClient = 15;
    await Promise.all(
      clients.map(async (client, c) => {
        for (let i = 0; i < perClient; i++) {
          await client.callTool({ name: "get-sum", arguments: { a: c, b: i } });
        }
      }),
    );
    await Promise.all(
      clients.map((client, c) =>
        closeOnceStored(client, { dataDir: dir.path, name: ["one", "two", "three"][c] ?? "" }),
      ),
    );
    const rows = await waitFor(() => {
      const r = readAudit(dir.path);
      return r.length >= 3 * perClient ? r : undefined;
    });
    expect(rows).toHaveLength(3 * perClient);
    expect(new Set(rows.map((r) => r.server))).toEqual(new Set(["one", "two", "three"]));
    // One chain: ids 1..N, in batches whose links chain one to the next (checked by verify below).
    rows.forEach((row, i) => {
      expect(row.id).toBe(i + 1);
      expect(row.link).toBeGreaterThan(0);
    });
    const digests = new Set(rows.map((r) => r.args_digest));
    // One key for the data dir, though three wrappers started at once.
    const digest = keyedDigest(dir.path);
    for (let c = 0; c < 3; c++)
      for (let i = 0; i < perClient; i++) expect(digests.has(digest({ a: c, b: i }))).toBe(true);
    const verify = await mcpscopeRun(["audit", "verify", "--json", "--data-dir", dir.path]);
    expect(verify.code).toBe(0);
    expect(JSON.parse(verify.stdout)).toEqual({ ok: true, records: 45 });
  });
});
