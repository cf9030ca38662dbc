/** Process-tree CPU and memory: /proc parsing, CPU deltas, and a real tree whose memory grows. */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { cpus } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { readStoreGauges } from "../../electron/monitor/export/store-gauges.js";
import { latestSamples, serverHistory } from "../../electron/monitor/inventory/inventory-queries.js";
import { auxiliaryVector, ProcReader } from "../../electron/monitor/resources/proc-reader.js";
import { type ProcessInfo, processTableReader } from "../../electron/monitor/resources/process-table.js";
import { CpuTracker, childrenIndex, treePids } from "../../electron/monitor/resources/process-tree.js";
import { parsePs } from "../../electron/monitor/resources/ps-reader.js";
import {
  OWN_SERVER_NAME,
  ownRoot,
  WRAPPERS_SERVER_NAME,
  wrapperRoots,
} from "../../electron/monitor/resources/roots.js";
import { DbSampleStore, type ResourceSample } from "../../electron/monitor/resources/sample-store.js";
import { ResourceSampler } from "../../electron/monitor/resources/sampler.js";
import { VirtualClock } from "../../electron/monitor/supervisor/clock.js";
import { ROOT } from "../helpers/mcp.js";
import { type TestStore, testStore } from "../supervisor/helpers.js";

const MiB = 1024 * 1024;
const linux = process.platform === "linux";

let store: TestStore | undefined;
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill("SIGTERM");
  store?.close();
  store = undefined;
});

const info = (pid: number, ppid: number, rssBytes: number, cpuSeconds: number | null): ProcessInfo => ({
  pid,
  ppid,
  rssBytes,
  cpuSeconds,
  cpuPct: null,
});

describe("reading processes", () => {
  it("parses /proc/<pid>/stat, even when the command name holds spaces and parentheses", () => {
    const reader = new ProcReader();
    const stat =
      "4242 (my (odd) server) S 4000 4242 4000 0 -1 4194560 1535 0 0 0 250 50 0 0 20 0 7 0 123456 987654321 2048 18446744073709551615";
    expect(reader.parse(stat)).toEqual({
      pid: 4242,
      ppid: 4000,
      rssBytes: 2048 * reader.pageSize,
      cpuSeconds: 300 / reader.ticksPerSecond,
      cpuPct: null,
    });
  });

  it.runIf(linux)("reads the clock ticks and page size getconf reports, without running getconf", () => {
    const getconf = (name: string) => Number(execFileSync("getconf", [name], { encoding: "utf8" }).trim());
    const reader = new ProcReader();
    expect({ ticks: reader.ticksPerSecond, page: reader.pageSize }).toEqual({
      ticks: getconf("CLK_TCK"),
      page: getconf("PAGESIZE"),
    });
    // Both from the auxiliary vector, not from getconf's fallback.
    const aux = auxiliaryVector("/proc/self/auxv");
    expect([aux.get(17), aux.get(6)]).toEqual([reader.ticksPerSecond, reader.pageSize]);
    expect(auxiliaryVector("/nonexistent/auxv").size).toBe(0);
  });

  it("parses ps output (macOS), with RSS in KiB and %cpu as reported", () => {
    expect(parsePs("  1     0  1024   0.0\n 77     1 20480  12.5\n\n")).toEqual(
      new Map([
        [1, { pid: 1, ppid: 0, rssBytes: 1024 * 1024, cpuSeconds: null, cpuPct: 0 }],
        [77, { pid: 77, ppid: 1, rssBytes: 20 * MiB, cpuSeconds: null, cpuPct: 12.5 }],
      ]),
    );
  });

  it("sums a tree, leaves other roots' trees out, and computes CPU % from time deltas", () => {
    const table = (at: number, cpu: [number, number, number, number]) => ({
      at,
      processes: new Map([
        [10, info(10, 1, 100, cpu[0])],
        [11, info(11, 10, 200, cpu[1])],
        [12, info(12, 11, 300, cpu[2])],
        [20, info(20, 10, 5000, cpu[3])],
      ]),
    });
    const first = table(0, [1, 1, 1, 9]);
    const index = childrenIndex(first.processes);
    expect(treePids(10, index).sort()).toEqual([10, 11, 12, 20]);
    expect(treePids(10, index, new Set([10, 20])).sort()).toEqual([10, 11, 12]);
    const tracker = new CpuTracker();
    const pids = [10, 11, 12];
    expect(tracker.usage("t", first, pids)).toEqual({ rssBytes: 600, cpuPct: null, processCount: 3 });
    // 2 s later the tree used 0.5 + 1.5 + 0 CPU seconds: 100 % of one core.
    expect(tracker.usage("t", table(2000, [1.5, 2.5, 1, 50]), pids)).toMatchObject({ cpuPct: 100 });
  });

  it("says clearly, without crashing, that a platform is not supported", async () => {
    const problems: string[] = [];
    const sampler = new ResourceSampler({
      store: { record: () => {} },
      roots: () => [ownRoot()],
      reader: processTableReader("win32"),
      onProblem: (m) => problems.push(m),
    });
    expect(await sampler.sampleOnce()).toEqual([]);
    expect(await sampler.sampleOnce()).toEqual([]);
    expect(problems).toEqual([
      "resource usage is not supported on this platform (win32) yet; servers still run and are probed",
    ]);
  });
});

