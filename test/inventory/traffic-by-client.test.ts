/**
 * Many clients configure a server under the same name. Recorded traffic belongs to the entry that
 * launched it: the `--client` marker `mcpscope instrument` writes is stored with each session (and the
 * client of a remote entry with each session of the engine's proxy for it), so only that client's entry
 * is `active`; an entry wrapped by hand counts the sessions without a marker; an entry that is not
 * wrapped has no recorded calls. `calls --json` and `session --json` say which client it was.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngine } from "../../electron/monitor/engine.js";
import type { Engine } from "../../electron/monitor/engine-types.js";
import type { CallDetail } from "../../shared/domain.js";
import type { SessionTimeline } from "../../shared/events.js";
import type { Inventory, ServerDetail, ServerEntry } from "../../shared/servers.js";
import { cliInProcess } from "../helpers/cli-in-process.js";
import { type Child, startEverything } from "../helpers/http.js";
import { MCPSCOPE, ROOT, SERVERS, tempDir, waitFor } from "../helpers/mcp.js";

let dir: Awaited<ReturnType<typeof tempDir>>;
let engine: Engine;
let everything: Child & { url: string };
let home: string;
let data: string;
const files = () => ({
  cursor: join(home, ".cursor", "mcp.json"),
  vscode: join(home, ".config", "Code", "User", "mcp.json"),
  lmstudio: join(home, ".lmstudio", "mcp.json"),
});

beforeAll(async () => {
  dir = await tempDir("mcpscope-traffic-by-client-");
  home = join(dir.path, "home");
  data = join(dir.path, "data");
  everything = await startEverything("streamableHttp");
  const stdio = { command: process.execPath, args: SERVERS.everything() };
  const f = files();
  for (const file of Object.values(f)) await mkdir(dirname(file), { recursive: true });
  await writeFile(
    f.cursor,
    JSON.stringify({ mcpServers: { everything: stdio, remote: { url: everything.url } } }, null, 2),
  );
  await writeFile(
    f.vscode,
    JSON.stringify(
      { servers: { everything: stdio, remote: { type: "http", url: everything.url } } },
      null,
      2,
    ),
  );
  // Wrapped by hand: no --client marker.
  const byHand = {
    command: process.execPath,
    args: [MCPSCOPE, "run", "--name", "everything", "--data-dir", data, "--", stdio.command, ...stdio.args],
  };
  await writeFile(f.lmstudio, JSON.stringify({ mcpServers: { everything: byHand } }, null, 2));
  engine = await createEngine({
    dataDir: data,
    alerts: false,
    inventory: { home, probeIntervalMs: 600_000, sampleIntervalMs: 600_000 },
    remoteProxies: { workerUrl: pathToFileURL(join(ROOT, "dist", "http-observer-worker.mjs")), checkMs: 50 },
  });
});

afterAll(async () => {
  await engine?.close();
  await everything?.stop();
  await dir?.cleanup();
});

const servers = async () => ((await engine.invoke("servers.inventory", {})) as Inventory).servers;
const entry = async (client: string, name: string) =>
  (await servers()).find((s) => s.client === client && s.name === name) as ServerEntry;

/** Starts the entry's command exactly as the client would (from its config file), and calls a tool. */
async function callAsClient(file: string, key: string, name: string): Promise<void> {
  const config = JSON.parse(await readFile(file, "utf8")) as Record<string, Record<string, unknown>>;
  const section = (config.mcpServers ?? config.servers) as Record<
    string,
    { command: string; args: string[] }
  >;
  const e = section[name];
  if (!e) throw new Error(`no ${name} in ${file}`);
  const client = new Client({ name: key, version: "1.0.0" });
  await client.connect(
    new StdioClientTransport({ command: e.command, args: e.args, env: process.env as never, stderr: "pipe" }),
  );
  try {
    await client.callTool({ name: "echo", arguments: { message: `from ${key}` } });
  } finally {
    await client.close();
  }
}

