/**
 * What `mcpscope proxy` stores for calls a remote server does not answer the usual way: one it never
 * answers (timeout, or the proxy stops), one the client gives up on before any response header, concurrent
 * clients of a stateless server (whose ids all start at 0), a task-augmented call (answered with its task,
 * its end told on later exchanges; a `tasks/result` for a task it never saw), a redirect, an answer past the body limit, a stream the client resumes
 * with Last-Event-ID, and a body that is not JSON.
 */
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { CallToolResultSchema, CreateTaskResultSchema } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Child, startHttpServer, startProxy, storedCalls, storedEvents } from "../helpers/http.js";
import { ROOT, tempDir, waitFor } from "../helpers/mcp.js";

type Proxy = Child & { url: string; stderr: () => string };

const MIB = 1024 * 1024;
const HEADERS = { "content-type": "application/json", accept: "application/json, text/event-stream" };

let dir: Awaited<ReturnType<typeof tempDir>>;
let edge: Child & { url: string };
let proxy: Proxy;
/** The proxy's origin: every path on it is relayed to the same path on the edge server. */
let origin: string;
let upstreamLog = "";

beforeAll(async () => {
  dir = await tempDir();
  edge = await startHttpServer([join(ROOT, "test/fixtures/edge-http-server.mjs")], "/stateful");
  edge.process.stderr?.on("data", (chunk: Buffer) => {
    upstreamLog += chunk;
  });
  proxy = await startProxy(edge.url, dir.path, "edge", ["--timeout", "5s"]);
  origin = new URL(proxy.url).origin;
}, 30_000);

afterAll(async () => {
  await proxy?.stop();
  await edge?.stop();
  await dir?.cleanup();
});

async function connect(
  path: string,
  name = "qa",
): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const client = new Client({ name, version: "1.0.0" });
  const transport = new StreamableHTTPClientTransport(new URL(`${origin}${path}`));
  await client.connect(transport);
  return { client, transport };
}

function post(path: string, body: string, signal?: AbortSignal): Promise<Response> {
  return fetch(`${origin}${path}`, { method: "POST", headers: HEADERS, body, redirect: "manual", signal });
}

const call = (id: string, name: string, args: Record<string, unknown> = {}) =>
  JSON.stringify({ jsonrpc: "2.0", id, method: "tools/call", params: { name, arguments: args } });

const stored = (requestId: string) => () =>
  storedCalls(dir.path, "edge").find((c) => c.requestId === requestId);

