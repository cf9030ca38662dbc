/**
 * `mcpscope proxy` in front of real Streamable HTTP servers: the SDK client gets the same answers as
 * directly, progress arrives in order, and each session's calls are stored with the outcome the client
 * saw — including a stream the client drops (`cancelled`), an upstream that breaks mid-stream
 * (`disconnected`), a 401 relayed untouched (a security event) and an unreachable upstream (502).
 */
import { spawnSync } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Child,
  startEverything,
  startProxy,
  storedCalls,
  storedEvents,
  storedSessionEnd,
} from "../helpers/http.js";
import { MCPSCOPE, tempDir, waitFor } from "../helpers/mcp.js";

let dir: Awaited<ReturnType<typeof tempDir>>;
let everything: Child & { url: string };
let proxy: Child & { url: string; stderr: () => string };

beforeAll(async () => {
  dir = await tempDir();
  everything = await startEverything("streamableHttp");
  proxy = await startProxy(everything.url, dir.path, "everything");
}, 30_000);

afterAll(async () => {
  await proxy?.stop();
  await everything?.stop();
  await dir?.cleanup();
});

async function connect(url: string): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const transport = new StreamableHTTPClientTransport(new URL(url));
  const client = new Client({ name: "proxy-test", version: "1.0.0" });
  await client.connect(transport);
  return { client, transport };
}

/** The same steps, directly or through the proxy; progress values per long operation. */
async function workload(url: string) {
  const { client } = await connect(url);
  const progress: number[] = [];
  const results = [
    await client.listTools(),
    await client.callTool({ name: "echo", arguments: { message: "hello through the proxy" } }),
    await client.callTool({ name: "get-sum", arguments: { a: 2, b: 40 } }),
    await client.callTool(
      { name: "trigger-long-running-operation", arguments: { duration: 0.3, steps: 3 } },
      undefined,
      { onprogress: (p) => progress.push(p.progress) },
    ),
    await client.getPrompt({ name: "simple-prompt" }),
    await client
      .callTool({ name: "no-such-tool", arguments: {} })
      .catch((e: Error) => ({ thrown: e.message })),
  ];
  await client.close();
  return { results, progress };
}