describe.runIf(linux)("sampling a real process tree", () => {
  it("shows a growing server's memory rising, with its grandchild's memory in the total", async () => {
    const s = testStore();
    store = s;
    const child = spawn(process.execPath, [join(ROOT, "test", "resources", "fixtures", "grower.mjs")], {
      stdio: ["pipe", "pipe", "inherit"],
    });
    children.push(child);
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    await vi.waitFor(() => expect(output).toMatch(/ready \d+/), { timeout: 10_000 });
    const grandchild = Number(/ready (\d+)/.exec(output)?.[1]);

    const sampler = new ResourceSampler({
      store: new DbSampleStore(s.db),
      roots: () => [{ server: "grower", serverId: "manual:grower", pid: child.pid ?? 0 }, ownRoot()],
    });
    const samples: ResourceSample[] = [];
    // How long each sample took: its CPU figure is over the readings' own times, its stored time is
    // stamped once the reading is done, so the two intervals differ by at most the longer sample.
    let longestSampleMs = 0;
    const sample = async () => {
      const started = performance.now();
      const batch = await sampler.sampleOnce();
      longestSampleMs = Math.max(longestSampleMs, performance.now() - started);
      const mine = batch.find((b) => b.server === "grower");
      if (mine) samples.push(mine);
    };
    // Five steps of 16 MiB each, sampled after each; each step burns 200 ms of CPU time.
    await sample();
    let burnedMicros = 0;
    for (let step = 1; step <= 5; step++) {
      child.stdin?.write("grow\n");
      const done = await vi.waitFor(
        () => {
          const match = new RegExp(`grown ${step} cpu (\\d+)\n`).exec(output);
          expect(match).not.toBeNull();
          return match;
        },
        { timeout: 10_000 },
      );
      burnedMicros = Number(done?.[1]);
      await sample();
    }

    const rss = samples.map((x) => x.rssBytes);
    expect(rss).toHaveLength(6);
    for (let i = 1; i < rss.length; i++) expect(rss[i]! - rss[i - 1]!).toBeGreaterThan(12 * MiB);
    expect(samples.every((x) => x.processCount === 2)).toBe(true);
    expect(samples[0]?.cpuPct).toBeNull();
    // The CPU time the tree used between the last two samples (their % times the time between them) holds
    // at least what the last step measured burning itself. A percentage of wall time would depend on the
    // machine's load; CPU time does not. The slack covers /proc's 10 ms ticks at both ends, and the
    // percentage applied to the stored times rather than to the readings' (see longestSampleMs).
    const [before, after] = samples.slice(-2) as [ResourceSample, ResourceSample];
    const usedMs = ((after.cpuPct ?? 0) / 100) * (after.time - before.time);
    const skewMs = ((after.cpuPct ?? 0) / 100) * longestSampleMs;
    expect(burnedMicros).toBeGreaterThanOrEqual(200_000);
    expect(usedMs).toBeGreaterThan(burnedMicros / 1000 - 50 - skewMs);
    expect(usedMs).toBeLessThan((after.time - before.time) * cpus().length);

    // The tree's total is the server's memory plus its grandchild's (which holds 64 MiB).
    const table = await new ProcReader().read();
    const last = samples.at(-1)?.rssBytes ?? 0;
    const own = table.processes.get(child.pid ?? 0)?.rssBytes ?? 0;
    const held = table.processes.get(grandchild)?.rssBytes ?? 0;
    expect(held).toBeGreaterThan(64 * MiB);
    expect(last).toBeGreaterThan(own + 60 * MiB);
    expect(Math.abs(last - (own + held))).toBeLessThan(8 * MiB);
    // mcpscope's own tree does not count the server's.
    const mine = treePids(process.pid, childrenIndex(table.processes), new Set([child.pid ?? 0]));
    expect(mine).not.toContain(child.pid);
    expect(mine).not.toContain(grandchild);

    const rows = s.rows("SELECT * FROM resource_samples WHERE server = 'grower' ORDER BY id");
    expect(rows.map((r) => r.rss_bytes)).toEqual(rss);
    expect(rows[0]).toMatchObject({ server_id: "manual:grower", pid: child.pid, process_count: 2 });
    expect(s.rows("SELECT count(*) AS n FROM resource_samples WHERE server = 'mcpscope'")[0]?.n).toBe(6);
  });

  it("samples servers behind live wrappers, and skips sessions whose pids are stale", async () => {
    const s = testStore();
    store = s;
    const child = spawn(process.execPath, ["-e", "console.log('up'); setInterval(() => {}, 1000)"], {
      stdio: ["ignore", "pipe", "ignore"],
    });
    children.push(child);
    await new Promise((resolve) => child.stdout?.once("data", resolve));
    const insert = s.db.prepare(
      "INSERT INTO sessions (id, server, started_at, ended_at, pid, wrapper_pid) VALUES (?, ?, ?, ?, ?, ?)",
    );
    const now = Date.now();
    insert.run("live", "files", now, null, child.pid ?? 0, process.pid);
    insert.run("stale", "gone", now - 10, null, child.pid ?? 0, 1); // pid now belongs to someone else's child
    insert.run("ended", "old", now - 1000, now, 1, process.pid);
    const roots = wrapperRoots(s.db);
    expect(roots.map((r) => [r.server, r.own ?? false])).toEqual([
      ["files", false],
      [WRAPPERS_SERVER_NAME, true],
      ["gone", false],
      [WRAPPERS_SERVER_NAME, true],
    ]);
    const samples = await new ResourceSampler({
      store: new DbSampleStore(s.db),
      roots: () => roots,
    }).sampleOnce();
    expect(samples.map((x) => [x.server, x.pid])).toEqual([
      ["files", child.pid],
      [WRAPPERS_SERVER_NAME, process.pid],
    ]);
    expect(samples[0]?.rssBytes).toBeGreaterThan(10 * MiB);
  });
});

