/**
 * What a starting engine does with the records of servers launched by engines before it: a dead engine's
 * groups are stopped only when their leader is still the very process launched (pid and start ticks); a
 * pid another process got since is never signalled; a live engine's record is not touched.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { TrackedEvent } from "../../electron/monitor/events/tracker.js";
import { ownStartTicks, processStartTicks } from "../../electron/monitor/process-start.js";
import {
  type LaunchedServer,
  type LaunchFile,
  LaunchRecords,
} from "../../electron/monitor/supervisor/launch-records.js";
import { ORPHAN_STOPPED_EVENT, reclaimLaunched } from "../../electron/monitor/supervisor/orphans.js";
import { processRunning } from "../helpers/engine-host.js";
import { testDir, waitFor } from "../helpers/mcp.js";

const proc = existsSync("/proc/self/stat");
if (!proc) console.warn("orphans.test: skipped, no /proc here to tell a process from a reused pid");

const pids: number[] = [];
afterEach(() => {
  for (const pid of pids.splice(0))
    try {
      process.kill(pid, "SIGKILL");
    } catch {}
});

/** A process leading its own group, as a launched server does, and its start ticks. */
async function groupLeader(): Promise<{ pid: number; ticks: number }> {
  const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1 << 30)"], {
    detached: true,
    stdio: "ignore",
  });
  const pid = child.pid as number;
  pids.push(pid);
  const ticks = await waitFor(() => processStartTicks(pid) ?? undefined);
  return { pid, ticks };
}

