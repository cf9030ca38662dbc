/**
 * The in-process tap (`import { observe } from "mcpscope"`, the built library entry) on an SDK server
 * and an SDK client over an in-memory pair: the client gets exactly what it gets unobserved, and each
 * side's session stores exactly the calls made, with the wrapper's outcomes — even when recording fails.
 */
import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { afterAll, beforeAll, expect, it } from "vitest";
import { z } from "zod";
import { databasePath } from "../../electron/monitor/paths.js";
import { openDb } from "../../electron/monitor/store/db.js";
import { loadTap, type Observe, storedCalls } from "../helpers/http.js";
import { tempDir, waitFor } from "../helpers/mcp.js";

let observe: Observe;
let dir: Awaited<ReturnType<typeof tempDir>>;

beforeAll(async () => {
  observe = await loadTap();
  dir = await tempDir();
});
afterAll(async () => {
  // A tap's observer thread may outlive its session by a moment (it keeps the process up to 5 s to store
  // what it holds) and SQLite removes its write-ahead files when it lets go of the database: the removal
  // tries again if one went away, or appeared, while the folder was being emptied.
  if (dir) await rm(dir.path, { recursive: true, force: true, maxRetries: 5 });
});

function server(): McpServer {
  const s = new McpServer({ name: "tap-fixture", version: "1.0.0" });
  s.registerTool("echo", { inputSchema: { text: z.string() } }, async ({ text }) => ({
    content: [{ type: "text", text }],
  }));
  s.registerTool("fail", {}, async () => ({ isError: true, content: [{ type: "text", text: "it failed" }] }));
  return s;
}

/** The same client steps over a linked pair, each end observed or not. */
async function workload(wrap: {
  client?: (t: Transport) => Transport;
  server?: (t: Transport) => Transport;
}) {
  const [clientEnd, serverEnd] = InMemoryTransport.createLinkedPair();
  const s = server();
  await s.connect(wrap.server ? wrap.server(serverEnd) : serverEnd);
  const client = new Client({ name: "tap-test", version: "1.0.0" });
  await client.connect(wrap.client ? wrap.client(clientEnd) : clientEnd);
  const results = [
    await client.listTools(),
    await client.callTool({ name: "echo", arguments: { text: "in process" } }),
    await client.callTool({ name: "fail", arguments: {} }),
    await client.request({ method: "prompts/list", params: {} }, z.object({})).catch((e: Error) => e.message),
  ];
  await client.close();
  return results;
}

const EXPECTED = [
  ["initialize", null, "ok"],
  ["tools/list", null, "ok"],
  ["tools/call", "echo", "ok"],
  ["tools/call", "fail", "tool_error"],
  ["prompts/list", null, "client_error"],
];

it("records exactly the calls made, on the server side and on the client side", async () => {
  const plain = await workload({});
  const observed = await workload({
    server: (t) => observe(t, { name: "tap-server", dataDir: dir.path }),
    client: (t) => observe(t, { name: "tap-client", dataDir: dir.path }),
  });
  expect(observed).toEqual(plain);
  for (const name of ["tap-server", "tap-client"]) {
    const calls = await waitFor(() => {
      const stored = storedCalls(dir.path, name);
      return stored.length >= EXPECTED.length ? stored : undefined;
    });
    expect(calls.map((c) => [c.method, c.target, c.outcome])).toEqual(EXPECTED);
    expect(calls.every((c) => c.direction === "c2s" && c.clientName === "tap-test")).toBe(true);
    expect(new Set(calls.map((c) => c.sessionId)).size).toBe(1);
  }
  // Closing the transport ends the session: each end's is stored as ended.
  await waitFor(() => endedSessions(["tap-server", "tap-client"]) === 2);
});

function endedSessions(servers: string[]): number {
  const db = openDb(databasePath(dir.path), { readOnly: true });
  try {
    const row = db
      .prepare(
        `SELECT count(*) AS n FROM sessions WHERE ended_at IS NOT NULL AND server IN (${servers.map(() => "?").join(", ")})`,
      )
      .get(...servers);
    return Number(row?.n ?? 0);
  } finally {
    db.close();
  }
}

it("keeps the transport working when recording fails", async () => {
  const notADir = join(dir.path, "file");
  await writeFile(notADir, "");
  const problems: string[] = [];
  const plain = await workload({});
  const observed = await workload({
    server: (t) => observe(t, { name: "broken", dataDir: notADir, onProblem: (m) => problems.push(m) }),
  });
  expect(observed).toEqual(plain);
  await waitFor(() => problems.length > 0);
  expect(problems[0]).toMatch(/^mcpscope: .*recording is off, traffic unaffected/);
});
