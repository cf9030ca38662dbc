/**
 * Payload text above the threshold is stored compressed and read back transparently: a large call
 * through a real wrapper comes back identical from `mcpscope calls --json`, a small one too (stored
 * without its boilerplate), and rows written before compression (plain text of any size) still read.
 */
import { deflateRawSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databasePath } from "../../electron/monitor/paths.js";
import { openDb } from "../../electron/monitor/store/db.js";
import { COMPRESS_ABOVE, decodePayload, encodePayload } from "../../electron/monitor/store/payload-codec.js";
import type { CallDetail } from "../../shared/domain.js";
import { cliJsonInProcess, cliOkInProcess } from "../helpers/cli-in-process.js";
import { closeOnceStored, connect, SERVERS, tempDir, waitFor } from "../helpers/mcp.js";

const WORDS =
  "the quick brown fox jumps over a lazy dog while seven wizards quietly judge boxing matches".split(" ");
const big = Array.from({ length: 1500 }, (_, i) => WORDS[(i * 7) % WORDS.length]).join(" ");
/** Past the 64 KiB capture: stored cut. */
const huge = big.repeat(12);

let dir: Awaited<ReturnType<typeof tempDir>>;
let dataDir: string;

function sql(query: string): Record<string, unknown>[] {
  const db = openDb(databasePath(dataDir), { readOnly: true });
  try {
    return db.prepare(query).all();
  } finally {
    db.close();
  }
}

async function cliCalls(): Promise<CallDetail[]> {
  return (await cliJsonInProcess<{ calls: CallDetail[] }>(["calls", "--data-dir", dataDir, "--limit", "20"]))
    .calls;
}

beforeAll(async () => {
  dir = await tempDir();
  dataDir = dir.path;
  const client = await connect(SERVERS.everything(), { dataDir, name: "everything" });
  try {
    await client.callTool({ name: "echo", arguments: { message: big } });
    await client.callTool({ name: "echo", arguments: { message: "small" } });
    await client.callTool({ name: "echo", arguments: { message: huge } });
  } finally {
    await closeOnceStored(client, { dataDir, name: "everything" });
  }
  await waitFor(() => {
    try {
      return sql("SELECT count(*) AS n FROM calls WHERE method = 'tools/call'")[0]?.n === 3;
    } catch {
      return false;
    }
  });
});
afterAll(() => dir.cleanup());

describe("payload text compressed above the threshold", () => {
  it("stores a large call compressed and reads it back identically", async () => {
    const stored = sql(
      `SELECT typeof(request) AS rt, typeof(response) AS st, length(request) AS rb, length(response) AS sb
       FROM calls WHERE method = 'tools/call' ORDER BY id`,
    );
    expect(stored[0]).toMatchObject({ rt: "blob", st: "blob" });
    expect(Number(stored[0]?.rb)).toBeLessThan(big.length / 4);
    // A small call is stored without its JSON-RPC boilerplate (payload-fragments.test.ts).
    expect(stored[1]).toMatchObject({ rt: "blob", st: "blob" });

    const calls = (await cliCalls()).filter((c) => c.method === "tools/call").slice(1);
    const large = calls.find((c) => (c.request ?? "").length > COMPRESS_ABOVE);
    const request = JSON.parse(large?.request ?? "null");
    expect(request.params).toEqual({ name: "echo", arguments: { message: big } });
    expect(JSON.parse(large?.response ?? "null").result.content[0].text).toBe(`Echo: ${big}`);
    const small = calls.find((c) => c !== large);
    expect(JSON.parse(small?.request ?? "null").params.arguments).toEqual({ message: "small" });
  });

  it("stores a request past the capture as sent up to the cut, and the listing shows its arguments", async () => {
    const [cut] = await cliCalls();
    const [, prefix = ""] = /^([\s\S]*)…\[truncated \d+ bytes\]$/.exec(cut?.request ?? "") ?? [];
    expect(
      JSON.stringify({ method: "tools/call", params: { name: "echo", arguments: { message: huge } } }),
    ).toContain(prefix.replace(/^\{"jsonrpc":"2.0","id":\d+,/, "{"));
    const { stdout } = await cliOkInProcess(["calls", "--data-dir", dataDir, "--limit", "1"]);
    expect(stdout).toContain(`{"message":"${huge.slice(0, 20)}`);
    expect(stdout).not.toContain('{"jsonrpc"');
  });

  it("reads rows stored as plain text before compression existed", async () => {
    const oldRequest = JSON.stringify({
      jsonrpc: "2.0",
      id: 99,
      method: "tools/call",
      params: { name: "old", arguments: { text: big } },
    });
    const db = openDb(databasePath(dataDir));
    try {
      db.prepare(
        `INSERT INTO calls (session_id, server, direction, request_id, method, target, started_at, duration_ms, outcome, bytes_in, bytes_out, request, response)
         VALUES ('old', 'everything', 'c2s', '99', 'tools/call', 'old', ?, 1, 'ok', 1, 1, ?, NULL)`,
      ).run(Date.now(), oldRequest);
    } finally {
      db.close();
    }
    const old = (await cliCalls()).find((c) => c.target === "old");
    expect(old?.request).toBe(oldRequest);
    expect(old?.response).toBeNull();
  });

  it("decodes what either codec wrote and keeps short or incompressible text as it is", () => {
    const deflated = deflateRawSync(Buffer.from(big));
    expect(decodePayload(Uint8Array.from([2, ...deflated]))).toBe(big);
    expect(decodePayload(encodePayload(big))).toBe(big);
    expect(encodePayload("x".repeat(COMPRESS_ABOVE))).toBe("x".repeat(COMPRESS_ABOVE));
    expect(decodePayload(Uint8Array.from([9, 1, 2]))).toMatch(/^\[not readable/);
  });
});