describe("mcpscope proxy over Streamable HTTP", () => {
  it("relays a session unchanged and stores its calls with their outcomes and HTTP status", async () => {
    const direct = await workload(everything.url);
    const proxied = await workload(proxy.url);
    expect(proxied.results).toEqual(direct.results);
    expect(proxied.progress).toEqual([1, 2, 3]);

    const calls = await waitFor(() => {
      const stored = storedCalls(dir.path, "everything");
      return stored.length >= 7 ? stored : undefined;
    });
    expect(calls.map((c) => [c.method, c.target, c.outcome])).toEqual([
      ["initialize", null, "ok"],
      ["tools/list", null, "ok"],
      ["tools/call", "echo", "ok"],
      ["tools/call", "get-sum", "ok"],
      ["tools/call", "trigger-long-running-operation", "ok"],
      ["prompts/get", "simple-prompt", "ok"],
      ["tools/call", "no-such-tool", "tool_error"],
    ]);
    expect(new Set(calls.map((c) => c.sessionId)).size).toBe(1);
    expect(calls.every((c) => c.httpStatus === 200)).toBe(true);
    expect(calls[0]?.clientName).toBe("proxy-test");
    expect(calls[2]?.response).toContain("hello through the proxy");
  });

  it("keeps concurrent sessions apart", async () => {
    const before = storedCalls(dir.path, "everything").length;
    const [a, b] = await Promise.all([connect(proxy.url), connect(proxy.url)]);
    await Promise.all([
      a.client.callTool({ name: "echo", arguments: { message: "a" } }),
      b.client.callTool({ name: "echo", arguments: { message: "b" } }),
    ]);
    await Promise.all([a.client.close(), b.client.close()]);
    const calls = await waitFor(() => {
      const stored = storedCalls(dir.path, "everything").slice(before);
      return stored.length >= 4 ? stored : undefined;
    });
    const sessions = new Map<string, string[]>();
    for (const call of calls)
      sessions.set(call.sessionId, [...(sessions.get(call.sessionId) ?? []), call.method]);
    expect([...sessions.values()]).toEqual([
      ["initialize", "tools/call"],
      ["initialize", "tools/call"],
    ]);
  });

  it("ends a session when the client deletes it", async () => {
    const { client, transport } = await connect(proxy.url);
    await client.callTool({ name: "echo", arguments: { message: "before DELETE" } });
    const sessionId = await waitFor(
      () => storedCalls(dir.path, "everything").find((c) => c.response?.includes("before DELETE"))?.sessionId,
    );
    await transport.terminateSession(); // DELETE with Mcp-Session-Id
    await waitFor(() => storedSessionEnd(dir.path, sessionId));
    await client.close();
  });

  it("fails open: with storage unusable the traffic is unchanged and the proxy says so once", async () => {
    const notADir = join(dir.path, "not-a-dir");
    await writeFile(notADir, "");
    const unstored = await startProxy(everything.url, notADir, "unstored");
    try {
      const { client } = await connect(unstored.url);
      const results = [];
      for (let i = 0; i < 3; i++)
        results.push(await client.callTool({ name: "echo", arguments: { message: `m${i}` } }));
      await client.close();
      expect(results.map((r) => (r.content as { text: string }[])[0]?.text)).toEqual([
        "Echo: m0",
        "Echo: m1",
        "Echo: m2",
      ]);
      const said = await waitFor(() => unstored.stderr().match(/recording is off, traffic unaffected/g));
      expect(said).toHaveLength(1);
    } finally {
      await unstored.stop();
    }
  });

  // Streaming, not buffering: had the proxy held the response until the upstream finished, the call
  // would have been observed answered (`ok`) by the time the client dropped it.
  it("records a call whose stream the client drops as cancelled once the client cancels it", async () => {
    const { client, transport } = await connect(proxy.url);
    const controller = new AbortController();
    const response = await fetch(proxy.url, {
      method: "POST",
      signal: controller.signal,
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        "mcp-session-id": transport.sessionId ?? "",
        "mcp-protocol-version": transport.protocolVersion ?? "2025-06-18",
      },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: "dropped-1",
        method: "tools/call",
        params: {
          name: "trigger-long-running-operation",
          arguments: { duration: 5, steps: 5 },
          _meta: { progressToken: "p1" },
        },
      }),
    });
    // Read until the first progress event: the operation is under way, the stream live.
    const reader = response.body?.getReader();
    let seen = "";
    while (reader && !seen.includes("notifications/progress")) {
      const { value, done } = await reader.read();
      if (done) break;
      seen += new TextDecoder().decode(value);
    }
    expect(seen).toContain("notifications/progress");
    controller.abort();
    // A dropped stream alone is no cancellation (the client may resume it): the client says so.
    await transport.send({
      jsonrpc: "2.0",
      method: "notifications/cancelled",
      params: { requestId: "dropped-1", reason: "the user gave up" },
    });
    const call = await waitFor(() =>
      storedCalls(dir.path, "everything").find((c) => c.requestId === "dropped-1"),
    );
    expect(call.outcome).toBe("cancelled");
    await client.close();
  });
});

