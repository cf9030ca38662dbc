/**
 * Health probes of an instrumented remote entry go to its server directly, never through mcpscope's proxy,
 * so the proxy records only the client's calls: from the engine that runs the proxy, from another engine on
 * another data dir (the app beside `mcpscope serve --data-dir …`), and from `check --server`.
 */
import { chmod, mkdir, mkdtemp, symlink, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { DiscoveredServer } from "../../electron/monitor/discovery/types.js";
import { createEngine } from "../../electron/monitor/engine.js";
import type { Engine } from "../../electron/monitor/engine-types.js";
import { proxiesFor } from "../../electron/monitor/proxy-http/proxy-identity.js";
import { remoteProxiesPath, updateRemoteProxies } from "../../electron/monitor/proxy-http/remote-proxies.js";
import type { Inventory } from "../../shared/servers.js";
import { cliInProcess } from "../helpers/cli-in-process.js";
import { type Child, startEverything, storedCalls, storedEvents } from "../helpers/http.js";
import { ROOT, tempDir, waitFor } from "../helpers/mcp.js";
import { server } from "./helpers.js";

let dir: Awaited<ReturnType<typeof tempDir>>;
let everything: Child & { url: string };
let home: string;
const data = { owner: "", other: "" };
const engines: Engine[] = [];

async function engineOn(dataDir: string): Promise<Engine> {
  const engine = await createEngine({
    dataDir,
    alerts: false,
    inventory: { home, probeIntervalMs: 600_000, sampleIntervalMs: 600_000 },
    remoteProxies: { workerUrl: pathToFileURL(join(ROOT, "dist", "http-observer-worker.mjs")), checkMs: 50 },
  });
  engines.push(engine);
  return engine;
}

const entry = async (engine: Engine) =>
  ((await engine.invoke("servers.inventory", {})) as Inventory).servers.find((s) => s.name === "rem");

beforeAll(async () => {
  dir = await tempDir("mcpscope-remote-probes-");
  everything = await startEverything("streamableHttp");
  home = join(dir.path, "home");
  data.owner = join(dir.path, "owner");
  data.other = join(dir.path, "other");
  const config = join(home, ".cursor", "mcp.json");
  await mkdir(dirname(config), { recursive: true });
  await writeFile(
    config,
    `{ "mcpServers": { "rem": { "url": ${JSON.stringify(everything.url)}, "headers": { "X-Team": "a" } } } }\n`,
  );
});

afterAll(async () => {
  for (const engine of engines) await engine.close();
  await everything?.stop();
  await dir?.cleanup();
});

describe("probes of an instrumented remote entry", () => {
  it("reach the server directly from every engine and from check --server; only the client is recorded", async () => {
    const owner = await engineOn(data.owner);
    const instrumented = await cliInProcess([
      "instrument",
      "--client",
      "cursor",
      "--server",
      "rem",
      "--home",
      home,
      "--data-dir",
      data.owner,
      "--json",
    ]);
    expect(instrumented.status, instrumented.stderr).toBe(0);
    const proxyUrl = (JSON.parse(instrumented.stdout) as { url: string }).url;
    expect(proxyUrl).not.toBe(everything.url);

    // Probed from the engine that runs the proxy (once it saw the edit) and from one on another data dir.
    await waitFor(async () => (await entry(owner))?.instrumented || undefined);
    const other = await engineOn(data.other);
    for (const engine of [owner, other]) {
      const { id } = (await waitFor(() => entry(engine))) as { id: string };
      const probed = (await engine.invoke("servers.probe", { id })) as { ok: boolean; message: string };
      expect(probed.ok, probed.message).toBe(true);
    }
    for (const dataDir of [data.owner, data.other]) {
      const checked = await cliInProcess(["check", "--server", "rem", "--home", home, "--data-dir", dataDir]);
      expect(checked.status, checked.stderr).toBe(0);
    }

    // The client's own call through the proxy is recorded; nothing else is.
    const client = new Client({ name: "the-client", version: "1.0.0" });
    await waitFor(async () => {
      try {
        await client.connect(new StreamableHTTPClientTransport(new URL(proxyUrl)));
        return true;
      } catch {
        return false;
      }
    });
    await client.callTool({ name: "echo", arguments: { message: "hi" } });
    await client.close();
    const calls = await waitFor(() => {
      const stored = storedCalls(data.owner, "rem");
      return stored.some((c) => c.target === "echo") ? stored : undefined;
    });
    expect(calls.map((c) => [c.method, c.clientName])).toEqual([
      ["initialize", "the-client"],
      ["tools/call", "the-client"],
    ]);
    // The other engine's identity questions reached the owner's proxy: answered there, none recorded.
    expect(storedEvents(data.owner, "rem").filter((e) => e.category === "security")).toEqual([]);
    // Both engines show the entry as the server behind the proxy, instrumented; only its own undoes it.
    for (const engine of [owner, other]) {
      expect(await entry(engine)).toMatchObject({ instrumented: true, url: everything.url });
    }
    const { id } = (await entry(other)) as { id: string };
    await expect(other.invoke("servers.uninstrument", { id })).rejects.toThrow(
      "rem (cursor) goes through the proxy of mcpscope on another data dir; uninstrument it there (--data-dir)",
    );
  });
});

describe("another data dir's registry", () => {
  const file = () => join(home, ".cursor", "mcp.json");
  const path = ["mcpServers", "rem"];
  let foreign = "";
  let claimed = "";
  const upstreams = async () => {
    const rem: DiscoveredServer = server("cursor", "rem", file(), "jsonc", path, "http");
    rem.definition.url = "http://127.0.0.1:45999/mcp";
    const ask = async (port: number) =>
      port === 45999 ? ({ mcpscope: "remote-proxy", dataDir: claimed } as const) : null;
    return (await proxiesFor([rem], join(dir.path, "mine"), ask)).map((p) => p.upstream);
  };

  beforeEach(async () => {
    foreign = await mkdtemp(join(dir.path, "foreign-"));
    claimed = foreign;
    await updateRemoteProxies(foreign, () => [
      {
        client: "cursor",
        server: "rem",
        file: file(),
        path,
        upstream: "https://mcp.example.com/mcp",
        port: 45999,
      },
    ]);
    expect(await upstreams()).toEqual(["https://mcp.example.com/mcp"]);
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("is not trusted when someone else may write the file or its folder", async () => {
    await chmod(remoteProxiesPath(foreign), 0o666);
    expect(await upstreams()).toEqual([]);
    await chmod(remoteProxiesPath(foreign), 0o600);
    await chmod(foreign, 0o777);
    expect(await upstreams()).toEqual([]);
  });

  it("is not trusted when it belongs to another user, or when owners cannot be told (Windows)", async () => {
    const uid = process.getuid?.() ?? 0;
    vi.spyOn(process, "getuid").mockReturnValue(uid + 1);
    expect(await upstreams()).toEqual([]);
    vi.restoreAllMocks();
    const getuid = process.getuid;
    Object.defineProperty(process, "getuid", { value: undefined, configurable: true, writable: true });
    try {
      expect(await upstreams()).toEqual([]);
    } finally {
      Object.defineProperty(process, "getuid", { value: getuid, configurable: true, writable: true });
    }
  });

  it("is not read through a symlink, whether the file or the folder is one", async () => {
    const linkedFile = await mkdtemp(join(dir.path, "linked-file-"));
    await symlink(remoteProxiesPath(foreign), remoteProxiesPath(linkedFile));
    claimed = linkedFile;
    expect(await upstreams()).toEqual([]);
    claimed = join(await mkdtemp(join(dir.path, "linked-dir-")), "data");
    await symlink(foreign, claimed);
    expect(await upstreams()).toEqual([]);
  });
});