/** The pid of a process that has exited (an engine that was killed). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  await new Promise((resolve) => child.once("exit", resolve));
  return child.pid as number;
}

function record(dataDir: string, name: string, content: LaunchFile | string): void {
  mkdirSync(join(dataDir, "launched"), { recursive: true });
  const text = typeof content === "string" ? content : JSON.stringify(content);
  writeFileSync(join(dataDir, "launched", name), text);
}

describe.skipIf(!proc)("reclaiming what a crashed engine launched", () => {
  it("stops a group whose leader is the launched process, and records it", async () => {
    const dir = await testDir();
    const leader = await groupLeader();
    const engine = await deadPid();
    record(dir, `${engine}-aaaa.json`, {
      engine: { pid: engine, startTicks: 1, startedAt: Date.now() },
      servers: [{ id: "s1", name: "orphaned", pid: leader.pid, startTicks: leader.ticks }],
    });
    const tracked: TrackedEvent[] = [];
    const result = await reclaimLaunched(dir, { track: (e) => tracked.push(e), graceMs: 5_000 });
    expect(processRunning(leader.pid)).toBe(false);
    expect(result).toEqual({ restart: [{ id: "s1", name: "orphaned" }], stopped: 1 });
    expect(tracked).toEqual([
      expect.objectContaining({ type: ORPHAN_STOPPED_EVENT, category: "system", server: "orphaned" }),
    ]);
    expect(readdirSync(join(dir, "launched"))).toEqual([]);
  });

  it("after a quit cut short, stops what is left and starts nothing again", async () => {
    const dir = await testDir();
    // What a quitting engine writes before it stops its servers.
    const quitting = new LaunchRecords(dir);
    quitting.started("s1", "quitted");
    quitting.quitting();
    const [own] = readdirSync(join(dir, "launched"));
    const written = JSON.parse(readFileSync(join(dir, "launched", own as string), "utf8")) as LaunchFile;
    expect(written.quit).toBe(true);
    // Its engine killed before it was done, with the server still running.
    const leader = await groupLeader();
    const engine = await deadPid();
    record(dir, `${engine}-qqqq.json`, {
      ...written,
      engine: { pid: engine, startTicks: 1, startedAt: Date.now() },
      servers: [{ id: "s1", name: "quitted", pid: leader.pid, startTicks: leader.ticks }],
    });
    const mine = new LaunchRecords(dir);
    const result = await reclaimLaunched(dir, { track: () => {}, graceMs: 5_000, records: mine });
    expect(result).toEqual({ restart: [], stopped: 1 });
    expect(processRunning(leader.pid)).toBe(false);
    quitting.close();
    expect(readdirSync(join(dir, "launched"))).toEqual([]);
  });

  it("never signals a pid another process got since, and leaves a live engine's record alone", async () => {
    const dir = await testDir();
    const other = await groupLeader();
    const engine = await deadPid();
    record(dir, `${engine}-bbbb.json`, {
      engine: { pid: engine, startTicks: 1, startedAt: Date.now() },
      servers: [
        // The same pid, started at another moment: another process.
        { id: "s1", name: "reused", pid: other.pid, startTicks: other.ticks + 1 },
        { id: "s2", name: "between-runs", pid: null, startTicks: null },
      ],
    });
    // This very process is a live engine: what it runs is its own business.
    const live = `${process.pid}-cccc.json`;
    record(dir, live, {
      engine: { pid: process.pid, startTicks: ownStartTicks(), startedAt: Date.now() },
      servers: [{ id: "s3", name: "supervised", pid: other.pid, startTicks: other.ticks }],
    });
    const tracked: TrackedEvent[] = [];
    const result = await reclaimLaunched(dir, { track: (e) => tracked.push(e), graceMs: 5_000 });
    expect(processRunning(other.pid)).toBe(true);
    expect(tracked).toEqual([]);
    expect(result).toEqual({
      restart: [
        { id: "s1", name: "reused" },
        { id: "s2", name: "between-runs" },
      ],
      stopped: 0,
    });
    expect(readdirSync(join(dir, "launched"))).toEqual([live]);
  });

  it("takes the servers into this engine's record before the dead one's is gone", async () => {
    const dir = await testDir();
    const leader = await groupLeader();
    const engine = await deadPid();
    record(dir, `${engine}-dddd.json`, {
      engine: { pid: engine, startTicks: 1, startedAt: Date.now() },
      servers: [
        { id: "s1", name: "orphaned", pid: leader.pid, startTicks: leader.ticks },
        { id: "s2", name: "between-runs", pid: null, startTicks: 7 },
      ],
    });
    const records = new LaunchRecords(dir);
    const seen: LaunchedServer[][] = [];
    const watching = {
      adopt: (servers: readonly LaunchedServer[]) => {
        records.adopt(servers);
        // What an engine that died right now would leave for the next one.
        seen.push(ownRecords(dir));
      },
      exited: (id: string, pid: number | null) => records.exited(id, pid),
      stopped: (id: string) => records.stopped(id),
    };
    await reclaimLaunched(dir, { track: () => {}, graceMs: 5_000, records: watching });
    expect(seen).toEqual([
      [
        { id: "s1", name: "orphaned", pid: leader.pid, startTicks: leader.ticks },
        { id: "s2", name: "between-runs", pid: null, startTicks: null },
      ],
    ]);
    // Once its group is stopped, nothing of it is left to clean up; the server is still wanted.
    expect(ownRecords(dir)).toEqual([
      { id: "s1", name: "orphaned", pid: null, startTicks: null },
      { id: "s2", name: "between-runs", pid: null, startTicks: null },
    ]);
  });

  it("removes a launch file of the wrong shape, says so, and reclaims the others", async () => {
    const dir = await testDir();
    const engine = await deadPid();
    for (const [name, text] of [
      ["a-null.json", "null"],
      ["b-empty.json", "{}"],
      [
        "c-bad-servers.json",
        JSON.stringify({ engine: { pid: engine, startTicks: 1, startedAt: 1 }, servers: [{}] }),
      ],
      ["d-not-json.json", "{"],
    ] as const)
      record(dir, name, text);
    record(dir, `${engine}-eeee.json`, {
      engine: { pid: engine, startTicks: 1, startedAt: Date.now() },
      servers: [{ id: "s1", name: "wanted", pid: null, startTicks: null }],
    });
    const problems: string[] = [];
    const result = await reclaimLaunched(dir, { track: () => {}, onProblem: (m) => problems.push(m) });
    expect(result).toEqual({ restart: [{ id: "s1", name: "wanted" }], stopped: 0 });
    expect(problems).toHaveLength(4);
    for (const problem of problems) expect(problem).toMatch(/^removed .*\.json: it is not a record/);
    expect(readdirSync(join(dir, "launched"))).toEqual([]);
  });
});

/** The servers in the one launch file this process writes. */
function ownRecords(dataDir: string): LaunchedServer[] {
  const folder = join(dataDir, "launched");
  const own = readdirSync(folder).filter((f) => f.startsWith(`${process.pid}-`) && f.endsWith(".json"));
  expect(own).toHaveLength(1);
  return (JSON.parse(readFileSync(join(folder, own[0] as string), "utf8")) as LaunchFile).servers;
}