describe("mcpscope proxy against a misbehaving upstream", () => {
  let upstream: Server;
  let upstreamUrl: string;
  let fixtureProxy: Child & { url: string; stderr: () => string };
  const seen: string[] = [];
  const metadata = JSON.stringify({ resource: "x", authorization_servers: ["https://auth.example"] });

  beforeAll(async () => {
    upstream = createServer((req, res) => {
      seen.push(req.url ?? "");
      if (req.url === "/.well-known/oauth-protected-resource") {
        res.writeHead(200, { "content-type": "application/json" }).end(metadata);
        return;
      }
      if (req.url === "/json/mcp" || req.url === "/gzip/mcp") {
        let body = "";
        req.on("data", (chunk) => {
          body += chunk;
        });
        req.on("end", () => {
          const { id } = JSON.parse(body) as { id: number };
          const answer = JSON.stringify({
            jsonrpc: "2.0",
            id,
            result: { content: [{ type: "text", text: "plain JSON" }] },
          });
          if (req.url === "/json/mcp") {
            res.writeHead(200, { "content-type": "application/json" }).end(answer);
            return;
          }
          res
            .writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" })
            .end(gzipSync(answer));
        });
        return;
      }
      if (req.url === "/token") {
        res
          .writeHead(200, { "content-type": "application/json" })
          .end('{"access_token":"opaque","token_type":"Bearer"}');
        return;
      }
      if (req.url === "/auth/mcp") {
        res
          .writeHead(401, {
            "content-type": "application/json",
            "www-authenticate": `Bearer resource_metadata="${upstreamUrl}/.well-known/oauth-protected-resource"`,
          })
          .end('{"error":"invalid_token"}');
        return;
      }
      // /dying/mcp: one progress event, then the upstream's connection breaks.
      req.resume();
      req.on("end", () => {
        res.writeHead(200, { "content-type": "text/event-stream" });
        res.write(
          `event: message\ndata: ${JSON.stringify({ jsonrpc: "2.0", method: "notifications/progress", params: { progressToken: 1, progress: 1 } })}\n\n`,
          () => setImmediate(() => res.socket?.destroy()),
        );
      });
    });
    await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
    upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    fixtureProxy = await startProxy(`${upstreamUrl}/mcp`, dir.path, "fixture");
  }, 30_000);

  afterAll(async () => {
    await fixtureProxy?.stop();
    upstream?.close();
  });

  const base = () => new URL(fixtureProxy.url).origin;
  const toolCall = (id: number) =>
    JSON.stringify({
      jsonrpc: "2.0",
      id,
      method: "tools/call",
      params: { name: "slow", arguments: {}, _meta: { progressToken: 1 } },
    });
  const post = (path: string, body: string) =>
    fetch(`${base()}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
      body,
    });

  it("relays a 401 and the protected-resource metadata untouched, and records a security event", async () => {
    const denied = await post("/auth/mcp", toolCall(3));
    expect(denied.status).toBe(401);
    expect(denied.headers.get("www-authenticate")).toBe(
      `Bearer resource_metadata="${upstreamUrl}/.well-known/oauth-protected-resource"`,
    );
    expect(await denied.text()).toBe('{"error":"invalid_token"}');
    const meta = await fetch(`${base()}/.well-known/oauth-protected-resource`);
    expect(await meta.text()).toBe(metadata);
    // The OAuth endpoints an MCP origin may also serve are relayed, and are not MCP traffic.
    const token = await fetch(`${base()}/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "grant_type=authorization_code&code=abc",
    });
    expect(await token.json()).toEqual({ access_token: "opaque", token_type: "Bearer" });

    const event = await waitFor(() =>
      storedEvents(dir.path, "fixture").find((e) => e.type === "http.unauthorized"),
    );
    expect(event.category).toBe("security");
    expect(event.message).toContain("401");
    expect(event.message).toContain("WWW-Authenticate: Bearer");
    expect(event.details).toMatchObject({ status: 401, method: "POST", path: "/auth/mcp" });
    const call = await waitFor(() => storedCalls(dir.path, "fixture").find((c) => c.requestId === "3"));
    expect([call.outcome, call.httpStatus, call.errorMessage]).toEqual(["client_error", 401, "HTTP 401"]);
    expect(storedEvents(dir.path, "fixture").filter((e) => e.type.startsWith("protocol."))).toEqual([]);
  });

  it("observes plain and compressed JSON answers, relaying the bytes as they came", async () => {
    const plain = await post("/json/mcp", toolCall(10));
    expect(await plain.json()).toMatchObject({ id: 10, result: { content: [{ text: "plain JSON" }] } });
    // fetch decompresses for the caller; what matters is that the proxy relayed gzip, not plain text.
    const zipped = await post("/gzip/mcp", toolCall(11));
    expect(zipped.headers.get("content-encoding")).toBe("gzip");
    expect(await zipped.json()).toMatchObject({ id: 11, result: { content: [{ text: "plain JSON" }] } });
    for (const id of ["10", "11"]) {
      const call = await waitFor(() => storedCalls(dir.path, "fixture").find((c) => c.requestId === id));
      expect([call.outcome, call.httpStatus]).toEqual(["ok", 200]);
      expect(call.response).toContain("plain JSON");
    }
  });

  it("records an upstream that breaks mid-stream as disconnected; the client sees the stream end", async () => {
    const response = await post("/dying/mcp", toolCall(4));
    expect(response.status).toBe(200);
    await expect(response.text()).rejects.toThrow();
    const call = await waitFor(() => storedCalls(dir.path, "fixture").find((c) => c.requestId === "4"));
    expect([call.outcome, call.httpStatus]).toEqual(["disconnected", 200]);
  });

  it("relays only paths on the upstream, never another host", async () => {
    const { request } = await import("node:http");
    const target = new URL(fixtureProxy.url);
    const status = (path: string) =>
      new Promise<number>((resolve, reject) => {
        const req = request({ host: target.hostname, port: target.port, path, method: "GET" }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on("error", reject);
        req.end();
      });
    const before = seen.length;
    expect(await status("http://example.invalid/.well-known/oauth-protected-resource")).toBe(400);
    expect(seen.length).toBe(before);
    // Protocol-relative: still a path, asked of the upstream.
    await status("//example.invalid/x");
    expect(seen.at(-1)).toBe("//example.invalid/x");
  });

  it("answers 502 with a JSON-RPC error when the upstream is unreachable, and records it", async () => {
    await new Promise((resolve) => upstream.close(resolve));
    upstream.closeAllConnections();
    const response = await post("/mcp", toolCall(5));
    expect(response.status).toBe(502);
    const body = (await response.json()) as { id: number; error: { code: number; message: string } };
    expect(body.id).toBe(5);
    expect(body.error.message).toMatch(/upstream .* is unreachable \(ECONNREFUSED\)/);

    const call = await waitFor(() => storedCalls(dir.path, "fixture").find((c) => c.requestId === "5"));
    expect([call.outcome, call.httpStatus]).toEqual(["disconnected", 502]);
    const event = await waitFor(() =>
      storedEvents(dir.path, "fixture").find((e) => e.type === "proxy.upstream_unreachable"),
    );
    expect(event.category).toBe("system");
    await waitFor(() => /cannot reach/.test(fixtureProxy.stderr()));

    // One outage, one event and one line, however many requests it fails.
    expect((await post("/mcp", toolCall(6))).status).toBe(502);
    await waitFor(() => storedCalls(dir.path, "fixture").find((c) => c.requestId === "6"));
    const events = storedEvents(dir.path, "fixture").filter((e) => e.type === "proxy.upstream_unreachable");
    expect(events).toHaveLength(1);
    expect(fixtureProxy.stderr().match(/cannot reach/g)).toHaveLength(1);
  });
});

describe("mcpscope proxy usage", () => {
  it.each([
    [[], "--upstream URL is required"],
    [["--upstream", "not a url"], '--upstream "not a url" is not a URL'],
    [["--upstream", "ftp://x/mcp"], "--upstream must be http:// or https://, not ftp:"],
    [["--upstream", "http://x/mcp", "--listen", "nowhere"], '--listen "nowhere" is not HOST:PORT'],
  ])("%j exits 2 with one line", (args, message) => {
    const result = spawnSync(process.execPath, [MCPSCOPE, "proxy", ...args], { encoding: "utf8" });
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toContain(message);
  });
});
