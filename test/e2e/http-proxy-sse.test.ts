/**
 * `mcpscope proxy` in front of a server on the legacy HTTP+SSE transport (GET /sse plus the POST
 * endpoint it announces): the SDK's SSEClientTransport gets the same answers as directly, and the
 * session's calls are stored under one session that ends when the client closes its stream.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type Child, startEverything, startProxy, storedCalls } from "../helpers/http.js";
import { tempDir, waitFor } from "../helpers/mcp.js";

let dir: Awaited<ReturnType<typeof tempDir>>;
let everything: Child & { url: string };
let proxy: Child & { url: string };

beforeAll(async () => {
  dir = await tempDir();
  everything = await startEverything("sse");
  proxy = await startProxy(everything.url, dir.path, "everything-sse");
}, 30_000);

afterAll(async () => {
  await proxy?.stop();
  await everything?.stop();
  await dir?.cleanup();
});

async function workload(url: string) {
  const client = new Client({ name: "sse-test", version: "1.0.0" });
  await client.connect(new SSEClientTransport(new URL(url)));
  const progress: number[] = [];
  const results = [
    await client.listTools(),
    await client.callTool({ name: "echo", arguments: { message: "over legacy SSE" } }),
    await client.callTool(
      { name: "trigger-long-running-operation", arguments: { duration: 0.3, steps: 3 } },
      undefined,
      { onprogress: (p) => progress.push(p.progress) },
    ),
    await client
      .callTool({ name: "no-such-tool", arguments: {} })
      .catch((e: Error) => ({ thrown: e.message })),
  ];
  await client.close();
  return { results, progress };
}

it("relays the legacy SSE transport unchanged and stores the session's calls", async () => {
  const direct = await workload(everything.url);
  const proxied = await workload(proxy.url);
  expect(proxied.results).toEqual(direct.results);
  // In order. (With this server, the SDK's legacy SSE client reports the first two of three, directly too.)
  expect(proxied.progress.length).toBeGreaterThanOrEqual(2);
  expect(proxied.progress).toEqual([1, 2, 3].slice(0, proxied.progress.length));

  const calls = await waitFor(() => {
    const stored = storedCalls(dir.path, "everything-sse");
    return stored.length >= 5 ? stored : undefined;
  });
  expect(calls.map((c) => [c.method, c.target, c.outcome])).toEqual([
    ["initialize", null, "ok"],
    ["tools/list", null, "ok"],
    ["tools/call", "echo", "ok"],
    ["tools/call", "trigger-long-running-operation", "ok"],
    ["tools/call", "no-such-tool", "tool_error"],
  ]);
  expect(new Set(calls.map((c) => c.sessionId)).size).toBe(1);
  // The answers came on the GET stream; each call carries the status of the POST that sent it.
  expect(calls.every((c) => c.httpStatus === 202)).toBe(true);
});
