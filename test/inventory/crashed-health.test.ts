/**
 * The health of a server mcpscope runs, when its process dies: with probes far apart (as by default), the
 * health record must not keep saying `up` for a process that is gone, and must not keep saying `down` for
 * long once a restart runs it again. Real processes, a real engine.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngine, type MetricsEngine } from "../../electron/monitor/engine.js";
import type { ActionResult, Inventory, ServerEntry } from "../../shared/servers.js";
import { SERVERS, tempDir, waitFor } from "../helpers/mcp.js";

let dir: Awaited<ReturnType<typeof tempDir>>;
let engine: MetricsEngine;

beforeAll(async () => {
  dir = await tempDir();
  const home = join(dir.path, "home");
  const data = join(dir.path, "data");
  await mkdir(home, { recursive: true });
  await mkdir(data, { recursive: true });
  // Probes an hour apart: only what the process does can change the health in this test.
  engine = await createEngine({ dataDir: data, inventory: { home, probeIntervalMs: 3_600_000 } });
}, 30_000);

afterAll(async () => {
  await engine?.close();
  await dir?.cleanup();
});

const entry = async (name: string) =>
  ((await engine.invoke("servers.inventory", {})) as Inventory).servers.find(
    (s) => s.name === name,
  ) as ServerEntry;
const healthEvents = async (server: string) =>
  ((await engine.invoke("events.list", { server, limit: 100 })) as { type: string; message: string }[])
    .filter((e) => e.type.startsWith("health."))
    .map((e) => e.type);

describe("a supervised server whose process dies", () => {
  it("is down in its health record at once, and up again once it runs again", async () => {
    await engine.invoke("servers.add", {
      name: "dies",
      transport: "stdio",
      command: process.execPath,
      args: SERVERS.everything(),
    });
    const id = (await waitFor(() => entry("dies"))).id;
    expect(((await engine.invoke("servers.start", { id })) as ActionResult).ok).toBe(true);
    const live = await waitFor(async () => {
      const e = await entry("dies");
      return e.health.status === "up" ? e : undefined;
    });

    process.kill(live.process?.pid as number, "SIGKILL");
    const dead = await waitFor(async () => {
      const e = await entry("dies");
      return e.health.status === "down" ? e : undefined;
    });
    expect(dead.health.error).toMatch(/^not running \((backoff|starting)\)$/);
    expect(dead.status).toBe("down");

    // Restarted after its backoff: one answer is enough, the dead process was no flaky probe.
    await waitFor(async () => ((await entry("dies")).health.status === "up" ? true : undefined));
    expect(await healthEvents("dies")).toEqual(expect.arrayContaining(["health.up", "health.down"]));
    await engine.invoke("servers.stop", { id });
  });
});
