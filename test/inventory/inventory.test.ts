/**
 * The server inventory through the engine's API, as the Servers view uses it: discovered servers from a
 * fixture home, start/stop/probe of the real server-everything, instrument and uninstrument of its
 * config entry, and hand-added servers.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngine } from "../../electron/monitor/engine.js";
import type { Engine } from "../../electron/monitor/engine-types.js";
import type { Inventory, ServerDetail, ServerEntry } from "../../shared/servers.js";
import { SERVERS, tempDir, waitFor } from "../helpers/mcp.js";

let dir: Awaited<ReturnType<typeof tempDir>>;
let engine: Engine;
let cursorConfig: string;
let original: string;

const inventory = async () => (await engine.invoke("servers.inventory", {})) as Inventory;
const entry = async (name: string) => (await inventory()).servers.find((s) => s.name === name) as ServerEntry;

beforeAll(async () => {
  dir = await tempDir();
  const home = join(dir.path, "home");
  await mkdir(join(home, ".cursor"), { recursive: true });
  cursorConfig = join(home, ".cursor", "mcp.json");
  original = `{
  // my servers
  "mcpServers": {
    "everything": { "command": ${JSON.stringify(process.execPath)}, "args": ${JSON.stringify(SERVERS.everything())}, "env": { "API_TOKEN": "sk-live-abcdefghijklmnopqrstuv" } },
    "remote": { "url": "http://127.0.0.1:9/mcp" },
  },
}
`;
  await writeFile(cursorConfig, original);
  await mkdir(join(home, ".codeium", "windsurf"), { recursive: true });
  await writeFile(join(home, ".codeium", "windsurf", "mcp_config.json"), '{ "mcpServers": { "x": ');
  engine = await createEngine({
    dataDir: join(dir.path, "data"),
    inventory: { home, probeIntervalMs: 60_000, sampleIntervalMs: 500 },
  });
});

afterAll(async () => {
  await engine?.close();
  await dir.cleanup();
});

describe("server inventory", () => {
  it("lists discovered servers with secrets masked and the malformed file as a warning", async () => {
    const inv = await inventory();
    const names = inv.servers.map((s) => `${s.client}/${s.name}/${s.transport}`).sort();
    expect(names).toEqual(["cursor/everything/stdio", "cursor/remote/http"]);
    const everything = await entry("everything");
    expect(everything).toMatchObject({ status: "unknown", process: null, instrumented: false });
    expect(JSON.stringify(inv)).not.toContain("sk-live-abcdefghijklmnopqrstuv");
    expect(inv.warnings).toHaveLength(1);
    expect(inv.warnings[0]?.file).toContain("mcp_config.json");
  });

  it("starts a server, probes it over its session, samples its memory, and stops it", async () => {
    const { id } = await entry("everything");
    const started = (await engine.invoke("servers.start", { id })) as { ok: boolean; message: string };
    expect(started.ok, started.message).toBe(true);
    const running = await waitFor(async () => {
      const e = await entry("everything");
      return e.process?.state === "running" && e.status === "up" ? e : undefined;
    });
    expect(running.process?.pid).toBeGreaterThan(0);
    expect(running.health.toolsCount).toBeGreaterThan(5);
    const probed = (await engine.invoke("servers.probe", { id })) as { ok: boolean; message: string };
    expect(probed).toMatchObject({ ok: true });
    await waitFor(async () => ((await entry("everything")).resources.rssBytes ?? 0) > 10_000_000);
    const detail = (await engine.invoke("servers.detail", { id })) as ServerDetail;
    expect(detail.tools.map((t) => t.name)).toContain("echo");
    expect(detail.health.length).toBeGreaterThan(0);
    expect(detail.resources.length).toBeGreaterThan(0);
    expect((await engine.invoke("servers.stop", { id })) as object).toMatchObject({ ok: true });
    await waitFor(async () => ((await entry("everything")).status === "stopped" ? true : undefined));
  });

  it("pushes servers.changed to subscribers", async () => {
    const seen: Inventory[] = [];
    const off = engine.subscribe("servers.changed", (payload) => seen.push(payload as Inventory));
    const { id } = await entry("everything");
    await engine.invoke("servers.probe", { id });
    await waitFor(() => seen.length > 0);
    off();
    expect(seen[0]?.servers.some((s) => s.name === "everything")).toBe(true);
  });

  it("a server probed on request, never run by mcpscope, has its tools pinned as a scheduled probe's are", async () => {
    await engine.invoke("servers.add", {
      name: "memory-by-hand",
      transport: "stdio",
      command: process.execPath,
      args: SERVERS.memory(),
    });
    const { id } = await entry("memory-by-hand");
    expect(await engine.invoke("tools.pins", { server: "memory-by-hand" })).toEqual([]);
    expect(((await engine.invoke("servers.probe", { id })) as { ok: boolean }).ok).toBe(true);
    const pins = (await engine.invoke("tools.pins", { server: "memory-by-hand" })) as { tool: string }[];
    expect(pins.map((p) => p.tool)).toContain("create_entities");
    await engine.invoke("servers.remove", { id });
  });

  it("instruments the entry in the client's config and restores it byte for byte", async () => {
    const { id } = await entry("everything");
    const result = (await engine.invoke("servers.instrument", { id })) as { ok: boolean; message: string };
    expect(result.message).toMatch(/restart Cursor/);
    const wrapped = await readFile(cursorConfig, "utf8");
    expect(wrapped).toContain('"run"');
    expect(wrapped).toContain("// my servers");
    const instrumented = await waitFor(async () => {
      const e = await entry("everything");
      return e.instrumented ? e : undefined;
    });
    await engine.invoke("servers.uninstrument", { id: instrumented.id });
    expect(await readFile(cursorConfig, "utf8")).toBe(original);
  });

  it("points a remote entry at mcpscope's proxy, shows it as its server, and restores it byte for byte", async () => {
    const { id } = await entry("remote");
    const result = (await engine.invoke("servers.instrument", { id })) as { ok: boolean; message: string };
    expect(result.message).toMatch(
      /now goes through mcpscope's proxy at http:\/\/127\.0\.0\.1:\d+\/mcp; Cursor reaches it only while mcpscope runs/,
    );
    const port = /127\.0\.0\.1:(\d+)/.exec(result.message)?.[1];
    expect(await readFile(cursorConfig, "utf8")).toBe(
      original.replace('"http://127.0.0.1:9/mcp"', `"http://127.0.0.1:${port}/mcp"`),
    );
    const instrumented = await waitFor(async () => {
      const e = await entry("remote");
      return e.instrumented ? e : undefined;
    });
    expect(instrumented.url).toBe("http://127.0.0.1:9/mcp");
    const proxied = await waitFor(async () => (await entry("remote")).proxy ?? undefined);
    expect(proxied).toEqual({ state: "running", url: `http://127.0.0.1:${port}/mcp`, error: null });
    await engine.invoke("servers.uninstrument", { id: instrumented.id });
    expect(await readFile(cursorConfig, "utf8")).toBe(original);
    expect((await entry("remote")).proxy).toBeNull();
  });

  it("adds and removes a server by hand, and refuses to remove a client's", async () => {
    const added = (await engine.invoke("servers.add", {
      name: "by-hand",
      transport: "stdio",
      command: process.execPath,
      args: SERVERS.everything(),
    })) as { ok: boolean };
    expect(added.ok).toBe(true);
    const manual = await entry("by-hand");
    expect(manual).toMatchObject({ client: "manual", scope: "manual" });
    const everything = await entry("everything");
    await expect(engine.invoke("servers.remove", { id: everything.id })).rejects.toThrow(/remove it there/);
    await engine.invoke("servers.remove", { id: manual.id });
    expect(await entry("by-hand")).toBeUndefined();
  });
});

describe("system events from the inventory", () => {
  it("records instrument/uninstrument and a server added to a client's config", async () => {
    const events = async (type: string) =>
      (await engine.invoke("events.list", { type, since: "1h" })) as Array<{
        type: string;
        server: string | null;
      }>;
    // Written with the change itself, once: the same record as `mcpscope instrument` leaves.
    const everything = async (type: string) => (await events(type)).filter((e) => e.server === "everything");
    expect(await everything("instrument")).toHaveLength(1);
    expect(await everything("uninstrument")).toHaveLength(1);
    const text = await readFile(cursorConfig, "utf8");
    await writeFile(
      cursorConfig,
      text.replace(
        '"mcpServers": {',
        '"mcpServers": {\n    "added-later": { "url": "http://127.0.0.1:9/x" },',
      ),
    );
    const added = await waitFor(async () => {
      const found = await events("discovery.server_added");
      return found.some((e) => e.server === "added-later") ? found : undefined;
    });
    expect(added.length).toBeGreaterThan(0);
  });
});
