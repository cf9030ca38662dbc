/**
 * The servers the app launched do not outlive its engine: the real engine host (a child process, as the
 * app forks it) stops them on SIGTERM or Quit, and after a SIGKILL the next engine stops what was left running,
 * records it, and starts again the servers the user had started. Uses dist/ (npm run build).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { LaunchedServer, LaunchFile } from "../../electron/monitor/supervisor/launch-records.js";
import { STOP_GRACE_ENV } from "../../electron/monitor/supervisor/stop-grace.js";
import type { EventRecord } from "../../shared/events.js";
import type { Inventory } from "../../shared/servers.js";
import { forkEngineHost, processRunning, type RunningHost } from "../helpers/engine-host.js";
import { ROOT, testDir, waitFor } from "../helpers/mcp.js";

const STUBBORN = join(ROOT, "test", "fixtures", "stubborn-server.mjs");
const proc = existsSync("/proc/self/stat");
if (!proc) console.warn("engine-crash.test: skipped, no /proc here to tell a process from a reused pid");

const hosts: RunningHost[] = [];
const pids: number[] = [];
afterEach(async () => {
  for (const host of hosts.splice(0)) {
    if (host.child.exitCode === null && host.child.signalCode === null) host.child.kill("SIGKILL");
    await host.exited;
  }
  for (const pid of pids.splice(0))
    try {
      process.kill(pid, "SIGKILL");
    } catch {}
});

async function setup() {
  return { dataDir: await testDir(), home: await testDir() };
}

/**
 * The stubborn server outlasts every grace period, so each stop waits them all out: a short one here; the
 * default is held to in stop-grace.test.ts.
 */
const SHORT_GRACE = { [STOP_GRACE_ENV]: "100ms" };

function start(dataDir: string, home: string, env: NodeJS.ProcessEnv = SHORT_GRACE): RunningHost {
  const host = forkEngineHost(dataDir, home, env);
  hosts.push(host);
  return host;
}

/** The servers in every launch record left in the data dir. */
function launchedServers(dataDir: string): LaunchedServer[] {
  const folder = join(dataDir, "launched");
  const files = existsSync(folder) ? readdirSync(folder).filter((f) => f.endsWith(".json")) : [];
  return files.flatMap((f) => (JSON.parse(readFileSync(join(folder, f), "utf8")) as LaunchFile).servers);
}

async function inventory(host: RunningHost): Promise<Inventory> {
  return (await host.client.invoke("servers.inventory", {})) as Inventory;
}

/** Adds the stubborn server by hand, starts it, and returns its id and pid. */
async function startStubborn(host: RunningHost): Promise<{ id: string; pid: number }> {
  await host.client.invoke("servers.add", {
    name: "stubborn",
    transport: "stdio",
    command: process.execPath,
    args: [STUBBORN],
  });
  const id = (await inventory(host)).servers.find((s) => s.name === "stubborn")?.id;
  if (!id) throw new Error("the added server is not in the inventory");
  expect(await host.client.invoke("servers.start", { id })).toMatchObject({ ok: true });
  const pid = await waitFor(async () => {
    const entry = (await inventory(host)).servers.find((s) => s.id === id);
    return entry?.process?.state === "running" ? (entry.process.pid ?? undefined) : undefined;
  });
  pids.push(pid);
  return { id, pid };
}

