/**
 * A hand-added server started under the other engine on the data dir is that engine's until stopped
 * there, also while it waits to be restarted (no process between runs): the entry says so
 * (`supervisedElsewhere.started`), the window's Remove is disabled by the same rule the engine refuses a
 * removal by, and a server that engine has not started can be removed. The other engine is a real
 * process with the files such an engine writes (its presence, its launch record, the supervision lease);
 * this engine is a real one.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DATABASE_FILE } from "../../electron/monitor/paths.js";
import { processStartTicks } from "../../electron/monitor/process-start.js";
import { openDb } from "../../electron/monitor/store/db.js";
import { removeRefusal } from "../../shared/servers.js";
import { SERVERS, waitFor } from "../helpers/mcp.js";
import { supervisingEngine } from "../helpers/two-engines.js";

const proc = existsSync("/proc/self/stat");

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe.skipIf(!proc)("removing a server the other engine started", () => {
  it("is refused, and disabled in the window, also while it waits to be restarted there", async () => {
    const { data, api } = await supervisingEngine(cleanups);
    const add = async (name: string) => {
      await api.call("servers.add", {
        name,
        transport: "stdio",
        command: process.execPath,
        args: SERVERS.memory(),
      });
      return (await api.call("servers.inventory", {})).servers.find((s) => s.name === name)?.id as string;
    };
    const flaky = await add("flaky");
    const idle = await add("idle");

    // The other engine holds the lease and started `flaky`, which crashed and waits to restart: no pid.
    const other = spawn(process.execPath, ["-e", "setInterval(() => {}, 1 << 30)"], { stdio: "ignore" });
    cleanups.push(() => other.kill("SIGKILL"));
    const pid = other.pid as number;
    const startTicks = await waitFor(() => processStartTicks(pid) ?? undefined);
    const startedAt = Date.now();
    mkdirSync(join(data.path, "engines"), { recursive: true });
    writeFileSync(
      join(data.path, "engines", `${pid}-0e1e5e1f.json`),
      JSON.stringify({
        pid,
        startTicks,
        startedAt: new Date(startedAt).toISOString(),
        alerts: false,
        supervision: 1,
      }),
    );
    mkdirSync(join(data.path, "launched"), { recursive: true });
    writeFileSync(
      join(data.path, "launched", `${pid}-0e1e5e1f.json`),
      JSON.stringify({
        engine: { pid, startTicks, startedAt },
        servers: [{ id: flaky, name: "flaky", pid: null, startTicks: null }],
      }),
    );
    const db = openDb(join(data.path, DATABASE_FILE));
    cleanups.push(() => db.close());
    db.prepare(
      "UPDATE engine_leases SET owner = 'other', pid = ?, start_ticks = ?, started_at = ?, until = ? WHERE name = 'supervision'",
    ).run(pid, startTicks, startedAt, Date.now() + 60_000);

    const shown = await waitFor(async () => {
      const servers = (await api.call("servers.inventory", {})).servers;
      const entry = servers.find((s) => s.id === flaky);
      return entry?.supervisedElsewhere ? servers : undefined;
    });
    const flakyShown = shown.find((s) => s.id === flaky)?.supervisedElsewhere;
    expect(flakyShown).toEqual({ enginePid: pid, pid: null, started: true });
    const refusal = removeRefusal(flakyShown);
    expect(refusal).toBe(
      `it was started under the other mcpscope engine (pid ${pid}: the app or \`mcpscope serve\`), waiting to be restarted there; stop it there before removing it`,
    );
    expect(await api.call("servers.remove", { id: flaky })).toEqual({
      ok: false,
      message: `flaky: ${refusal}`,
    });

    // One it has not started: shown as its to start, and removable here.
    const idleShown = shown.find((s) => s.id === idle)?.supervisedElsewhere;
    expect(idleShown).toEqual({ enginePid: pid, pid: null });
    expect(removeRefusal(idleShown)).toBeNull();
    expect(await api.call("servers.remove", { id: idle })).toMatchObject({ ok: true });
  });
});