describe("traffic of same-named entries", () => {
  it("belongs to the instrumented client's entry only, and its sessions say which client", async () => {
    const cursor = await entry("cursor", "everything");
    const result = (await engine.invoke("servers.instrument", { id: cursor.id })) as { ok: boolean };
    expect(result.ok).toBe(true);
    await callAsClient(files().cursor, "cursor", "everything");

    const active = await waitFor(async () => {
      const e = await entry("cursor", "everything");
      return e.status === "active" ? e : undefined;
    });
    expect(active.traffic.recentAnswered).toBeGreaterThanOrEqual(1);
    // The other clients' entries of that name: VS Code's is not wrapped, LM Studio's is wrapped by hand.
    for (const client of ["vscode", "lmstudio"]) {
      expect(await entry(client, "everything")).toMatchObject({
        status: "unknown",
        traffic: { lastCallAt: null, recentAnswered: 0 },
      });
    }

    const calls = (await engine.invoke("calls.details", { server: "everything", limit: 50 })) as CallDetail[];
    const echo = calls.find((c) => c.target === "echo");
    expect(echo?.client).toBe("cursor");
    const cli = await cliInProcess(["session", echo?.sessionId ?? "", "--data-dir", data, "--json"]);
    expect(cli.status, cli.stderr).toBe(0);
    expect((JSON.parse(cli.stdout) as SessionTimeline).session.client).toBe("cursor");
    const callsCli = await cliInProcess(["calls", "--server", "everything", "--data-dir", data, "--json"]);
    const listed = (JSON.parse(callsCli.stdout) as { calls: CallDetail[] }).calls;
    expect(new Set(listed.map((c) => c.client))).toEqual(new Set(["cursor"]));
  });

  it("of a session started by hand belongs to the entries wrapped by hand", async () => {
    const before = (await entry("cursor", "everything")).traffic;
    await callAsClient(files().lmstudio, "lmstudio", "everything");
    const byHand = await waitFor(async () => {
      const e = await entry("lmstudio", "everything");
      return e.status === "active" ? e : undefined;
    });
    expect(byHand.traffic.recentAnswered).toBeGreaterThanOrEqual(1);
    // Two markers under one name now: each entry still sees only its own calls.
    expect((await entry("cursor", "everything")).traffic).toEqual(before);
    expect((await entry("vscode", "everything")).traffic.lastCallAt).toBeNull();
    const calls = (await engine.invoke("calls.details", { server: "everything", limit: 50 })) as CallDetail[];
    expect(new Set(calls.map((c) => c.client))).toEqual(new Set(["cursor", null]));

    // Each entry's detail lists its own calls; the unwrapped entry's lists none.
    const detailCalls = async (client: string) =>
      (
        (await engine.invoke("servers.detail", {
          id: (await entry(client, "everything")).id,
        })) as ServerDetail
      ).calls;
    const own = { cursor: await detailCalls("cursor"), lmstudio: await detailCalls("lmstudio") };
    expect(own.cursor.length).toBeGreaterThan(0);
    expect(own.lmstudio.length).toBeGreaterThan(0);
    const byId = new Map(calls.map((c) => [c.id, c.client]));
    expect(new Set(own.cursor.map((c) => byId.get(c.id)))).toEqual(new Set(["cursor"]));
    expect(new Set(own.lmstudio.map((c) => byId.get(c.id)))).toEqual(new Set([null]));
    expect(await detailCalls("vscode")).toEqual([]);
  });

  it("through the engine's proxy for a remote entry is that client's", async () => {
    const cursor = await entry("cursor", "remote");
    await engine.invoke("servers.instrument", { id: cursor.id });
    const url = await waitFor(async () => {
      const config = JSON.parse(await readFile(files().cursor, "utf8"));
      const now = config.mcpServers.remote.url as string;
      return now !== everything.url ? now : undefined;
    });
    const client = new Client({ name: "cursor-like", version: "1.0.0" });
    await waitFor(async () => {
      try {
        await client.connect(new StreamableHTTPClientTransport(new URL(url)));
        return true;
      } catch {
        return false;
      }
    });
    await client.callTool({ name: "echo", arguments: { message: "through the proxy" } });
    await client.close();

    const active = await waitFor(async () => {
      const e = await entry("cursor", "remote");
      return e.traffic.recentAnswered > 0 ? e : undefined;
    });
    expect(active.traffic.lastCallAt).not.toBeNull();
    expect((await entry("vscode", "remote")).traffic).toEqual({ lastCallAt: null, recentAnswered: 0 });
    const calls = (await engine.invoke("calls.details", { server: "remote", limit: 50 })) as CallDetail[];
    expect(calls.find((c) => c.target === "echo")?.client).toBe("cursor");
  });
});
