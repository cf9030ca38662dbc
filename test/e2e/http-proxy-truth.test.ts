/**
 * What `mcpscope proxy` records when the server behind it does not serve: an unreachable upstream, one
 * that fails TLS and one that refuses every call (401) are stored with outcomes that say so, and none
 * of them is counted `active`; a server's JSON-RPC error with a null id is stored as its answer.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databasePath } from "../../electron/monitor/paths.js";
import { openDb } from "../../electron/monitor/store/db.js";
import { listServers } from "../../electron/monitor/store/queries.js";
import { serverCounts } from "../../renderer/src/server-text.js";
import type { ServerSummary } from "../../shared/domain.js";
import {
  type Child,
  freePort,
  startEverything,
  startProxy,
  storedCalls,
  storedEvents,
} from "../helpers/http.js";
import { tempDir, waitFor } from "../helpers/mcp.js";

type Proxy = Child & { url: string; stderr: () => string };

let dir: Awaited<ReturnType<typeof tempDir>>;
let everything: Child & { url: string };
let refusing: Server;
const proxies: Record<string, Proxy> = {};

beforeAll(async () => {
  dir = await tempDir();
  refusing = createServer((req, res) => {
    req.resume();
    req.on("end", () =>
      res
        .writeHead(401, {
          "content-type": "application/json",
          "www-authenticate": 'Bearer realm="mcp", error="invalid_token"',
        })
        .end('{"error":"invalid_token"}'),
    );
  });
  await new Promise<void>((resolve) => refusing.listen(0, "127.0.0.1", resolve));
  everything = await startEverything("streamableHttp");
  const closed = await freePort();
  const upstreams: Record<string, string> = {
    live: everything.url,
    down: `http://127.0.0.1:${closed}/mcp`,
    tls: everything.url.replace("http:", "https:"),
    u401: `http://127.0.0.1:${(refusing.address() as AddressInfo).port}/mcp`,
  };
  await Promise.all(
    Object.entries(upstreams).map(async ([name, upstream]) => {
      proxies[name] = await startProxy(upstream, dir.path, name);
    }),
  );
}, 30_000);

afterAll(async () => {
  await Promise.all(Object.values(proxies).map((p) => p.stop()));
  await everything?.stop();
  refusing?.close();
  await dir?.cleanup();
});

/** An SDK client's initialize through a proxy; the error it got, if any. */
async function initialize(url: string, sessionId?: string): Promise<string | null> {
  const transport = new StreamableHTTPClientTransport(new URL(url), sessionId ? { sessionId } : undefined);
  const client = new Client({ name: "truth-test", version: "1.0.0" });
  try {
    await client.connect(transport);
    await client.callTool({ name: "echo", arguments: { message: "hi" } });
    await client.close();
    return null;
  } catch (error) {
    await client.close().catch(() => {});
    return (error as Error).message;
  }
}

function servers(): ServerSummary[] {
  const db = openDb(databasePath(dir.path), { readOnly: true });
  try {
    return listServers(db);
  } finally {
    db.close();
  }
}

describe("mcpscope proxy in front of a server that does not serve", () => {
  it("stores each failed call with the outcome that says why, and counts none of them active", async () => {
    for (const name of ["down", "tls", "u401"]) expect(await initialize(proxies[name]!.url)).not.toBeNull();
    expect(await initialize(proxies.live!.url)).toBeNull();

    const first = (name: string) => waitFor(() => storedCalls(dir.path, name)[0]);
    const down = await first("down");
    expect([down.method, down.outcome, down.httpStatus]).toEqual(["initialize", "disconnected", 502]);
    expect(down.errorMessage).toMatch(/could not reach the upstream .*ECONNREFUSED/);
    const tls = await first("tls");
    expect([tls.outcome, tls.httpStatus]).toEqual(["disconnected", 502]);
    const refused = await first("u401");
    expect([refused.outcome, refused.httpStatus, refused.errorMessage]).toEqual([
      "client_error",
      401,
      "HTTP 401",
    ]);
    await waitFor(() => storedCalls(dir.path, "live").find((c) => c.target === "echo"));

    const listed = servers();
    const answered = Object.fromEntries(listed.map((s) => [s.name, s.recentAnswered]));
    expect(answered).toEqual({ down: 0, live: 2, tls: 0, u401: 0 });
    // The Overview's card, as the renderer counts servers seen in traffic only.
    expect(serverCounts([], listed)).toMatchObject({ up: 1, active: 1 });
  });

  it("stores a JSON-RPC error with a null id as the answer to the exchange's one request", async () => {
    // What a client meets after the server restarted: its session id is no longer known (an SDK client
    // given a session id resumes it, without initialize).
    const error = await initialize(proxies.live!.url, "gone-after-a-restart");
    expect(error).toContain("No valid session ID provided");
    const call = await waitFor(() =>
      storedCalls(dir.path, "live").find((c) => c.sessionId && c.httpStatus === 400),
    );
    expect([call.method, call.target, call.outcome, call.errorCode]).toEqual([
      "tools/call",
      "echo",
      "server_error",
      -32000,
    ]);
    expect(call.errorMessage).toBe("Bad Request: No valid session ID provided");
    expect(call.response).toContain("No valid session ID provided");
    expect(storedEvents(dir.path, "live").filter((e) => e.type.startsWith("protocol."))).toEqual([]);
  });
});