describe.runIf(linux)("a server several clients run at once", () => {
  /** A wrapper-like tree: `grower.mjs` (the wrapper) runs a child holding 64 MiB (the server). */
  async function wrapped(): Promise<{ wrapper: number; server: number }> {
    const child = spawn(process.execPath, [join(ROOT, "test", "resources", "fixtures", "grower.mjs")], {
      stdio: ["pipe", "pipe", "inherit"],
    });
    children.push(child);
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    await vi.waitFor(() => expect(output).toMatch(/ready \d+/), { timeout: 10_000 });
    return { wrapper: child.pid ?? 0, server: Number(/ready (\d+)/.exec(output)?.[1]) };
  }

  it("reports the sum of its live trees, and the engine apart from the wrappers", async () => {
    const s = testStore();
    store = s;
    const [a, b] = [await wrapped(), await wrapped()];
    const insert = s.db.prepare(
      "INSERT INTO sessions (id, server, started_at, ended_at, pid, wrapper_pid) VALUES (?, ?, ?, ?, ?, ?)",
    );
    insert.run("a", "delta", Date.now(), null, a.server, a.wrapper);
    insert.run("b", "delta", Date.now(), null, b.server, b.wrapper);
    const sampler = new ResourceSampler({
      store: new DbSampleStore(s.db),
      roots: () => [ownRoot(), ...wrapperRoots(s.db)],
    });
    const gauge = (list: { server: string; value: number }[] | null, server: string) =>
      list?.filter((g) => g.server === server).map((g) => g.value);
    for (let scrape = 0; scrape < 3; scrape++) {
      const batch = await sampler.sampleOnce();
      const table = await new ProcReader().read();
      const rss = (...pids: number[]) =>
        pids.reduce((sum, pid) => sum + (table.processes.get(pid)?.rssBytes ?? 0), 0);
      const gauges = readStoreGauges(s.db);
      const delta = gauge(gauges.rssBytes, "delta") ?? [];
      // Both servers hold 64 MiB: one tree alone would be half the figure.
      expect(delta).toHaveLength(1);
      expect(delta[0]).toBeGreaterThan(128 * MiB);
      expect(Math.abs((delta[0] ?? 0) - rss(a.server, b.server))).toBeLessThan(8 * MiB);
      expect(gauge(gauges.rssBytes, OWN_SERVER_NAME)).toEqual([
        batch.find((x) => x.server === OWN_SERVER_NAME)?.rssBytes,
      ]);
      const wrappers = gauge(gauges.rssBytes, WRAPPERS_SERVER_NAME) ?? [];
      expect(Math.abs((wrappers[0] ?? 0) - rss(a.wrapper, b.wrapper))).toBeLessThan(8 * MiB);
      expect(batch.find((x) => x.server === "delta")?.processCount).toBe(2);
    }
    // The server page draws one point per sample time, each the total.
    const points = serverHistory(s.db, null, "delta", 0).resources;
    expect(points).toHaveLength(3);
    for (const point of points) expect(point.rssBytes).toBeGreaterThan(128 * MiB);
  });
  it("sums a tree mcpscope started with a tree a client's wrapper runs, under the entry's id", async () => {
    const s = testStore();
    store = s;
    const [managed, client] = [await wrapped(), await wrapped()];
    s.db
      .prepare(
        "INSERT INTO sessions (id, server, started_at, ended_at, pid, wrapper_pid) VALUES (?, ?, ?, ?, ?, ?)",
      )
      .run("w", "delta", Date.now(), null, client.server, client.wrapper);
    const sampler = new ResourceSampler({
      store: new DbSampleStore(s.db),
      roots: () => [{ server: "delta", serverId: "entry-1", pid: managed.server }, ...wrapperRoots(s.db)],
    });
    const batch = await sampler.sampleOnce();
    const delta = batch.filter((x) => x.server === "delta");
    expect(delta.map((x) => [x.serverId, x.processCount])).toEqual([["entry-1", 2]]);
    // /metrics, the Overview's table and the server page all read the one total of both servers.
    const rss = readStoreGauges(s.db).rssBytes?.filter((g) => g.server === "delta") ?? [];
    expect(rss.map((g) => g.value)).toEqual([delta[0]?.rssBytes]);
    expect(rss[0]?.value).toBeGreaterThan(128 * MiB);
    expect(latestSamples(s.db, 0).get("id:entry-1")?.rssBytes).toBe(delta[0]?.rssBytes);
    expect(serverHistory(s.db, "entry-1", "delta", 0).resources.map((r) => r.rssBytes)).toEqual([
      delta[0]?.rssBytes,
    ]);
  });
});