describe.skipIf(!proc)("the engine host and the servers it launched", () => {
  it("on a SIGTERM to the host alone, stops them, and the next engine starts them again", async () => {
    const { dataDir, home } = await setup();
    const host = start(dataDir, home);
    const { id, pid } = await startStubborn(host);
    host.child.kill("SIGTERM");
    expect(await host.exited).toBe(128 + 15);
    // Even one that ignores SIGTERM and its stdin closing is gone.
    expect(processRunning(pid)).toBe(false);
    // The app still runs: the record says the user wants the server, with no process left to clean up.
    expect(launchedServers(dataDir)).toEqual([{ id, name: "stubborn", pid: null, startTicks: null }]);

    const restartedAt = Date.now();
    const next = start(dataDir, home);
    const again = await waitFor(async () => {
      const entry = (await inventory(next)).servers.find((s) => s.id === id);
      return entry?.process?.state === "running" ? entry : undefined;
    });
    pids.push(again.process?.pid as number);
    expect(again.process?.pid).not.toBe(pid);
    // Supervised again: checked by the new engine, not shown from the old one's probes.
    await waitFor(async () => {
      const entry = (await inventory(next)).servers.find((s) => s.id === id);
      const checkedAt = entry?.health.checkedAt;
      return checkedAt && Date.parse(checkedAt) >= restartedAt && entry.status === "up" ? true : undefined;
    });
    // Nothing was left running, so nothing was reported as an orphan.
    const events = (await next.client.invoke("events.list", { limit: 100 })) as EventRecord[];
    expect(events.filter((e) => e.type === "server.orphan_stopped")).toEqual([]);
  });

  it("on Quit, stops them for good: the next engine neither starts them nor shows them up", async () => {
    const { dataDir, home } = await setup();
    const host = start(dataDir, home);
    const { id, pid } = await startStubborn(host);
    await waitFor(async () => {
      const entry = (await inventory(host)).servers.find((s) => s.id === id);
      return entry?.health.status === "up" ? entry : undefined;
    });
    expect(host.client.requestShutdown()).toBe(true);
    expect(await host.exited).toBe(0);
    expect(processRunning(pid)).toBe(false);
    expect(launchedServers(dataDir)).toEqual([]);

    const next = start(dataDir, home);
    const entry = (await inventory(next)).servers.find((s) => s.id === id);
    // Stopped on purpose, as by Stop: neither up (its last probe is stale) nor down.
    expect(entry).toMatchObject({ status: "unknown", process: null, health: { status: "unknown" } });
  });

  it("ends at once on a signal that comes while a Quit is still stopping the servers", async () => {
    const { dataDir, home } = await setup();
    // The default grace: the Quit is still waiting on the stubborn server when the signal comes.
    const host = start(dataDir, home, {});
    const { pid } = await startStubborn(host);
    expect(host.client.requestShutdown()).toBe(true);
    // Answered in order: once a call is refused, the host is closing (the stubborn server takes seconds).
    await expect(host.client.invoke("servers.inventory", {})).rejects.toThrow(/shutting down/);
    host.child.kill("SIGTERM");
    expect(await host.exited).toBe(128 + 15);
    await waitFor(() => !processRunning(pid));
  });

  it("after a SIGKILL, the next engine stops the orphan, records it, and starts the server again", async () => {
    const { dataDir, home } = await setup();
    const first = start(dataDir, home);
    const { id, pid: orphan } = await startStubborn(first);
    first.child.kill("SIGKILL");
    await first.exited;
    // The crash left the server running, out of anyone's supervision.
    expect(processRunning(orphan)).toBe(true);

    const second = start(dataDir, home);
    await waitFor(() => !processRunning(orphan));
    const again = await waitFor(async () => {
      const entry = (await inventory(second)).servers.find((s) => s.id === id);
      return entry?.process?.state === "running" && entry.process.pid !== orphan ? entry : undefined;
    });
    const pid = again.process?.pid as number;
    pids.push(pid);
    expect(again.status).not.toBe("stopped");

    const events = (await second.client.invoke("events.list", { limit: 100 })) as EventRecord[];
    const stopped = events.filter((e) => e.type === "server.orphan_stopped");
    expect(stopped).toHaveLength(1);
    expect(stopped[0]).toMatchObject({ category: "system", server: "stubborn" });
    expect(stopped[0]?.message).toContain(`pid ${orphan}`);
    const crashed = events.filter((e) => e.type === "engine.crashed");
    expect(crashed).toHaveLength(1);
    expect(crashed[0]?.message).toContain(`pid ${first.child.pid}`);
  });

  it("after Stop then Restart and a SIGKILL, the next engine still stops the orphan and starts it again", async () => {
    const { dataDir, home } = await setup();
    const first = start(dataDir, home);
    const { id, pid: earlier } = await startStubborn(first);
    expect(await first.client.invoke("servers.stop", { id })).toMatchObject({ ok: true });
    expect(processRunning(earlier)).toBe(false);
    expect(await first.client.invoke("servers.restart", { id })).toMatchObject({ ok: true });
    const orphan = await waitFor(async () => {
      const entry = (await inventory(first)).servers.find((s) => s.id === id);
      return entry?.process?.state === "running" ? (entry.process.pid ?? undefined) : undefined;
    });
    pids.push(orphan);
    first.child.kill("SIGKILL");
    await first.exited;

    const second = start(dataDir, home);
    await waitFor(() => !processRunning(orphan));
    const again = await waitFor(async () => {
      const entry = (await inventory(second)).servers.find((s) => s.id === id);
      return entry?.process?.state === "running" && entry.process.pid !== orphan ? entry : undefined;
    });
    pids.push(again.process?.pid as number);
  });
});
