/**
 * Discovery masks a configured server's command, args and URL for display; launching and connecting use
 * the values the config holds. A stdio server taking its key as a flag, and a remote one with a key in
 * the query and a password in the URL, get the real values from `check --server`, from Start and from
 * the engine's probes, while everything listed or stored stays masked.
 */
import { readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { join } from "node:path";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { discoverServers } from "../../electron/monitor/discovery/discover.js";
import { createEngine } from "../../electron/monitor/engine.js";
import type { Engine } from "../../electron/monitor/engine-types.js";
import { proxiedUrl, updateRemoteProxies } from "../../electron/monitor/proxy-http/remote-proxies.js";
import type { Inventory, ServerEntry } from "../../shared/servers.js";
import { cliInProcess } from "../helpers/cli-in-process.js";
import { ROOT, tempDir, waitFor } from "../helpers/mcp.js";

const KEY = "supersecretvalue123";
const TOKEN = "ghp_ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const QUERY_KEY = "sk-abcdefghijklmnopqrstuvwx";
const PASSWORD = "pa55word";
const SECRETS = [KEY, TOKEN, QUERY_KEY, PASSWORD];
const ARGS = ["--api-key", KEY, `--token=${TOKEN}`];
const BASIC = `Basic ${Buffer.from(`user:${PASSWORD}`).toString("base64")}`;

/** A stateless Streamable HTTP server (the real SDK) that notes each request's URL and Authorization. */
async function startRemote(): Promise<{ server: Server; port: number; seen: string[] }> {
  const seen: string[] = [];
  const server = createServer(async (req: IncomingMessage, res) => {
    seen.push(`${req.method} ${req.url} ${req.headers.authorization ?? "-"}`);
    const mcp = new McpServer({ name: "remote-log", version: "1.0.0" });
    mcp.registerTool("hello", { description: "Says hello." }, async () => ({ content: [] }));
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on("close", () => void mcp.close());
    await mcp.connect(transport);
    await transport.handleRequest(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, port: (server.address() as { port: number }).port, seen };
}

let dir: Awaited<ReturnType<typeof tempDir>>;
let remote: Awaited<ReturnType<typeof startRemote>>;
let home: string;
let launchLog: string;
let remoteUrl: string;

const launches = (): string[][] =>
  readFileSync(launchLog, "utf8")
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line));

beforeAll(async () => {
  dir = await tempDir();
  remote = await startRemote();
  home = join(dir.path, "home");
  launchLog = join(dir.path, "launches.jsonl");
  await writeFile(launchLog, "");
  remoteUrl = `http://user:${PASSWORD}@127.0.0.1:${remote.port}/mcp?api_key=${QUERY_KEY}`;
  const server = join(ROOT, "test", "fixtures", "launch-log-server.mjs");
  await mkdir(join(home, ".cursor"), { recursive: true });
  await writeFile(
    join(home, ".cursor", "mcp.json"),
    JSON.stringify({
      mcpServers: {
        argsrv: { command: process.execPath, args: [server, ...ARGS], env: { LAUNCH_LOG: launchLog } },
        remsrv: { url: remoteUrl },
      },
    }),
  );
});

afterAll(async () => {
  await new Promise((resolve) => remote?.server.close(resolve));
  await dir?.cleanup();
});

describe("check --server launches and connects with the configured values", () => {
  it("passes a stdio server its real flags", async () => {
    const flags = ["--home", home, "--data-dir", join(dir.path, "cli")];
    const result = await cliInProcess(["check", "--server", "argsrv", ...flags, "--json"]);
    expect(result.status, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ status: "up", server: { name: "launch-log" } });
    expect(launches().at(-1)).toEqual(ARGS);
    for (const secret of SECRETS) expect(result.stdout).not.toContain(secret);
  });

  it("sends a remote server the key in its URL and the URL's password as Basic auth", async () => {
    const before = remote.seen.length;
    const flags = ["--home", home, "--data-dir", join(dir.path, "cli")];
    const result = await cliInProcess(["check", "--server", "remsrv", ...flags, "--json"]);
    expect(result.status, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ status: "up", server: { name: "remote-log" } });
    const requests = remote.seen.slice(before).filter((r) => r.startsWith("POST"));
    expect(requests.length).toBeGreaterThan(0);
    for (const request of requests) expect(request).toBe(`POST /mcp?api_key=${QUERY_KEY} ${BASIC}`);
    for (const secret of SECRETS) expect(result.stdout).not.toContain(secret);
  });
});

