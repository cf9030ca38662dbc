/**
 * An engine that took the supervision lease from one held up (SIGSTOP, swapping) does not start a second
 * copy of a server that engine still runs: Start is refused, naming it, until that engine runs again and
 * hands the server over. The held-up engine and its server are real processes, with the launch record
 * such an engine keeps; this engine is a real one, holding the lease.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { processStartTicks } from "../../electron/monitor/process-start.js";
import { SERVERS, waitFor } from "../helpers/mcp.js";
import { supervisingEngine } from "../helpers/two-engines.js";

const proc = existsSync("/proc/self/stat");

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A live process and its start ticks. */
async function liveProcess(): Promise<{ pid: number; startTicks: number }> {
  const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1 << 30)"], { stdio: "ignore" });
  cleanups.push(() => child.kill("SIGKILL"));
  const pid = child.pid as number;
  return { pid, startTicks: await waitFor(() => processStartTicks(pid) ?? undefined) };
}

describe.skipIf(!proc)("a server the engine held up still runs", () => {
  it("is not started a second time by the engine that took the lease over", async () => {
    const { data, api } = await supervisingEngine(cleanups);
    await api.call("servers.add", {
      name: "memory",
      transport: "stdio",
      command: process.execPath,
      args: SERVERS.memory(),
    });
    const id = (await api.call("servers.inventory", {})).servers.find((s) => s.name === "memory")
      ?.id as string;

    // The held-up engine's record: it started `memory`, whose process still runs.
    const heldUp = await liveProcess();
    const server = await liveProcess();
    mkdirSync(join(data.path, "launched"), { recursive: true });
    writeFileSync(
      join(data.path, "launched", `${heldUp.pid}-5t0pped0.json`),
      JSON.stringify({
        engine: { pid: heldUp.pid, startTicks: heldUp.startTicks, startedAt: Date.now() },
        servers: [{ id, name: "memory", pid: server.pid, startTicks: server.startTicks }],
      }),
    );

    const refused = await api.call("servers.start", { id });
    expect(refused).toEqual({
      ok: false,
      message: `memory: still running under the mcpscope engine with pid ${heldUp.pid}, which ran the servers until it was held up; it stops it once it runs again, and this engine then starts it`,
    });
    expect(
      (await api.call("servers.inventory", {})).servers.find((s) => s.id === id)?.process ?? null,
    ).toBeNull();
  });
});
