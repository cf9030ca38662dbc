/**
 * Two engines on one data dir, as the supervision tests need them: the app's engine host (dist/, as the
 * app forks it) running the hand-added memory server, and a second engine (`serve`'s) in this process
 * trying for the supervision lease every 100 ms; and the memory server's processes counted from /proc.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { TEST_SUPERVISION_ENV } from "../../electron/main/test-supervision.js";
import { createEngine } from "../../electron/monitor/engine.js";
import type { Engine } from "../../electron/monitor/engine-types.js";
import { processStartTicks } from "../../electron/monitor/process-start.js";
import { createApiClient } from "../../shared/api.js";
import type { Inventory, ServerEntry } from "../../shared/servers.js";
import { forkEngineHost, processRunning, type RunningHost } from "./engine-host.js";
import { SERVERS, tempDir, waitFor } from "./mcp.js";

/** What a test undoes after it, last first. */
export type Cleanups = Array<() => unknown>;

/**
 * One real engine supervising servers on a new data dir with an empty home, checking the supervision lease
 * every 100 ms (no alerts, no read pool); closed and its dirs removed by `cleanups`.
 */
export async function supervisingEngine(cleanups: Cleanups) {
  const data = await tempDir();
  const home = await tempDir();
  cleanups.push(data.cleanup, home.cleanup);
  const engine: Engine = await createEngine({
    dataDir: data.path,
    inventory: { home: home.path, probeIntervalMs: 100, supervisionCheckMs: 100 },
    alerts: false,
    readPool: false,
  });
  cleanups.push(() => engine.close());
  return { data, home, engine, api: createApiClient(engine) };
}

/** The processes of the memory server that keeps its graph in `file`, whoever started them. */
export function memoryProcesses(file: string): number[] {
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
 * process) on the same data dir, trying for the supervision lease every 100 ms. `hostEnv` adds to the
 * host's environment (a shorter lease, say).
 */
export async function twoEngines(cleanups: Cleanups, hostEnv: NodeJS.ProcessEnv = {}) {
  const data = await tempDir();
  const home = await tempDir();
  cleanups.push(data.cleanup, home.cleanup);
  const memoryFile = join(data.path, "memory.json");

  const first: RunningHost = forkEngineHost(data.path, home.path, hostEnv);
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
    inventory: {
      home: home.path,
      probeIntervalMs: 100,
      supervisionCheckMs: 100,
      // As long as the first engine's lease: the second judges it by its own checks.
      supervisionLeaseMs: Number(hostEnv[TEST_SUPERVISION_ENV]?.split(",")[1]) || undefined,
    },
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
  return { data, first, firstPid, id, api, memoryFile, entryOfFirst, entryOfSecond, takenOver };
}

/**
 * A process standing for an engine from an earlier mcpscope: alive, with the presence file such an engine
 * writes, holding `fields` besides its pid and start (by default an engine from before the supervision
 * lease: neither a `supervision` nor a `requests` marker).
 */
export async function olderEngine(
  dataDir: string,
  cleanups: Array<() => Promise<unknown> | unknown>,
  fields: Record<string, unknown> = { alerts: true },
): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1 << 30)"], { stdio: "ignore" });
  cleanups.push(() => child.kill("SIGKILL"));
  const pid = child.pid as number;
  await waitFor(() => processStartTicks(pid) !== null || undefined);
  mkdirSync(join(dataDir, "engines"), { recursive: true });
  writeFileSync(
    join(dataDir, "engines", `${pid}-0ld3n61e.json`),
    JSON.stringify({
      pid,
      startTicks: processStartTicks(pid),
      startedAt: new Date().toISOString(),
      ...fields,
    }),
  );
  return child;
}
