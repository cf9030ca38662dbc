/**
 * Traffic as a health signal: a server whose calls went through `mcpscope run` minutes ago is `active`
 * with the time of its last call, even though no probe ever ran; and how that combines with what probes say.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DiscoveredServer } from "../../electron/monitor/discovery/types.js";
import { createEngine } from "../../electron/monitor/engine.js";
import type { Engine } from "../../electron/monitor/engine-types.js";
import { toEntry } from "../../electron/monitor/inventory/entry-status.js";
import type { LastCheck, ServerTraffic } from "../../electron/monitor/inventory/inventory-queries.js";
import type { ManagedStatus } from "../../electron/monitor/supervisor/managed-status.js";
import {
  ACTIVE_WINDOW_MS,
  type Inventory,
  type ServerDetail,
  type ServerEntry,
} from "../../shared/servers.js";
import { connect, MCPSCOPE, SERVERS, tempDir, waitFor } from "../helpers/mcp.js";

describe("status from traffic and probes", () => {
  const server = {
    definition: {
      id: "cursor:user:files",
      name: "files",
      transport: "stdio",
      args: [],
      env: {},
      headers: {},
    },
  } as unknown as DiscoveredServer;
  const now = Date.now();
  const check = (status: LastCheck["status"], time: number): LastCheck => ({
    time,
    status,
    state: status,
    handshakeMs: null,
    listMs: null,
    toolsCount: null,
    protocolVersion: null,
    error: null,
    stopped: false,
  });
  const status = (lastCheck: LastCheck | null, traffic: ServerTraffic | null) =>
    toEntry({ server, managed: null, health: null, lastCheck, sample: null, traffic, proxy: null }).status;
  const recent: ServerTraffic = { lastCallAt: now - 60_000, recentAnswered: 4, lastAnsweredAt: now - 60_000 };

  it("is active when it answered calls in the window and was never probed", () => {
    expect(status(null, recent)).toBe("active");
    expect(status(null, null)).toBe("unknown");
    expect(
      status(null, { lastCallAt: now - ACTIVE_WINDOW_MS - 1, recentAnswered: 0, lastAnsweredAt: null }),
    ).toBe("unknown");
  });

  it("keeps a probe's up or degraded, and a failed probe newer than the traffic", () => {
    expect(status(check("up", now - 10 * 60_000), recent)).toBe("up");
    expect(status(check("degraded", now), recent)).toBe("degraded");
    expect(status(check("down", now), recent)).toBe("down");
    expect(status(check("down", now - 120_000), recent)).toBe("active");
  });

  it("stays down when only calls it failed or refused came after the failed probe", () => {
    const failedSince = { lastCallAt: now, recentAnswered: 4, lastAnsweredAt: now - 4 * 60_000 };
    expect(status(check("down", now - 60_000), failedSince)).toBe("down");
    expect(status(check("down", now - 5 * 60_000), failedSince)).toBe("active");
  });

  it("keeps down a server whose own copy under mcpscope crashed or failed", () => {
    const managed = {
      state: "crash_loop",
      pid: null,
      startedAt: null,
      restarts: 5,
      lastExit: null,
      lastError: "x",
    };
    const entry = toEntry({
      server,
      managed: managed as unknown as ManagedStatus,
      health: null,
      lastCheck: null,
      sample: null,
      proxy: null,
      traffic: recent,
    });
    expect(entry.status).toBe("down");
    const stopped = toEntry({
      server,
      managed: { ...managed, state: "stopped" } as unknown as ManagedStatus,
      health: null,
      lastCheck: null,
      sample: null,
      proxy: null,
      traffic: recent,
    });
    expect(stopped.status).toBe("active");
  });

  it("carries the last call's time however old, for the views", () => {
    const old = now - 3 * 3_600_000;
    const entry = toEntry({
      server,
      managed: null,
      health: null,
      lastCheck: null,
      sample: null,
      proxy: null,
      traffic: { lastCallAt: old, recentAnswered: 0, lastAnsweredAt: null },
    });
    expect(entry.traffic).toEqual({ lastCallAt: new Date(old).toISOString(), recentAnswered: 0 });
  });
});

describe("a wrapped server with recent calls, through the engine", () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let engine: Engine;
  const dataDir = () => join(dir.path, "data");

  beforeAll(async () => {
    dir = await tempDir();
    const home = join(dir.path, "home");
    await mkdir(join(home, ".cursor"), { recursive: true });
    // Wrapped by hand, as the session below is started: its calls are this entry's.
    const wrapped = [MCPSCOPE, "run", "--name", "memory", "--data-dir", dataDir(), "--", process.execPath];
    const config = {
      mcpServers: { memory: { command: process.execPath, args: [...wrapped, ...SERVERS.memory()] } },
    };
    await writeFile(join(home, ".cursor", "mcp.json"), JSON.stringify(config));
    engine = await createEngine({
      dataDir: dataDir(),
      inventory: { home, probeIntervalMs: 60_000, sampleIntervalMs: 60_000 },
    });
  });

  afterAll(async () => {
    await engine?.close();
    await dir?.cleanup();
  });

  const entry = async () =>
    ((await engine.invoke("servers.inventory", {})) as Inventory).servers.find((s) => s.name === "memory");

  it("is unknown before any call, then active with its last call once a client used it", async () => {
    expect(await entry()).toMatchObject({
      status: "unknown",
      traffic: { lastCallAt: null, recentAnswered: 0 },
    });
    const before = Date.now();
    const client = await connect(
      SERVERS.memory(),
      { dataDir: dataDir(), name: "memory" },
      {
        MEMORY_FILE_PATH: join(dir.path, "memory.jsonl"),
      },
    );
    try {
      await client.listTools();
      await client.callTool({ name: "read_graph", arguments: {} });
    } finally {
      await client.close();
    }
    const active = (await waitFor(async () => {
      const e = await entry();
      return e?.status === "active" ? e : undefined;
    })) as ServerEntry;
    expect(active.health.checkedAt).toBeNull();
    expect(active.traffic.recentAnswered).toBeGreaterThanOrEqual(2);
    expect(Date.parse(active.traffic.lastCallAt ?? "")).toBeGreaterThanOrEqual(before - 1);
    const detail = (await engine.invoke("servers.detail", { id: active.id })) as ServerDetail;
    expect(detail.server.traffic.lastCallAt).toBe(active.traffic.lastCallAt);
  });

  it("lists the tools known from the client's own tools/list and calls when no probe listed any", async () => {
    const { id } = (await entry()) as ServerEntry;
    // The pins are written with the wrapper's batch, a moment after the calls.
    const detail = await waitFor(async () => {
      const d = (await engine.invoke("servers.detail", { id })) as ServerDetail;
      return d.tools.length > 1 ? d : undefined;
    });
    expect(detail.toolsSource).toBe("recorded");
    const names = detail.tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(["read_graph", "create_entities"]));
    expect(detail.tools.find((t) => t.name === "create_entities")?.description).toMatch(/entit/i);
  });
});
