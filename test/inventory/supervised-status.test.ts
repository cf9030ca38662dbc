/**
 * What the inventory, alerts and `/metrics` say about servers mcpscope runs, with real processes: a
 * server that crashes at once, server-everything killed with SIGKILL, stopped and restarted, and a start
 * cut short by a stop. A stopped server is neither up nor down; a dead process is not up and uses no memory.
 */
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { MetricsEngine } from "../../electron/monitor/engine.js";
import type { AlertHistoryEntry, AlertInstance } from "../../shared/alerts.js";
import type { ActionResult, Inventory, ServerEntry } from "../../shared/servers.js";
import { inventoryEngine } from "../helpers/inventory-engine.js";
import { SERVERS, waitFor } from "../helpers/mcp.js";

const fixture = inventoryEngine({ sampleIntervalMs: 200 });
let engine: MetricsEngine;
let flag: string;

beforeAll(() => {
  engine = fixture.engine;
  flag = join(fixture.root, "hang-from-now-on");
});

const entry = async (name: string) =>
  ((await engine.invoke("servers.inventory", {})) as Inventory).servers.find(
    (s) => s.name === name,
  ) as ServerEntry;
const act = (method: string, id: string) => engine.invoke(method, { id }) as Promise<ActionResult>;
const firingDown = async (server: string) =>
  ((await engine.invoke("alerts.list", { status: "firing" })) as AlertInstance[]).filter(
    (a) => a.rule === "server-down" && a.labels.server === server,
  );
const upGauge = (server: string) =>
  engine.metrics.prometheus().match(new RegExp(`^mcp_server_up\\{server="${server}"\\} (\\d)$`, "m"))?.[1];
const rssGauge = (server: string) =>
  new RegExp(`^mcp_server_memory_rss_bytes\\{server="${server}"\\}`, "m").test(engine.metrics.prometheus());

async function add(name: string, args: string[]): Promise<string> {
  await engine.invoke("servers.add", { name, transport: "stdio", command: process.execPath, args });
  return (await waitFor(() => entry(name))).id;
}

describe("servers mcpscope runs", () => {
  it("a crashed server waiting to restart is down; stopped, it is neither down nor up", async () => {
    const id = await add("crashnow", ["-e", 'console.error("fatal config problem"); process.exit(3)']);
    const started = await act("servers.start", id);
    expect(started.ok).toBe(false);
    expect(started.message).toMatch(/^crashnow: the server exited with code 3 .*fatal config problem$/);
    const dead = await waitFor(async () => {
      const e = await entry("crashnow");
      return e.process?.state === "backoff" ? e : undefined;
    });
    expect(dead.status).toBe("down");
    expect(await waitFor(() => firingDown("crashnow").then((a) => a.length > 0))).toBe(true);
    expect(upGauge("crashnow")).toBe("0");

    expect(await act("servers.stop", id)).toEqual({ ok: true, message: "crashnow stopped" });
    const stopped = await entry("crashnow");
    expect(stopped.status).toBe("stopped");
    expect(stopped.health).toMatchObject({ status: "unknown", checkedAt: null, error: null });
    await waitFor(() => firingDown("crashnow").then((a) => a.length === 0));
    const history = (await engine.invoke("alerts.history", { rule: "server-down" })) as AlertHistoryEntry[];
    expect(history.map((h) => `${h.labels.server} ${h.to}`)[0]).toBe("crashnow resolved");
    expect(upGauge("crashnow")).toBeUndefined();
  });

  it("a killed server reads down and shows no memory; restarted from stopped, it is checked again", async () => {
    const id = await add("good", SERVERS.everything());
    expect((await act("servers.start", id)).message).toBe("good is running");
    const live = await waitFor(async () => {
      const e = await entry("good");
      return e.status === "up" && (e.resources.rssBytes ?? 0) > 0 ? e : undefined;
    });
    await waitFor(() => upGauge("good") === "1" && rssGauge("good"));

    process.kill(live.process?.pid as number, "SIGKILL");
    // Waiting to restart, or (on a slow machine, caught a moment later) starting again after the crash.
    const dead = await waitFor(async () => {
      const e = await entry("good");
      const p = e.process;
      return p?.state === "backoff" || (p?.state === "starting" && p.restarts > 0) ? e : undefined;
    });
    expect(dead.status).toBe("down");
    // No figures for the dead process: none while it waits, and once it starts again with a new pid only
    // what was sampled in this run.
    const run = dead.process?.pid == null ? null : dead.process.startedAt;
    if (run === null) expect(dead.resources).toEqual({ cpuPct: null, rssBytes: null, sampledAt: null });
    else if (dead.resources.sampledAt !== null)
      expect(Date.parse(dead.resources.sampledAt)).toBeGreaterThanOrEqual(Date.parse(run));
    await waitFor(async () => ((await entry("good")).process?.state === "running" ? true : undefined));

    await act("servers.stop", id);
    const stopped = await entry("good");
    expect(stopped.status).toBe("stopped");
    expect(stopped.resources.rssBytes).toBeNull();
    expect(upGauge("good")).toBeUndefined();
    expect(rssGauge("good")).toBe(false);

    const restartedAt = Date.now();
    expect((await act("servers.restart", id)).message).toBe("good is running");
    const checked = await waitFor(async () => {
      const e = await entry("good");
      return e.health.checkedAt && Date.parse(e.health.checkedAt) >= restartedAt ? e : undefined;
    });
    expect(checked.status).toBe("up");
    await act("servers.stop", id);
  }, 60_000);

  it("a start cut short by a stop says so, and keeps no old error", async () => {
    const script = `if (require("node:fs").existsSync(${JSON.stringify(flag)})) { process.stdin.resume(); setInterval(() => {}, 1e9); } else process.exit(3);`;
    const id = await add("hang", ["-e", script]);
    expect((await act("servers.start", id)).message).toMatch(/^hang: the server exited with code 3/);
    await act("servers.stop", id);
    expect((await entry("hang")).process?.lastError).toMatch(/exited with code 3/);

    await writeFile(flag, "");
    expect(existsSync(flag)).toBe(true);
    const start = act("servers.start", id);
    await waitFor(async () => ((await entry("hang")).process?.pid ? true : undefined));
    await act("servers.stop", id);
    expect(await start).toEqual({ ok: false, message: "hang: stopped before it finished starting" });
    const after = await entry("hang");
    expect(after.process).toMatchObject({ state: "stopped", lastError: null });
    expect(after.status).toBe("stopped");
  }, 20_000);
});
