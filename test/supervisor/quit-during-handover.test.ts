/**
 * Quitting an engine while it hands its servers over (it lost the supervision lease, here to an engine
 * from an older mcpscope) does not drop them: the hand-over ends first, its record stays for the engine
 * that runs the servers next, and that engine starts them again. A real engine running a real MCP server
 * that outlasts every grace period (so the hand-over takes a while), a real process standing for the
 * older engine, and a real engine after it.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createEngine } from "../../electron/monitor/engine.js";
import type { Engine } from "../../electron/monitor/engine-types.js";
import { createApiClient } from "../../shared/api.js";
import { processRunning } from "../helpers/engine-host.js";
import { ROOT, tempDir, waitFor } from "../helpers/mcp.js";
import { olderEngine } from "../helpers/two-engines.js";

const STUBBORN = join(ROOT, "test", "fixtures", "stubborn-server.mjs");
const proc = existsSync("/proc/self/stat");

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function engineOn(dataDir: string, home: string) {
  const engine: Engine = await createEngine({
    dataDir,
    inventory: { home, probeIntervalMs: 100, supervisionCheckMs: 100, stopGraceMs: 1_000 },
    alerts: false,
    readPool: false,
  });
  let closed = false;
  cleanups.push(() => (closed ? undefined : engine.close()));
  const api = createApiClient(engine);
  const entry = async () =>
    (await api.call("servers.inventory", {})).servers.find((s) => s.name === "stubborn");
  const close = async () => {
    closed = true;
    await engine.close();
  };
  return { api, entry, close };
}

describe.skipIf(!proc)("an engine quit while it hands its servers over", () => {
  it("leaves them to the engine that runs the servers next, which starts them again", async () => {
    const data = await tempDir();
    const home = await tempDir();
    cleanups.push(data.cleanup, home.cleanup);
    const first = await engineOn(data.path, home.path);
    await first.api.call("servers.add", {
      name: "stubborn",
      transport: "stdio",
      command: process.execPath,
      args: [STUBBORN],
    });
    const id = (await first.entry())?.id as string;
    expect(await first.api.call("servers.start", { id })).toMatchObject({ ok: true });
    const pid = await waitFor(async () => {
      const e = await first.entry();
      return e?.process?.state === "running" ? (e.process.pid ?? undefined) : undefined;
    });
    cleanups.push(() => {
      try {
        process.kill(pid, "SIGKILL");
      } catch {}
    });

    // An older engine starts: the first hands its server over, which takes its grace periods to stop;
    // the user quits the first meanwhile.
    const older = await olderEngine(data.path, cleanups);
    await waitFor(async () => (await first.entry())?.process?.state === "stopping" || undefined);
    await first.close();
    expect(processRunning(pid)).toBe(false);

    // Once the older engine ends, the next engine starts the server the user had started.
    older.kill("SIGKILL");
    const next = await engineOn(data.path, home.path);
    const again = await waitFor(async () => {
      const e = await next.entry();
      return e?.process?.state === "running" ? e : undefined;
    });
    expect(again.process?.pid).not.toBe(pid);
  });
});
