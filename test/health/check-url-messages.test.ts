/**
 * `check --url` failures a user can act on, one line each: the HTTP status with what to try (never an
 * HTML error page), TLS spoken to a plain-HTTP server, and an SSE endpoint checked as Streamable HTTP.
 * The app's Probe button goes through the same function, with hints about the config entry instead.
 */
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { probeServer } from "../../electron/monitor/health/probe.js";
import type { ServerTarget } from "../../electron/monitor/supervisor/transports.js";
import { cliInProcess } from "../helpers/cli-in-process.js";
import { type Child, startEverything } from "../helpers/http.js";
import { tempDir } from "../helpers/mcp.js";

let dir: Awaited<ReturnType<typeof tempDir>>;
let streamable: Child & { url: string };
let sse: Child & { url: string };
let fixture: Server;
let fixtureBase: string;

/** 401 with an OAuth hint at /auth; an old-style SSE endpoint at /events (GET streams, POST is a 404 page). */
function startFixture(): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.url?.startsWith("/auth")) {
      res.writeHead(401, {
        "content-type": "application/json",
        "www-authenticate":
          'Bearer resource_metadata="http://127.0.0.1/.well-known/oauth-protected-resource"',
      });
      res.end('{"error":"invalid_token"}');
    } else if (req.url?.startsWith("/events") && req.method === "GET") {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write("event: endpoint\ndata: /messages\n\n");
    } else {
      res.writeHead(404, { "content-type": "text/html" });
      res.end(
        `<!DOCTYPE html>\n<html lang="en">\n<body><pre>Cannot ${req.method} ${req.url}</pre></body>\n</html>\n`,
      );
    }
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

beforeAll(async () => {
  dir = await tempDir("mcpscope-check-url-");
  [streamable, sse, fixture] = await Promise.all([
    startEverything("streamableHttp"),
    startEverything("sse"),
    startFixture(),
  ]);
  fixtureBase = `http://127.0.0.1:${(fixture.address() as { port: number }).port}`;
});

afterAll(async () => {
  fixture?.closeAllConnections();
  fixture?.close();
  await Promise.all([streamable?.stop(), sse?.stop()]);
  await dir?.cleanup();
});

async function check(...args: string[]): Promise<string> {
  const result = await cliInProcess([
    "check",
    ...args,
    "--timeout",
    "5s",
    "--data-dir",
    join(dir.path, "data"),
  ]);
  expect(result.status).toBe(1);
  expect(result.stdout).toBe("");
  expect(result.stderr.endsWith("\n")).toBe(true);
  expect(result.stderr.trimEnd().split("\n")).toHaveLength(1);
  return result.stderr.trimEnd();
}

describe("mcpscope check --url, when the server refuses", () => {
  it("a wrong path: HTTP 404 and the URL, not the framework's HTML page", async () => {
    const wrong = streamable.url.replace(/\/mcp$/, "/wrong");
    expect(await check("--url", wrong)).toBe(`mcpscope check: HTTP 404 at ${wrong} (is the path right?)`);
  });

  it("https to a plain-HTTP server: it does not speak TLS, try http://", async () => {
    const https = streamable.url.replace(/^http:/, "https:");
    expect(await check("--url", https)).toBe(
      "mcpscope check: the server does not speak TLS here (try http://)",
    );
    expect(await check("--url", https, "--transport", "sse")).toBe(
      "mcpscope check: the server does not speak TLS here (try http://)",
    );
  });

  it("no credentials: HTTP 401, the server's short reason, and the flag to pass them", async () => {
    expect(await check("--url", `${fixtureBase}/auth`)).toBe(
      "mcpscope check: HTTP 401 (invalid_token): the server wants credentials; pass --header 'Authorization: …'",
    );
    expect(await check("--url", `${fixtureBase}/auth`, "--header", "Authorization: Bearer wrong-one")).toBe(
      "mcpscope check: HTTP 401 (invalid_token): the server refused the credentials sent (the Authorization header)",
    );
    // A URL's user:password@ goes as HTTP Basic auth: sent, and refused.
    expect(await check("--url", `${fixtureBase.replace("//", "//alice:s3cretpw@")}/auth`)).toBe(
      "mcpscope check: HTTP 401 (invalid_token): the server refused the credentials sent (the URL's user and password)",
    );
  });

  it("an SSE endpoint checked as Streamable HTTP: a hint to pass --transport sse", async () => {
    expect(await check("--url", sse.url)).toBe(
      `mcpscope check: HTTP 404 at ${sse.url}: it looks like an SSE endpoint; pass --transport sse`,
    );
    // Not named /sse: the GET that answers an event stream tells.
    expect(await check("--url", `${fixtureBase}/events`)).toBe(
      `mcpscope check: HTTP 404 at ${fixtureBase}/events: it looks like an SSE endpoint; pass --transport sse`,
    );
    // An ordinary wrong path is not taken for one.
    expect(await check("--url", `${fixtureBase}/nothing`)).toBe(
      `mcpscope check: HTTP 404 at ${fixtureBase}/nothing (is the path right?)`,
    );
  });
});

describe("the same failures in a probe of a configured entry (the app's Probe button, health history)", () => {
  const entry = (
    url: string,
    transport: "http" | "sse" = "http",
    client: ServerTarget["definition"]["client"] = "cursor",
  ): ServerTarget => ({
    definition: {
      id: "cursor-abc",
      name: "remote",
      client,
      scope: "user",
      file: "/home/me/.cursor/mcp.json",
      transport,
      command: null,
      args: [],
      env: {},
      cwd: null,
      url,
      headers: {},
      instrumented: false,
      disabled: false,
    },
    rawCommand: null,
    rawArgs: [],
    rawUrl: url,
    rawEnv: {},
    rawHeaders: {},
  });
  const probeError = async (target: ServerTarget) =>
    (await probeServer(target, { env: {}, timeoutMs: 5000 })).error;

  it("name what to change in the entry, not a command-line flag", async () => {
    expect(await probeError(entry(`${fixtureBase}/auth`))).toBe(
      "HTTP 401 (invalid_token): the server wants credentials; add an Authorization header to the entry's headers",
    );
    expect(await probeError(entry(`${fixtureBase.replace("//", "//alice:s3cretpw@")}/auth`))).toBe(
      "HTTP 401 (invalid_token): the server refused the credentials sent (the URL's user and password)",
    );
    expect(await probeError(entry(`${fixtureBase}/events`))).toBe(
      `HTTP 404 at ${fixtureBase}/events: it looks like an SSE endpoint; give the entry "type": "sse"`,
    );
    // Added in the app: no file to edit, the dialog's transport instead.
    expect(await probeError(entry(`${fixtureBase}/events`, "http", "manual"))).toBe(
      `HTTP 404 at ${fixtureBase}/events: it looks like an SSE endpoint; choose SSE in Add server`,
    );
    expect(await probeError(entry(`${fixtureBase}/gone`, "sse"))).toBe(
      `HTTP 404 at ${fixtureBase}/gone (is the path right?)`,
    );
  });

  it("diagnose the URL with the client's variables filled in, as the request was sent", async () => {
    const url = `${fixtureBase}/\${env:MCP_PATH}`;
    const error = (
      await probeServer(entry(url, "http", "vscode"), { env: { MCP_PATH: "events" }, timeoutMs: 5000 })
    ).error;
    expect(error).toMatch(/^HTTP 404 at \S+: it looks like an SSE endpoint; give the entry "type": "sse"$/);
  });
});
