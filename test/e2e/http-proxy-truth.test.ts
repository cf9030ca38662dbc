/**
 * What `mcpscope proxy` records when the server behind it does not serve: an unreachable upstream, one
 * that fails TLS and one that refuses every call (401) are stored with outcomes that say so, and none
 * of them is counted `active`; a server's JSON-RPC error with a null id is stored as its answer.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databasePath } from "../../electron/monitor/paths.js";
import { openDb } from "../../electron/monitor/store/db.js";
import { listServers } from "../../electron/monitor/store/queries.js";
import { serverCounts } from "../../renderer/src/server-text.js";
import type { ServerSummary } from "../../shared/domain.js";
import { cliInProcess } from "../helpers/cli-in-process.js";
import {
  type Child,
  freePort,
  startEverything,
  startProxy,
  storedCalls,
  storedEvents,
} from "../helpers/http.js";
import { MCPSCOPE, tempDir, waitFor } from "../helpers/mcp.js";

type Proxy = Child & { url: string; stderr: () => string };

const PASSWORD = "pw5ecret-in-the-url";
const CHALLENGE =
  'Bearer resource_metadata="http://127.0.0.1/.well-known/oauth-protected-resource", error="invalid_token"';
const BASIC = `Basic ${Buffer.from(`qa user:${PASSWORD}`).toString("base64")}`;

const NULL_ID_ERROR = {
  jsonrpc: "2.0",
  id: null,
  error: { code: -32600, message: "Invalid Request: no id" },
};

let dir: Awaited<ReturnType<typeof tempDir>>;
let everything: Child & { url: string };
let refusing: Server;
const proxies: Record<string, Proxy> = {};

beforeAll(async () => {
  dir = await tempDir();
  // Refuses every call, but those with the Basic credentials of the `cred` proxy's URL (or the
  // client's own): those get a JSON-RPC answer saying which Authorization came.
  refusing = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => {
      const gateway = /^\/gateway\/(50[24])$/.exec(req.url ?? "")?.[1];
      if (gateway) {
        res.writeHead(Number(gateway), { "content-type": "text/html" }).end("<h1>Bad gateway</h1>");
        return;
      }
      // Answers in an event stream with a JSON-RPC error whose id it could not read.
      if (req.url === "/sse-null-id") {
        res.writeHead(200, { "content-type": "text/event-stream" });
        res.end(`event: message\ndata: ${JSON.stringify(NULL_ID_ERROR)}\n\n`);
        return;
      }
      const auth = req.headers.authorization ?? "";
      if (auth === BASIC || auth === "Bearer client-own") {
        const { id } = JSON.parse(body) as { id: number };
        res
          .writeHead(200, { "content-type": "application/json" })
          .end(JSON.stringify({ jsonrpc: "2.0", id, result: { authorization: auth.split(" ")[0] } }));
        return;
      }
      res
        .writeHead(401, {
          "content-type": "application/json",
          "www-authenticate": CHALLENGE,
        })
        .end('{"error":"invalid_token"}');
    });
  });
  await new Promise<void>((resolve) => refusing.listen(0, "127.0.0.1", resolve));
  everything = await startEverything("streamableHttp");
  const closed = await freePort();
  const upstreams: Record<string, string> = {
    live: everything.url,
    down: `http://127.0.0.1:${closed}/mcp`,
    tls: everything.url.replace("http:", "https:"),
    u401: `http://127.0.0.1:${(refusing.address() as AddressInfo).port}/mcp`,
    cred: `http://qa%20user:${PASSWORD}@127.0.0.1:${(refusing.address() as AddressInfo).port}/mcp`,
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
    // The challenge is kept readable in the security event: it holds no credential.
    const denied = await waitFor(() =>
      storedEvents(dir.path, "u401").find((e) => e.type === "http.unauthorized"),
    );
    expect(denied.message).toContain(`WWW-Authenticate: ${CHALLENGE}`);

    const listed = servers();
    const answered = Object.fromEntries(listed.map((s) => [s.name, s.recentAnswered]));
    expect(answered).toEqual({ down: 0, live: 2, tls: 0, u401: 0 });
    // The Overview's card, as the renderer counts servers seen in traffic only.
    expect(serverCounts([], listed)).toMatchObject({ up: 1, active: 1 });
  });

  it("stores a gateway's 502 as disconnected and its 504 as timeout: the server behind it did not answer", async () => {
    const origin = new URL(proxies.u401!.url).origin;
    for (const status of [502, 504]) {
      const response = await fetch(`${origin}/gateway/${status}`, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: `gw-${status}`, method: "ping" }),
      });
      expect(response.status).toBe(status);
    }
    const outcome = (id: string) =>
      waitFor(() => storedCalls(dir.path, "u401").find((c) => c.requestId === id)?.outcome);
    expect(await outcome("gw-502")).toBe("disconnected");
    expect(await outcome("gw-504")).toBe("timeout");
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

  it("stores a null-id error in an event stream as the answer to the exchange's one request, too", async () => {
    const origin = new URL(proxies.u401!.url).origin;
    const response = await fetch(`${origin}/sse-null-id`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: "sse-null", method: "ping" }),
    });
    expect(await response.text()).toContain('"id":null');
    const call = await waitFor(() => storedCalls(dir.path, "u401").find((c) => c.requestId === "sse-null"));
    expect([call.method, call.outcome, call.errorCode, call.errorMessage]).toEqual([
      "ping",
      "client_error",
      -32600,
      "Invalid Request: no id",
    ]);
    expect(storedEvents(dir.path, "u401").filter((e) => e.type.startsWith("protocol."))).toEqual([]);
  });

  it("names proxy sessions as such, and says a session started only once the server served it", async () => {
    const types = (name: string) => storedEvents(dir.path, name).map((e) => e.type);
    await waitFor(() => types("live").includes("session.start") || undefined);
    for (const name of ["down", "tls", "u401"]) {
      expect(types(name)).toContain("proxy.session_open");
      expect(types(name)).not.toContain("session.start");
    }
    for (const name of ["live", "down", "tls", "u401"])
      expect(types(name).filter((t) => t.startsWith("wrapper."))).toEqual([]);

    const before = storedCalls(dir.path, "live").length;
    const transport = new StreamableHTTPClientTransport(new URL(proxies.live!.url));
    const client = new Client({ name: "truth-test", version: "1.0.0" });
    await client.connect(transport);
    const session = await waitFor(
      () =>
        storedCalls(dir.path, "live")
          .slice(before)
          .find((c) => c.method === "initialize")?.sessionId,
    );
    await transport.terminateSession();
    await client.close();
    const closed = await waitFor(() =>
      storedEvents(dir.path, "live").find((e) => e.type === "proxy.session_close" && e.session === session),
    );
    expect(closed.category).toBe("system");
    expect(closed.message).toMatch(
      /^mcpscope proxy closed a session to live after (\d+ ms|[\d.]+ s) \(the client deleted it\)$/,
    );
    // The session itself says how it ended, not "no exit status".
    const show = (...flags: string[]) =>
      spawnSync(process.execPath, [MCPSCOPE, "session", String(session), "--data-dir", dir.path, ...flags], {
        encoding: "utf8",
      });
    expect(JSON.parse(show("--json").stdout).session.endReason).toBe("client_closed");
    expect(show().stdout).toMatch(/, ended .* \(the client deleted it\)\n/);
  });

  it("sends the upstream URL's credentials as HTTP Basic auth, unless the client sent its own, and never stores them", async () => {
    const ping = (headers: Record<string, string>, id: number) =>
      fetch(proxies.cred!.url, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json", ...headers },
        body: JSON.stringify({ jsonrpc: "2.0", id, method: "ping" }),
      }).then(async (r) => [r.status, await r.json()]);
    expect(await ping({}, 1)).toEqual([200, { jsonrpc: "2.0", id: 1, result: { authorization: "Basic" } }]);
    expect(await ping({ authorization: "Bearer client-own" }, 2)).toEqual([
      200,
      { jsonrpc: "2.0", id: 2, result: { authorization: "Bearer" } },
    ]);
    await waitFor(() => storedCalls(dir.path, "cred").find((c) => c.requestId === "2"));
    await proxies.cred!.stop(); // its last writes flushed
    const stored = readdirSync(dir.path)
      .filter((name) => name.startsWith("mcpscope.db"))
      .map((name) => readFileSync(join(dir.path, name)).toString("latin1"));
    expect(stored.length).toBeGreaterThan(0);
    const port = (refusing.address() as AddressInfo).port;
    const credentials = [PASSWORD, "qa%20user", Buffer.from(`qa user:${PASSWORD}`).toString("base64")];
    for (const bytes of stored) for (const secret of credentials) expect(bytes).not.toContain(secret);
    const db = openDb(databasePath(dir.path), { readOnly: true });
    try {
      const commands = db.prepare("SELECT DISTINCT command FROM sessions WHERE server = 'cred'").all();
      expect(commands).toEqual([{ command: `http://127.0.0.1:${port}/mcp` }]);
    } finally {
      db.close();
    }
  });
});

describe("discovery in front of a mcpscope proxy the user started", () => {
  it("asks it who runs it without the question reaching the upstream or being recorded", async () => {
    const dataDir = join(dir.path, "discovering");
    const home = join(dir.path, "home");
    const proxy = await startProxy(
      `http://127.0.0.1:${(refusing.address() as AddressInfo).port}/mcp`,
      dataDir,
      "authsrv",
    );
    try {
      await mkdir(join(home, ".cursor"), { recursive: true });
      await writeFile(
        join(home, ".cursor", "mcp.json"),
        JSON.stringify({ mcpServers: { authsrv: { url: proxy.url } } }),
      );
      for (let round = 0; round < 2; round++) {
        const discovered = await cliInProcess(["discover", "--home", home, "--data-dir", dataDir, "--json"]);
        expect(discovered.status, discovered.stderr).toBe(0);
        expect(discovered.stdout).toContain(proxy.url);
      }
      // The client's own refused call is recorded: once its event is stored, so would the discoveries' be.
      const refused = await fetch(proxy.url, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }),
      });
      expect(refused.status).toBe(401);
      await refused.body?.cancel();
      const events = await waitFor(() => {
        const stored = storedEvents(dataDir, "authsrv");
        return stored.some((e) => e.category === "security") ? stored : undefined;
      });
      expect(
        events
          .filter((e) => e.category === "security")
          .map((e) => [
            e.type,
            (e.details as { method: string; path: string }).method,
            (e.details as { path: string }).path,
          ]),
      ).toEqual([["http.unauthorized", "POST", "/mcp"]]);
      expect(storedCalls(dataDir, "authsrv").map((c) => c.method)).toEqual(["ping"]);
    } finally {
      await proxy.stop();
    }
  });
});

describe("mcpscope proxy usage", () => {
  it("refuses to listen on a port fetch refuses, with check's words, in one line (exit 2)", () => {
    const result = spawnSync(
      process.execPath,
      [MCPSCOPE, "proxy", "--upstream", "http://127.0.0.1:1/mcp", "--listen", "127.0.0.1:6000"],
      // Before the check, the proxy listened there and ran until stopped.
      { encoding: "utf8", timeout: 10_000 },
    );
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(
      "mcpscope proxy: --listen 127.0.0.1:6000: fetch refuses port 6000 for safety (browsers block it too); listen on another port\n",
    );
  });

  it("names every option in its usage line", () => {
    const help = spawnSync(process.execPath, [MCPSCOPE, "proxy", "--help"], { encoding: "utf8" }).stdout;
    const usage = help.split("\n")[0] ?? "";
    for (const flag of ["--upstream", "--listen", "--name", "--timeout", "--capture-limit", "--data-dir"])
      expect(usage).toContain(flag);
  });
});