describe("a server's CPU while another client starts it", () => {
  it("counts the new tree's CPU time from its start instead of blanking the total", async () => {
    const s = testStore();
    store = s;
    const insert = s.db.prepare(
      "INSERT INTO sessions (id, server, started_at, ended_at, pid, wrapper_pid) VALUES (?, ?, ?, ?, ?, ?)",
    );
    insert.run("a", "files", Date.now() - 60_000, null, 2001, 2000);
    let at = 0;
    const table = new Map<number, ProcessInfo>();
    const sampler = new ResourceSampler({
      store: new DbSampleStore(s.db),
      reader: { read: async () => ({ at, processes: new Map(table) }) },
      roots: () => wrapperRoots(s.db),
    });
    const figures: (number | null)[] = [];
    for (let i = 0; i < 4; i++) {
      at = i * 15_000;
      // Client A's server keeps one core busy; client B's starts at the third sample and uses half a core.
      table.set(2000, info(2000, 1, MiB, 0));
      table.set(2001, info(2001, 2000, MiB, i * 15));
      if (i === 2) insert.run("b", "files", Date.now(), null, 3001, 3000);
      if (i >= 2) {
        table.set(3000, info(3000, 1, MiB, 0));
        table.set(3001, info(3001, 3000, MiB, (i - 1) * 7.5));
      }
      const samples = await sampler.sampleOnce();
      figures.push(samples.find((x) => x.server === "files")?.cpuPct ?? null);
    }
    expect(figures).toEqual([null, 100, 150, 150]);
    // The server page keeps the first reading's unknown CPU as a gap, not as 0 %.
    const history = serverHistory(s.db, null, "files", 0).resources.map((r) => r.cpuPct);
    expect(history).toEqual([null, 100, 150, 150]);
  });
});

describe("the sampling interval", () => {
  it("samples every 15 s until stopped", async () => {
    const clock = new VirtualClock();
    const stored: ResourceSample[][] = [];
    const sampler = new ResourceSampler({
      clock,
      store: { record: (batch) => stored.push(batch) },
      roots: () => [{ server: "s", serverId: null, pid: 5 }],
      reader: {
        read: async () => ({ at: performance.now(), processes: new Map([[5, info(5, 1, 1000, 1)]]) }),
      },
    });
    sampler.start();
    await vi.waitFor(() => expect(stored).toHaveLength(1));
    for (let n = 2; n <= 4; n++) {
      clock.advance(14_999);
      await new Promise((r) => setTimeout(r, 5));
      expect(stored).toHaveLength(n - 1);
      clock.advance(1);
      await vi.waitFor(() => expect(stored).toHaveLength(n));
    }
    sampler.stop();
    clock.advance(60_000);
    await new Promise((r) => setTimeout(r, 5));
    expect(stored).toHaveLength(4);
    expect(stored[3]?.[0]).toMatchObject({ server: "s", rssBytes: 1000, processCount: 1 });
  });
});
