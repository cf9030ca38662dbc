/**
 * An engine from an mcpscope before the supervision lease runs the servers started in it whatever other
 * engines do, and cannot be asked to stop. So while one runs on the data dir, an engine of this version
 * runs none: it stops the copies it ran (saying why, in its log and as an event), refuses Start naming the
 * older engine, marks every stdio server as that engine's, and once the older engine has ended starts
 * again what it had stopped: one copy of each server, never two. The older engine is a real process with
 * the presence file such engines write (no `supervision` marker); the newer one a real engine running a
 * real MCP server.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { processRunning } from "../helpers/engine-host.js";
import { SERVERS, waitFor } from "../helpers/mcp.js";
import { memoryProcesses, olderEngine, supervisingEngine } from "../helpers/two-engines.js";

const proc = existsSync("/proc/self/stat");
if (!proc) console.warn("older-engine.test: skipped, no /proc here to count a server's processes");

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe.skipIf(!proc)("an engine from an older mcpscope on the same data dir", () => {
  it("runs the servers alone: this engine stops its copies, refuses Start, and runs them again once it ends", async () => {
    const { data, api } = await supervisingEngine(cleanups);
    const memoryFile = join(data.path, "memory.json");
    await api.call("servers.add", {
      name: "memory",
      transport: "stdio",
      command: process.execPath,
      args: SERVERS.memory(),
      env: { MEMORY_FILE_PATH: memoryFile },
    });
    const entry = async () =>
      (await api.call("servers.inventory", {})).servers.find((s) => s.name === "memory");
    const id = (await entry())?.id as string;
    expect(await api.call("servers.start", { id })).toMatchObject({ ok: true });
    const firstPid = await waitFor(async () => {
      const e = await entry();
      return e?.process?.state === "running" ? (e.process.pid ?? undefined) : undefined;
    });

    const older = await olderEngine(data.path, cleanups);
    const olderPid = older.pid as number;
    // Within one check: its copy stops, and the server shows as the older engine's.
    await waitFor(() => !processRunning(firstPid));
    expect(memoryProcesses(memoryFile)).toEqual([]);
    const shown = await waitFor(async () => (await entry())?.supervisedElsewhere ?? undefined);
    expect(shown).toEqual({ enginePid: olderPid, pid: null, olderVersion: true });
    const refused = await api.call("servers.start", { id });
    expect(refused.ok).toBe(false);
    expect(refused.message).toContain(`an mcpscope engine from an older version (pid ${olderPid}`);
    expect(refused.message).toContain("quit that engine to run the servers here");
    const events = await waitFor(async () => {
      const found = await api.call("events.list", { type: "engine.supervision_lost" });
      return found.length ? found : undefined;
    });
    expect(events[0]?.message).toContain(`older version (pid ${olderPid})`);
    expect(events[0]?.message).toContain("stopping memory here, so that no server runs twice");

    // The older engine ends: this one runs the server again, once.
    older.kill("SIGKILL");
    const again = await waitFor(async () => {
      const e = await entry();
      return e?.process?.state === "running" && !e.supervisedElsewhere ? e : undefined;
    });
    expect(memoryProcesses(memoryFile)).toEqual([again.process?.pid]);
  });
});
