/**
 * One workload against server-everything through each way into mcpscope — the stdio wrapper
 * (`mcpscope run`), the HTTP proxy (`mcpscope proxy`) and the in-process tap (`observe`) — stores the
 * same calls, with the same outcomes, and gives the same stats: one observer, whichever way in.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, expect, it } from "vitest";
import { loadTap, startEverything, startProxy, storedCalls, storedStats } from "../helpers/http.js";
import { closeOnceStored, connect, SERVERS, tempDir, type Wrap, waitFor } from "../helpers/mcp.js";

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(async () => {
  await dir?.cleanup();
});

/**
 * Returns what the client saw, for comparison across the ways in. A client `mcpscope run` wraps is closed
 * once its calls are stored (helpers/mcp.ts says why).
 */
async function workload(client: Client, wrap?: Wrap): Promise<unknown[]> {
  const results = [
    await client.listTools(),
    await client.callTool({ name: "echo", arguments: { message: "same everywhere" } }),
    await client.callTool({ name: "get-sum", arguments: { a: 1, b: 2 } }),
    await client.callTool(
      { name: "trigger-long-running-operation", arguments: { duration: 0.2, steps: 2 } },
      undefined,
      { onprogress: () => {} },
    ),
    await client.getPrompt({ name: "simple-prompt" }),
    await client.callTool({ name: "no-such-tool", arguments: {} }),
    await client
      .complete({ ref: { type: "ref/prompt", name: "no-such-prompt" }, argument: { name: "x", value: "" } })
      .catch((e: Error) => e.message),
  ];
  await (wrap ? closeOnceStored(client, wrap) : client.close());
  return results;
}

const COUNT = 8; // initialize + the seven steps

function stored(server: string) {
  return waitFor(() => {
    const calls = storedCalls(dir.path, server);
    return calls.length >= COUNT ? calls : undefined;
  });
}

it("stores the same calls, outcomes and stats through the wrapper, the proxy and the tap", async () => {
  const viaRunWrap: Wrap = { dataDir: dir.path, name: "via-run" };
  const viaRun = await workload(await connect(SERVERS.everything(), viaRunWrap), viaRunWrap);

  const http = await startEverything("streamableHttp");
  const proxy = await startProxy(http.url, dir.path, "via-proxy");
  let viaProxy: unknown[];
  try {
    const client = new Client({ name: "mcpscope-test", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(proxy.url)));
    viaProxy = await workload(client);
  } finally {
    await proxy.stop();
    await http.stop();
  }

  const observe = await loadTap();
  const [command, ...args] = [process.execPath, ...SERVERS.everything()];
  const tapped = new Client({ name: "mcpscope-test", version: "1.0.0" });
  await tapped.connect(
    observe(new StdioClientTransport({ command: command ?? "", args, stderr: "ignore" }), {
      name: "via-tap",
      dataDir: dir.path,
    }),
  );
  const viaTap = await workload(tapped);

  expect(viaProxy).toEqual(viaRun);
  expect(viaTap).toEqual(viaRun);

  const shape = (calls: Awaited<ReturnType<typeof stored>>) =>
    calls.map((c) => [c.direction, c.method, c.target, c.outcome, c.errorCode, c.errorMessage, c.clientName]);
  const run = shape(await stored("via-run"));
  expect(run.map(([, method, target, outcome]) => [method, target, outcome])).toEqual([
    ["initialize", null, "ok"],
    ["tools/list", null, "ok"],
    ["tools/call", "echo", "ok"],
    ["tools/call", "get-sum", "ok"],
    ["tools/call", "trigger-long-running-operation", "ok"],
    ["prompts/get", "simple-prompt", "ok"],
    ["tools/call", "no-such-tool", "tool_error"],
    ["completion/complete", "no-such-prompt", "client_error"],
  ]);
  expect(shape(await stored("via-proxy"))).toEqual(run);
  expect(shape(await stored("via-tap"))).toEqual(run);

  const stats = (server: string) => {
    const s = storedStats(dir.path, server);
    return {
      calls: s?.calls,
      errors: s?.errors,
      operations: s?.operations.map((o) => [o.method, o.target, o.calls, o.errors, o.outcomes]),
    };
  };
  expect(stats("via-proxy")).toEqual(stats("via-run"));
  expect(stats("via-tap")).toEqual(stats("via-run"));
});
