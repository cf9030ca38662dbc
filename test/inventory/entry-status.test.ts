/**
 * The one word the Servers view shows for a server mcpscope runs, and its resource figures: the process
 * speaks before a stale probe, a stopped server is not checked, and a gone process uses no memory.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { DiscoveredServer } from "../../electron/monitor/discovery/types.js";
import { readStoreGauges } from "../../electron/monitor/export/store-gauges.js";
import { DbHealthStore } from "../../electron/monitor/health/health-store.js";
import type { ServerHealth } from "../../electron/monitor/health/prober.js";
import { toEntry } from "../../electron/monitor/inventory/entry-status.js";
import { type LastCheck, latestChecks } from "../../electron/monitor/inventory/inventory-queries.js";
import { openDb } from "../../electron/monitor/store/db.js";
import type { ManagedState, ManagedStatus } from "../../electron/monitor/supervisor/managed-status.js";

const now = Date.now();
const server = {
  definition: {
    id: "manual:files",
    name: "files",
    client: "manual",
    transport: "stdio",
    args: [],
    env: {},
    headers: {},
  },
} as unknown as DiscoveredServer;
const upCheck: LastCheck = {
  time: now - 20_000,
  status: "up",
  state: "up",
  handshakeMs: 5,
  listMs: 2,
  toolsCount: 3,
  protocolVersion: "2025-11-25",
  error: null,
  stopped: false,
};
const probedUp = { status: "up", lastCheck: { ...upCheck, serverId: "manual:files", server: "files" } };
const managed = (state: ManagedState, restarts = 0, pid: number | null = null, startedAt = now - 60_000) =>
  ({ state, restarts, pid, startedAt, lastExit: null, lastError: null }) as unknown as ManagedStatus;
const sample = { time: now - 5_000, cpuPct: 1.5, rssBytes: 40_000_000 };

const entry = (parts: Partial<Parameters<typeof toEntry>[0]>) =>
  toEntry({
    server,
    managed: null,
    health: null,
    lastCheck: null,
    sample: null,
    traffic: null,
    proxy: null,
    now,
    sampleFreshMs: 45_000,
    ...parts,
  });

describe("the status of a server mcpscope runs", () => {
  it("is down while its process is dead, whatever the last probe said", () => {
    const health = probedUp as unknown as ServerHealth;
    expect(entry({ managed: managed("backoff", 2), health }).status).toBe("down");
    expect(entry({ managed: managed("starting", 2), health }).status).toBe("down");
    expect(entry({ managed: managed("crash_loop", 5), health }).status).toBe("down");
    expect(entry({ managed: managed("failed"), health }).status).toBe("down");
  });

  it("is unknown while started by hand, and up once running and probed up", () => {
    expect(entry({ managed: managed("starting"), health: probedUp as unknown as ServerHealth }).status).toBe(
      "unknown",
    );
    expect(
      entry({ managed: managed("running", 0, 42), health: probedUp as unknown as ServerHealth }).status,
    ).toBe("up");
  });

  it("is stopped and not checked after a stop, even once the engine restarted", () => {
    const mark: LastCheck = { ...upCheck, status: "down", state: "unknown", stopped: true };
    for (const m of [managed("stopped"), null]) {
      const e = entry({ managed: m, lastCheck: mark });
      expect(e.health).toEqual({
        status: "unknown",
        checkedAt: null,
        handshakeMs: null,
        listMs: null,
        toolsCount: null,
        protocolVersion: null,
        error: null,
      });
    }
    expect(entry({ managed: managed("stopped"), lastCheck: mark }).status).toBe("stopped");
  });

  it("shows resource figures only for a live process", () => {
    expect(entry({ managed: managed("running", 0, 42), sample }).resources.rssBytes).toBe(40_000_000);
    expect(entry({ managed: managed("backoff", 1), sample }).resources.rssBytes).toBeNull();
    expect(entry({ managed: managed("stopped"), sample }).resources.cpuPct).toBeNull();
    // Started again after a crash: the last sample is the dead process's until this run is sampled.
    const rerun = managed("running", 1, 43, now - 1_000);
    expect(entry({ managed: rerun, sample }).resources.rssBytes).toBeNull();
    expect(entry({ managed: rerun, sample: { ...sample, time: now - 500 } }).resources.rssBytes).toBe(
      40_000_000,
    );
    // Running, but not sampled lately (a tree that cannot be read): no stale figures.
    const stale = { ...sample, time: now - 60_000 };
    expect(
      entry({ managed: managed("running", 0, 42, now - 600_000), sample: stale }).resources.rssBytes,
    ).toBeNull();
    // Not run by mcpscope (sampled behind a wrapper): alive while it is still being sampled.
    expect(entry({ sample }).resources.rssBytes).toBe(40_000_000);
    expect(entry({ sample: { ...sample, time: now - 60_000 } }).resources).toEqual({
      cpuPct: null,
      rssBytes: null,
      sampledAt: null,
    });
  });
});

describe("the store after a stop", () => {
  const dir = mkdtempSync(join(tmpdir(), "mcpscope-status-"));
  const db = openDb(join(dir, "mcpscope.db"));
  afterAll(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("reads the stop mark as not checked, drops mcp_server_up, and exports no stale memory", () => {
    const store = new DbHealthStore(db);
    const { stopped: _, ...fields } = upCheck;
    const check = {
      ...fields,
      state: "up" as const,
      serverId: "manual:files",
      server: "files",
      era: "session",
      pingMs: 1,
    };
    store.record({ ...check, time: now - 30_000 });
    store.record({ ...check, serverId: "manual:other", server: "other", time: now - 30_000 });
    expect(readStoreGauges(db, now).up).toEqual([
      { server: "files", value: 1 },
      { server: "other", value: 1 },
    ]);
    store.stopped("manual:files", "files", now - 10_000);
    expect(latestChecks(db).get("manual:files")).toMatchObject({ stopped: true, state: "unknown" });
    expect(readStoreGauges(db, now).up).toEqual([{ server: "other", value: 1 }]);

    const insert = db.prepare(
      "INSERT INTO resource_samples (time, server_id, server, pid, cpu_pct, rss_bytes, process_count) VALUES (?, ?, ?, 1, 0, ?, 1)",
    );
    insert.run(now - 120_000, "manual:files", "files", 45_000_000);
    insert.run(now - 5_000, "manual:other", "other", 20_000_000);
    expect(readStoreGauges(db, now).rssBytes).toEqual([{ server: "other", value: 20_000_000 }]);
    // Sampled just before the stop: the process it measured is gone.
    insert.run(now - 12_000, "manual:files", "files", 45_000_000);
    expect(readStoreGauges(db, now).rssBytes).toEqual([{ server: "other", value: 20_000_000 }]);
    // Started again and sampled since: live again.
    insert.run(now - 1_000, "manual:files", "files", 46_000_000);
    expect(readStoreGauges(db, now).rssBytes).toEqual([
      { server: "files", value: 46_000_000 },
      { server: "other", value: 20_000_000 },
    ]);
  });
});