describe("mcpscope proxy, calls without the usual answer", () => {
  it("stores a call the upstream never answers as a timeout, without waiting for response headers", async () => {
    // A proxy of its own with a short timeout: the shared one's must outlast the slow answers below.
    const own = await tempDir();
    const short = await startProxy(edge.url, own.path, "edge", ["--timeout", "1s"]);
    try {
      const controller = new AbortController();
      const pending = fetch(`${new URL(short.url).origin}/hang`, {
        method: "POST",
        headers: HEADERS,
        body: call("hung-1", "echo"),
        signal: controller.signal,
      }).catch(() => null);
      const hung = await waitFor(() => storedCalls(own.path, "edge").find((c) => c.requestId === "hung-1"));
      expect(hung).toMatchObject({ method: "tools/call", outcome: "timeout" });
      controller.abort();
      await pending;
    } finally {
      await short.stop();
      await own.cleanup();
    }
  });

  it("stores a call of a JSON-answering server that the client gives up on before any header as a timeout", async () => {
    const { client } = await connect("/json");
    await expect(
      client.callTool({ name: "slow", arguments: { ms: 4000 } }, undefined, { timeout: 200 }),
    ).rejects.toThrow(/timed out/);
    const calls = await waitFor(() => {
      const all = storedCalls(dir.path, "edge").filter((c) => c.target === "slow");
      return all.length > 0 && all;
    });
    // The SDK cancels because its own timeout fired: the server did not answer in time.
    expect(calls.map((c) => c.outcome)).toEqual(["timeout"]);
    await client.close();
  });

  it("pairs each stateless client's calls on their own exchange: none lost, no false id clashes", async () => {
    const clients = await Promise.all([1, 2, 3, 4, 5].map((n) => connect("/stateless", `many-${n}`)));
    // Every client numbers from 0: their slow calls are in flight at once, with the same ids.
    await Promise.all(
      clients.map(async ({ client }) => {
        for (let i = 0; i < 3; i++) await client.callTool({ name: "slow", arguments: { ms: 150 } });
      }),
    );
    const calls = await waitFor(() => {
      const all = storedCalls(dir.path, "edge").filter((c) => c.target === "slow" && c.outcome === "ok");
      return all.length >= 15 && all;
    });
    expect(calls).toHaveLength(15);
    const clashes = storedEvents(dir.path, "edge").filter((e) =>
      ["protocol.duplicate_request_id", "protocol.unknown_response_id"].includes(e.type),
    );
    expect(clashes).toEqual([]);
    await Promise.all(clients.map(({ client }) => client.close()));
  });

  it("stores a task-augmented call as running, then with its task's end, with or without a session", async () => {
    for (const path of ["/stateful", "/stateless"]) {
      const { client } = await connect(path, `tasks${path}`);
      const stream = client.experimental.tasks.callToolStream(
        { name: "research", arguments: { ms: 300 } },
        CallToolResultSchema,
        { task: { ttl: 60_000 } },
      );
      let taskId = "";
      let text = "";
      for await (const message of stream) {
        if (message.type === "taskCreated") {
          taskId = message.task.taskId;
          // Stored once created, as running: the client polls only once this loop goes on, so it still is.
          const created = await waitFor(() =>
            storedCalls(dir.path, "edge").find((c) => c.task?.id === taskId),
          );
          expect(created, path).toMatchObject({ outcome: null, task: { state: "working" } });
        }
        if (message.type === "result") text = JSON.stringify(message.result.content);
      }
      expect(text).toContain("researched for 300 ms");
      // The polls and tasks/result come on exchanges of their own; the task's call takes its end from them.
      const ended = await waitFor(() =>
        storedCalls(dir.path, "edge").find(
          (c) => c.task?.id === taskId && c.response?.includes("researched"),
        ),
      );
      expect(ended, path).toMatchObject({ outcome: "ok", task: { state: "completed" }, httpStatus: 200 });
      expect(ended.durationMs).toBeGreaterThanOrEqual(300);
      const bookkeeping = storedCalls(dir.path, "edge").filter((c) => c.method.startsWith("tasks/"));
      expect(bookkeeping, path).toEqual([]);
      await client.close();
    }
  });

  it("stores a tasks/result for a task it never saw as a call of its own, given up or answered", async () => {
    // Tasks created on the server past the proxy (as before it started): nothing there follows them.
    const direct = new Client({ name: "direct", version: "1.0.0" });
    await direct.connect(new StreamableHTTPClientTransport(new URL("/stateless", edge.url)));
    const create = async (ms: number) =>
      (
        await direct.request(
          { method: "tools/call", params: { name: "research", arguments: { ms }, task: { ttl: 60_000 } } },
          CreateTaskResultSchema,
        )
      ).task.taskId;
    const [slow, quick] = [await create(60_000), await create(300)];
    await direct.close();
    const result = (id: string, taskId: string) =>
      JSON.stringify({ jsonrpc: "2.0", id, method: "tasks/result", params: { taskId } });
    // Its client leaves the stream while the task still works.
    const leave = new AbortController();
    const left = await post("/stateless", result("left", slow), leave.signal);
    expect(left.status).toBe(200);
    leave.abort();
    expect(await waitFor(stored("left"))).toMatchObject({ method: "tasks/result", outcome: "cancelled" });
    // Another waits for its task's end, and is stored with the tool's result.
    expect(await (await post("/stateless", result("waited", quick))).text()).toContain(
      "researched for 300 ms",
    );
    const waited = await waitFor(stored("waited"));
    expect(waited).toMatchObject({ method: "tasks/result", outcome: "ok", task: null });
    expect(waited.durationMs).toBeGreaterThan(0);
  });

  it("keeps a call whose stream the client dropped pending until the resumed stream replays its answer", async () => {
    const { client, transport } = await connect("/stateful", "resumer");
    const session = {
      "mcp-session-id": transport.sessionId ?? "",
      "mcp-protocol-version": transport.protocolVersion ?? "2025-06-18",
    };
    const controller = new AbortController();
    const response = await fetch(`${origin}/stateful`, {
      method: "POST",
      headers: { ...HEADERS, ...session },
      body: call("resumed-1", "slow", { ms: 600 }),
      signal: controller.signal,
    });
    const reader = response.body?.getReader();
    let seen = "";
    while (reader && !/^id: ?(\S+)$/m.test(seen)) {
      const { value, done } = await reader.read();
      if (done) break;
      seen += new TextDecoder().decode(value);
    }
    const lastEventId = /^id: ?(\S+)$/m.exec(seen)?.[1] ?? "";
    expect(lastEventId).not.toBe("");
    controller.abort();
    const resumed = await fetch(`${origin}/stateful`, {
      headers: { accept: "text/event-stream", "last-event-id": lastEventId, ...session },
    });
    const replay = resumed.body?.getReader();
    let replayed = "";
    while (replay && !replayed.includes("slept 600")) {
      const { value, done } = await replay.read();
      if (done) break;
      replayed += new TextDecoder().decode(value);
    }
    expect(replayed).toContain("slept 600");
    const answered = await waitFor(stored("resumed-1"));
    expect(answered.outcome).toBe("ok");
    await replay?.cancel();
    await client.close();
  });

  it("ends a request answered by a redirect at once, saying so", async () => {
    const response = await post(
      "/redirect",
      JSON.stringify({ jsonrpc: "2.0", id: "moved-1", method: "ping" }),
    );
    expect(response.status).toBe(307);
    const ping = await waitFor(stored("moved-1"));
    expect(ping).toMatchObject({
      outcome: "disconnected",
      httpStatus: 307,
      errorMessage: "the server answered 307 (redirect to /stateful) without a JSON-RPC answer",
    });
  });

  it("stores a redirect to another origin without its credentials or query", async () => {
    const response = await post("/away", JSON.stringify({ jsonrpc: "2.0", id: "away-1", method: "ping" }));
    expect(response.status).toBe(307);
    expect(await waitFor(stored("away-1"))).toMatchObject({
      outcome: "disconnected",
      errorMessage:
        "the server answered 307 (redirect to https://idp.example/authorize) without a JSON-RPC answer",
    });
  });

  it("points a redirect to the upstream's own origin at the proxy, so SDK clients stay on it", async () => {
    const response = await post("/moved", JSON.stringify({ jsonrpc: "2.0", id: "moved-2", method: "ping" }));
    expect(response.headers.get("location")).toBe(`${origin}/stateful`);
    // Stored with the path only: neither the proxy's origin nor anything a target's URL carries.
    expect(await waitFor(stored("moved-2"))).toMatchObject({
      outcome: "disconnected",
      httpStatus: 307,
      errorMessage: "the server answered 307 (redirect to /stateful) without a JSON-RPC answer",
    });
    const { client } = await connect("/moved", "redirected");
    const result = await client.callTool({ name: "echo", arguments: { text: "through" } });
    expect(result.content).toEqual([{ type: "text", text: "through" }]);
    await waitFor(() => storedCalls(dir.path, "edge").find((c) => c.target === "echo" && c.outcome === "ok"));
    await client.close();
  });

  it("reads an answer past the 16 MiB body limit from its edges, and assumes no outcome they do not tell", async () => {
    // A result's edges cannot tell whether it is a tool error: it is counted unobserved, not disconnected.
    const result = await post("/raw?n=17000000", call("big-1", "t"));
    expect((await result.arrayBuffer()).byteLength).toBeGreaterThan(16 * MIB);
    const error = await post("/raw?error&n=17000000", call("big-2", "t"));
    expect((await error.arrayBuffer()).byteLength).toBeGreaterThan(16 * MIB);
    const failed = await waitFor(stored("big-2"));
    expect(failed).toMatchObject({ outcome: "server_error", errorCode: -32603 });
    expect(failed.bytesOut).toBeGreaterThan(16 * MIB);
    // Exchanges are observed in order: the first one was read before the second.
    expect(stored("big-1")()).toBeUndefined();
  });

  it("stores a call the upstream refuses before it read the body (an unknown session's 404)", async () => {
    // Larger than a socket chunk: the upstream's 404 ends before the body has passed the proxy (which
    // must still read the rest, or the client's upload stalls on a kept-alive upstream connection).
    const body = call("early-1", "echo", { text: "x".repeat(MIB) });
    const response = await fetch(`${origin}/stateful`, {
      method: "POST",
      headers: { ...HEADERS, "mcp-session-id": "no-such-session" },
      body,
    });
    expect(response.status).toBe(404);
    expect(await waitFor(stored("early-1"))).toMatchObject({
      method: "tools/call",
      outcome: "client_error",
      httpStatus: 404,
      errorMessage: "HTTP 404",
    });
  });

  it("ends a request past the body limit with its exchange, read from its head", async () => {
    const big = (id: string) => call(id, "echo", { text: "x".repeat(17 * MIB) });
    const answers = [
      await fetch(`${origin}/redirect`, {
        method: "POST",
        headers: { ...HEADERS, "mcp-session-id": "s-redirect" },
        body: big("huge-1"),
        redirect: "manual",
      }),
      await post("/redirect", big("huge-2")),
    ];
    expect(answers.map((a) => a.status)).toEqual([307, 307]);
    const redirected = {
      outcome: "disconnected",
      httpStatus: 307,
      errorMessage: "the server answered 307 (redirect to /stateful) without a JSON-RPC answer",
    };
    // Not left to the timeout, nor ended without the status that ended it.
    expect(await waitFor(stored("huge-1"))).toMatchObject({ method: "tools/call", ...redirected });
    expect(await waitFor(stored("huge-2"))).toMatchObject({ method: "tools/call", ...redirected });
  });

  it("stores one event for a body that is not JSON, not a second one for the server's parse error", async () => {
    const response = await post("/stateless", "{not json");
    expect(response.status).toBe(400);
    const invalid = await waitFor(() =>
      storedEvents(dir.path, "edge").find((e) => e.type === "protocol.invalid_json"),
    );
    expect(invalid).toBeDefined();
    // Written in the same batch as the invalid_json event, had it been raised.
    const unknown = storedEvents(dir.path, "edge").filter((e) => e.type === "protocol.unknown_response_id");
    expect(unknown).toEqual([]);
  });

  it("stores a call pending when the proxy stops as disconnected, without blaming the upstream", async () => {
    const pending = post("/hang", call("hung-2", "echo")).catch(() => null);
    await waitFor(() => upstreamLog.includes("hang hung-2"));
    await proxy.stop("SIGINT");
    await pending;
    const hung = stored("hung-2")();
    expect(hung).toMatchObject({ outcome: "disconnected", errorMessage: "the proxy stopped" });
    expect(proxy.stderr()).not.toMatch(/cannot reach/);
  });
});
