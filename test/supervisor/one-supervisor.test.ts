/**
 * Two engines on one data dir (the app's engine host and `mcpscope serve`'s engine) do not both run the
 * servers the user starts: the first holds the supervision lease and runs them; the second shows them as
 * run by the other engine, refuses to start a copy, and takes over once the first is killed outright.
 * A real engine host (dist/, as the app forks it), a real engine in this process, a real MCP server.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createEngine } from "../../electron/monitor/engine.js";
import type { Engine } from "../../electron/monitor/engine-types.js";
import { createApiClient } from "../../shared/api.js";
import type { Inventory, ServerEntry } from "../../shared/servers.js";
import { forkEngineHost, processRunning, type RunningHost } from "../helpers/engine-host.js";
import { SERVERS, tempDir, waitFor } from "../helpers/mcp.js";

const proc = existsSync("/proc/self/stat");
if (!proc) console.warn("one-supervisor.test: skipped, no /proc here to count a server's processes");

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The processes of the memory server that keeps its graph in `file`, whoever started them. */
function memoryProcesses(file: string): number[] {
  const marker = `MEMORY_FILE_PATH=${file}`;
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        return (
          readFileSync(`/proc/${pid}/environ`, "utf8").split("\0").includes(marker) &&
          processRunning(Number(pid))
        );
      } catch {
        return false;
      }
    })
    .map(Number);
}

/**
 * The app's engine host running the hand-added memory server, then a second engine (`serve`'s, in this
 * process) on the same data dir, trying for the supervision lease every 100 ms.
 */
async function twoEngines() {
  const data = await tempDir();
  const home = await tempDir();
  cleanups.push(data.cleanup, home.cleanup);
  const memoryFile = join(data.path, "memory.json");

  const first: RunningHost = forkEngineHost(data.path, home.path);
  cleanups.push(() => {
    if (first.child.exitCode === null && first.child.signalCode === null) first.child.kill("SIGKILL");
  });
  await first.client.invoke("servers.add", {
    name: "memory",
    transport: "stdio",
    command: process.execPath,
    args: SERVERS.memory(),
    env: { MEMORY_FILE_PATH: memoryFile },
  });
  const entryOfFirst = async () =>
    ((await first.client.invoke("servers.inventory", {})) as Inventory).servers.find(
      (s) => s.name === "memory",
    );
  const id = (await entryOfFirst())?.id as string;
  expect(await first.client.invoke("servers.start", { id })).toMatchObject({ ok: true });
  const firstPid = await waitFor(async () => {
    const entry = await entryOfFirst();
    return entry?.process?.state === "running" ? (entry.process.pid ?? undefined) : undefined;
  });
  cleanups.push(() => {
    try {
      process.kill(firstPid, "SIGKILL");
    } catch {}
  });

  const second: Engine = await createEngine({
    dataDir: data.path,
    inventory: { home: home.path, probeIntervalMs: 100, supervisionCheckMs: 100 },
    alerts: false,
    readPool: false,
  });
  cleanups.push(() => second.close());
  const api = createApiClient(second);
  const entryOfSecond = async (): Promise<ServerEntry | undefined> =>
    (await api.call("servers.inventory", {})).servers.find((s) => s.id === id);
  /** The second engine runs the server itself, in a process of its own. */
  const takenOver = () =>
    waitFor(async () => {
      const entry = await entryOfSecond();
      return entry?.process?.state === "running" && entry.process.pid !== firstPid ? entry : undefined;
    });
  return { first, firstPid, id, api, memoryFile, entryOfSecond, takenOver };
}

describe.skipIf(!proc)("one engine per data dir runs the servers", () => {
  it("the second engine shows the first's server, starts no copy, and takes over after a SIGKILL", async () => {
    const { first, firstPid, id, api, memoryFile, entryOfSecond, takenOver } = await twoEngines();

    // Shown as the first engine's, with its process, and not run here.
    expect(await entryOfSecond()).toMatchObject({
      process: null,
      supervisedElsewhere: { enginePid: first.child.pid, pid: firstPid },
    });
    const refused = await api.call("servers.start", { id });
    expect(refused.ok).toBe(false);
    expect(refused.message).toContain(`run by the other mcpscope engine (pid ${first.child.pid}`);
    expect(await api.call("servers.restart", { id })).toMatchObject({ ok: false });
    expect(memoryProcesses(memoryFile)).toEqual([firstPid]);

    // The first engine is killed outright: within its interval the second stops the server it left
    // running and runs it itself, once.
    first.child.kill("SIGKILL");
    await first.exited;
    const taken = await takenOver();
    expect(taken.supervisedElsewhere ?? null).toBeNull();
    // The copy the killed engine left is gone (it ends when its input closes, or the new holder stops it).
    await waitFor(() => !processRunning(firstPid));
    expect(memoryProcesses(memoryFile)).toEqual([taken.process?.pid]);
  });

  it("after the first engine ends on a signal (the app restarting it), the second starts its server again", async () => {
    const { first, firstPid, memoryFile, takenOver } = await twoEngines();
    first.child.kill("SIGTERM");
    expect(await first.exited).toBe(128 + 15);
    const taken = await takenOver();
    expect(processRunning(firstPid)).toBe(false);
    expect(memoryProcesses(memoryFile)).toEqual([taken.process?.pid]);
  });

  it("a server is not removed in the second engine while the first runs it, and stays stoppable there", async () => {
    const { first, firstPid, id, api, memoryFile } = await twoEngines();
    const refused = await api.call("servers.remove", { id });
    expect(refused.ok).toBe(false);
    expect(refused.message).toContain(`running under the other mcpscope engine (pid ${first.child.pid}`);
    expect((await api.call("servers.inventory", {})).servers.some((s) => s.id === id)).toBe(true);
    expect(memoryProcesses(memoryFile)).toEqual([firstPid]);
    // Still the first engine's to stop, and once stopped there it can be removed anywhere.
    expect(await first.client.invoke("servers.stop", { id })).toMatchObject({ ok: true });
    await waitFor(async () => {
      const entry = (await api.call("servers.inventory", {})).servers.find((s) => s.id === id);
      return entry?.supervisedElsewhere?.pid === null || undefined;
    });
    expect(await api.call("servers.remove", { id })).toMatchObject({ ok: true });
    expect(memoryProcesses(memoryFile)).toEqual([]);
  });

  it("every stdio server shows as the first engine's to start, also one it does not run", async () => {
    const { first, api } = await twoEngines();
    await api.call("servers.add", {
      name: "idle",
      transport: "stdio",
      command: process.execPath,
      args: SERVERS.memory(),
    });
    const idle = await waitFor(async () =>
      (await api.call("servers.inventory", {})).servers.find((s) => s.name === "idle"),
    );
    expect(idle.supervisedElsewhere).toEqual({ enginePid: first.child.pid, pid: null });
    expect(await api.call("servers.start", { id: idle.id })).toMatchObject({ ok: false });
  });
});
