/**
 * Two engines on one data dir (the app's engine host and `mcpscope serve`'s engine) do not both run the
 * servers the user starts: the first holds the supervision lease and runs them; the second shows them as
 * run by the other engine, refuses to start a copy, and takes over once the first is killed outright.
 * A real engine host (dist/, as the app forks it), a real engine in this process, a real MCP server.
 */
import { existsSync } from "node:fs";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { processRunning } from "../helpers/engine-host.js";
import { SERVERS, waitFor } from "../helpers/mcp.js";
import { memoryProcesses, twoEngines } from "../helpers/two-engines.js";

const proc = existsSync("/proc/self/stat");
if (!proc) console.warn("one-supervisor.test: skipped, no /proc here to count a server's processes");

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/**
 * The two engines of the tests that neither end the first engine nor touch the other's server (one
 * test's memory server, the other's idle one): started once, for those tests alone, and stopped after
 * the file.
 */
const sharedCleanups: Array<() => Promise<void> | void> = [];
let shared: ReturnType<typeof twoEngines> | null = null;
const sharedEngines = () => {
  shared ??= twoEngines(sharedCleanups);
  return shared;
};
afterAll(async () => {
  for (const cleanup of sharedCleanups.splice(0).reverse()) await cleanup();
});

describe.skipIf(!proc)("one engine per data dir runs the servers", () => {
  it("the second engine shows the first's server, starts no copy, and takes over after a SIGKILL", async () => {
    const { first, firstPid, id, api, memoryFile, entryOfSecond, takenOver } = await twoEngines(cleanups);

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
    const { first, firstPid, memoryFile, takenOver } = await twoEngines(cleanups);
    first.child.kill("SIGTERM");
    expect(await first.exited).toBe(128 + 15);
    const taken = await takenOver();
    expect(processRunning(firstPid)).toBe(false);
    expect(memoryProcesses(memoryFile)).toEqual([taken.process?.pid]);
  });

  it("a server is not removed in the second engine while the first runs it, and stays stoppable there", async () => {
    const { first, firstPid, id, api, memoryFile } = await sharedEngines();
    const refused = await api.call("servers.remove", { id });
    expect(refused.ok).toBe(false);
    expect(refused.message).toContain(
      `memory: it was started under the other mcpscope engine (pid ${first.child.pid}: the app or \`mcpscope serve\`), running there; stop it there`,
    );
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
    const { first, api } = await sharedEngines();
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