describe("the engine starts and probes with the configured values", () => {
  let engine: Engine;
  const inventory = async () => (await engine.invoke("servers.inventory", {})) as Inventory;
  const entry = async (name: string) =>
    (await inventory()).servers.find((s) => s.name === name) as ServerEntry;

  beforeAll(async () => {
    engine = await createEngine({
      dataDir: join(dir.path, "engine"),
      inventory: { home, probeIntervalMs: 60_000, sampleIntervalMs: 60_000 },
    });
  });
  afterAll(async () => {
    await engine?.close();
  });

  it("lists the servers masked", async () => {
    const inv = await inventory();
    const listed = JSON.stringify([inv, await engine.invoke("discovery.list", { home })]);
    for (const secret of SECRETS) expect(listed).not.toContain(secret);
    expect((await entry("argsrv")).args.join(" ")).toContain("[masked:");
    expect((await entry("remsrv")).url).toContain("[masked:");
  });

  it("starts a stdio server with its real flags", async () => {
    const { id } = await entry("argsrv");
    const before = launches().length;
    const started = (await engine.invoke("servers.start", { id })) as { ok: boolean; message: string };
    expect(started.ok, started.message).toBe(true);
    await waitFor(async () => ((await entry("argsrv")).process?.state === "running" ? true : undefined));
    expect(launches().slice(before)).toEqual([ARGS]);
    expect((await engine.invoke("servers.stop", { id })) as object).toMatchObject({ ok: true });
  });

  it("starts a server added by hand with the args as typed", async () => {
    const server = join(ROOT, "test", "fixtures", "launch-log-server.mjs");
    const added = (await engine.invoke("servers.add", {
      name: "byhand",
      transport: "stdio",
      command: process.execPath,
      args: [server, ...ARGS],
      env: { LAUNCH_LOG: launchLog },
    })) as { ok: boolean; message: string };
    expect(added.ok, added.message).toBe(true);
    const { id, args } = await entry("byhand");
    expect(args.join(" ")).not.toContain(KEY);
    const before = launches().length;
    expect((await engine.invoke("servers.start", { id })) as object).toMatchObject({ ok: true });
    await waitFor(async () => ((await entry("byhand")).process?.state === "running" ? true : undefined));
    expect(launches().slice(before)).toEqual([ARGS]);
    expect((await engine.invoke("servers.stop", { id })) as object).toMatchObject({ ok: true });
  });

  it("probes a remote server with the key in its URL and the URL's password", async () => {
    const { id } = await entry("remsrv");
    const before = remote.seen.length;
    const probed = (await engine.invoke("servers.probe", { id })) as { ok: boolean; message: string };
    expect(probed.ok, probed.message).toBe(true);
    const requests = remote.seen.slice(before).filter((r) => r.startsWith("POST"));
    expect(requests.length).toBeGreaterThan(0);
    for (const request of requests) expect(request).toBe(`POST /mcp?api_key=${QUERY_KEY} ${BASIC}`);
  });
});

describe("an instrumented remote entry", () => {
  it("is shown with its upstream masked and connected to with the upstream as configured", async () => {
    const dataDir = join(dir.path, "proxied");
    // As `instrument` leaves it: the entry's URL is the proxy's, the upstream is in the registry.
    const proxiedHome = join(dir.path, "proxied-home");
    const file = join(proxiedHome, ".cursor", "mcp.json");
    const upstream = remoteUrl;
    await mkdir(join(proxiedHome, ".cursor"), { recursive: true });
    await writeFile(file, JSON.stringify({ mcpServers: { remsrv: { url: proxiedUrl(upstream, 9) } } }));
    await updateRemoteProxies(dataDir, () => [
      { client: "cursor", server: "remsrv", file, path: ["mcpServers", "remsrv"], upstream, port: 9 },
    ]);
    const ctx = { home: proxiedHome, platform: process.platform, env: {}, projectDirs: [] };
    const { servers } = await discoverServers(ctx, { dataDir, clients: ["cursor"] });
    const proxied = servers.find((s) => s.definition.name === "remsrv");
    expect(proxied?.definition).toMatchObject({ instrumented: true });
    expect(proxied?.rawUrl).toBe(upstream);
    for (const secret of SECRETS) expect(JSON.stringify(proxied?.definition)).not.toContain(secret);
  });
});
