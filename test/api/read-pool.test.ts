/**
 * The engine answers read-only methods from worker threads with their own connections: a read held open
 * in one worker does not hold a read in another, nor the methods the engine answers itself; errors keep
 * their kind; a read whose worker dies is answered in process and the worker replaced, until deaths in a
 * row make the pool answer in process; a read that hangs fails with a typed timeout and its worker is
 * replaced, and one waiting for a worker times out too; a check (no timeout) never runs in process and
 * leaves a worker to other reads; without a worker bundle, everything is answered in process.
 */
import { existsSync, rmSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { READ_TIMEOUTS, readHandlers } from "../../electron/monitor/api/read-handlers.js";
import { MAX_WORKER_DEATHS, ReadPool } from "../../electron/monitor/api/read-pool.js";
import { createEngine, type MetricsEngine } from "../../electron/monitor/engine.js";
import { MonitoringError } from "../../electron/monitor/errors.js";
import { MetricsCollector } from "../../electron/monitor/metrics/collector.js";
import { statsDocument } from "../../electron/monitor/metrics/stats-document.js";
import { databasePath } from "../../electron/monitor/paths.js";
import { openDb } from "../../electron/monitor/store/db.js";
import { bundleWorker } from "../helpers/worker-bundle.js";
import { mixedCalls, recordCalls } from "../metrics/workload.js";

let dir: string;
let bundle: URL;
let engine: MetricsEngine;
const NOW = Date.now();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "mcpscope-read-pool-"));
  bundle = await bundleWorker(new URL("./held-read-worker.ts", import.meta.url), dir);
  const data = join(dir, "data");
  engine = await createEngine({
    dataDir: data,
    inventory: false,
    alerts: false,
    readPool: { workerUrl: bundle, size: 2 },
  });
  // Folded before any read, and ended minutes ago: no fold by the engine can run between the held read
  // and the direct read it is compared with (a folded minute answers percentiles from its sketch).
  recordCalls(data, mixedCalls(500, NOW - 30 * 60_000, NOW - 3 * 60_000, 5));
  const db = openDb(databasePath(data));
  try {
    await new MetricsCollector(db).catchUp();
  } finally {
    db.close();
  }
});
afterAll(async () => {
  await engine?.close();
  await rm(dir, { recursive: true, force: true });
});

/** Resolves once `path` exists (checked on each turn of the event loop, not after a set time). */
async function until(path: string): Promise<void> {
  while (!existsSync(path)) await new Promise((resolve) => setImmediate(resolve));
}

describe("the read pool", () => {
  it("answers a read while another is held open in a worker, and the held one when released", async () => {
    const data = join(dir, "data");
    let settled = false;
    const held = engine.invoke("stats.get", { since: "1h" }).finally(() => {
      settled = true;
    });
    await until(join(data, "held"));

    const calls = (await engine.invoke("calls.list", { limit: 10 })) as { id: number }[];
    expect(calls).toHaveLength(10);
    const servers = (await engine.invoke("servers.list", {})) as { calls: number }[];
    expect(servers.reduce((n, s) => n + s.calls, 0)).toBe(500);
    // And what the engine answers on its own thread.
    expect(((await engine.invoke("system.info", {})) as { dataDir: string }).dataDir).toBe(data);
    expect(settled).toBe(false);

    writeFileSync(join(data, "release"), "");
    const stats = (await held) as ReturnType<typeof statsDocument>;
    const db = openDb(databasePath(data), { readOnly: true });
    try {
      const here = statsDocument(db, { since: Date.parse(stats.since), until: Date.parse(stats.until) });
      expect(stats).toEqual(here);
    } finally {
      db.close();
    }
    expect(stats.servers.reduce((n, s) => n + s.calls, 0)).toBe(500);
  });

  it("keeps an error's kind and message across the thread", async () => {
    const failure = await engine.invoke("metrics.series", { since: "7d", step: "1m" }).then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(MonitoringError);
    expect((failure as MonitoringError).kind).toBe("input");
    expect((failure as MonitoringError).message).toMatch(/use a larger step/);
  });

  it("answers a read whose worker died in process, and goes on with a new worker", async () => {
    expect(await engine.invoke("tools.pins", { server: "die" })).toEqual([]);
    expect(await engine.invoke("calls.list", { limit: 3 })).toHaveLength(3);
  });

  it("answers every read in process when there is no worker bundle", async () => {
    const data = join(dir, "plain");
    const plain = await createEngine({
      dataDir: data,
      inventory: false,
      alerts: false,
      readPool: { workerUrl: pathToFileURL(join(dir, "missing.mjs")) },
    });
    try {
      recordCalls(data, mixedCalls(20, NOW - 60_000, NOW - 1000, 6));
      expect(await plain.invoke("calls.list", { limit: 50 })).toHaveLength(20);
    } finally {
      await plain.close();
    }
  });
});

describe("the read pool's recovery", () => {
  /** A pool of real workers over the engine's database, counting what its in-thread fallback answered. */
  function pool(options: { size?: number; timeoutMs?: number; restartBackoffMs?: number } = {}) {
    const dbPath = databasePath(join(dir, "data"));
    const db = openDb(dbPath, { readOnly: true });
    const here = readHandlers(db) as Record<string, (input: unknown) => unknown>;
    const answered: string[] = [];
    const warnings: string[] = [];
    const reads = new ReadPool({
      dbPath,
      workerUrl: bundle,
      restartBackoffMs: 1,
      timeouts: READ_TIMEOUTS,
      ...options,
      fallback: (method, input) => {
        answered.push(method);
        return here[method]?.(input);
      },
      warn: (line) => warnings.push(line),
    });
    const close = async () => {
      await reads.close();
      db.close();
    };
    return { reads, answered, warnings, close };
  }

  it("fails a read that hangs with a typed, retryable timeout, replaces its worker and keeps serving", async () => {
    const { reads, answered, warnings, close } = pool({ size: 1 });
    try {
      const failure = await reads.invoke("sessions.timeline", { id: "hang" }, { timeoutMs: 200 }).then(
        () => null,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(MonitoringError);
      expect((failure as MonitoringError).kind).toBe("storage");
      expect((failure as MonitoringError).retryable).toBe(true);
      expect((failure as MonitoringError).message).toMatch(
        /^sessions\.timeline took longer than 200 ms and was stopped; ask for a shorter range/,
      );
      expect(warnings.join("\n")).toMatch(/worker replaced/);
      // The one slot is free again: a new worker answers, nothing fell back to this thread.
      expect(await reads.invoke("calls.list", { limit: 3 })).toHaveLength(3);
      expect(answered).toEqual([]);
      expect(reads.threaded).toBe(true);
      expect(reads.workers).toBe(1);
    } finally {
      await close();
    }
  });

  it("lets the engine's integrity check run past the timeout every other read has", async () => {
    const data = join(dir, "strict");
    const strict = await createEngine({
      dataDir: data,
      inventory: false,
      alerts: false,
      remoteProxies: false,
      readPool: { workerUrl: bundle, size: 2, timeoutMs: 1 },
    });
    try {
      const failure = await strict.invoke("sessions.timeline", { id: "hang" }).then(
        () => null,
        (error: unknown) => error,
      );
      expect((failure as MonitoringError).message).toMatch(
        /^sessions\.timeline took longer than 1 ms and was stopped/,
      );
      // The worker that replaces it boots for longer than 1 ms before the check even starts.
      expect(await strict.invoke("storage.check", { full: true })).toMatchObject({
        ok: true,
        problems: [],
      });
    } finally {
      await strict.close();
    }
  });

  it("replaces a worker that crashed, and gives up to this thread only after deaths in a row", async () => {
    const { reads, answered, warnings, close } = pool({ size: 1 });
    try {
      expect(await reads.invoke("tools.pins", { server: "die" })).toEqual([]);
      expect(answered).toEqual(["tools.pins"]);
      // A new worker answers after the backoff; its answer resets the count of deaths in a row.
      expect(await reads.invoke("calls.list", { limit: 2 })).toHaveLength(2);
      expect(answered).toEqual(["tools.pins"]);
      expect(reads.threaded).toBe(true);
      for (let i = 1; i < MAX_WORKER_DEATHS; i++) await reads.invoke("tools.pins", { server: "die" });
      expect(reads.threaded).toBe(true);
      await reads.invoke("tools.pins", { server: "die" });
      expect(reads.threaded).toBe(false);
      expect(warnings.at(-1)).toMatch(
        new RegExp(
          `read workers ended ${MAX_WORKER_DEATHS} times in a row .*answered on the engine's thread`,
        ),
      );
      expect(await reads.invoke("calls.list", { limit: 2 })).toHaveLength(2);
      expect(answered.at(-1)).toBe("calls.list");
    } finally {
      await close();
    }
  });

  it("never runs a method without a timeout in this thread: its worker's death is a retryable error", async () => {
    const data = join(dir, "data");
    const { reads, answered, close } = pool({ size: 2 });
    writeFileSync(join(data, "die-check"), "");
    try {
      const failure = await reads.invoke("storage.check", { full: false }).then(
        () => null,
        (error: unknown) => error,
      );
      expect((failure as MonitoringError).retryable).toBe(true);
      expect((failure as MonitoringError).message).toBe(
        "storage.check was stopped: its read worker ended; try again",
      );
      expect(answered).toEqual([]);
    } finally {
      rmSync(join(data, "die-check"), { force: true });
      await close();
    }
  });

  it("leaves a worker to other reads while a check runs, and refuses a check a pool of one would give to it", async () => {
    const data = join(dir, "data");
    const { reads, answered, close } = pool({ size: 2 });
    writeFileSync(join(data, "hold-check"), "");
    try {
      const first = reads.invoke("storage.check", { full: false });
      await until(join(data, "check-held"));
      const second = reads.invoke("storage.check", { full: false });
      // The second check waits for the first; the other worker answers reads meanwhile.
      expect(await reads.invoke("calls.list", { limit: 2 }, { timeoutMs: 20_000 })).toHaveLength(2);
      expect(reads.pending).toBe(2);
      writeFileSync(join(data, "release-check"), "");
      expect(await first).toMatchObject({ ok: true });
      expect(await second).toMatchObject({ ok: true });
      expect(answered).toEqual([]);
    } finally {
      for (const f of ["hold-check", "check-held", "release-check"]) rmSync(join(data, f), { force: true });
      await close();
    }
    const single = pool({ size: 1 });
    try {
      await expect(single.reads.invoke("storage.check", { full: false })).rejects.toThrow(
        /storage\.check runs beside other reads only: it needs a read pool of 2 or more workers/,
      );
    } finally {
      await single.close();
    }
  });

  it("times a request out from when it was queued, while it waits for a worker", async () => {
    const data = join(dir, "data");
    for (const f of ["held", "release"]) rmSync(join(data, f), { force: true });
    const { reads, answered, warnings, close } = pool({ size: 1 });
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    try {
      const held = reads.invoke("stats.get", { since: "1h" });
      await until(join(data, "held"));
      const waiting = reads.invoke("calls.list", { limit: 2 }, { timeoutMs: 500 }).then(
        () => null,
        (error: unknown) => error,
      );
      await vi.advanceTimersByTimeAsync(500);
      const failure = (await waiting) as MonitoringError;
      expect(failure.retryable).toBe(true);
      expect(failure.message).toMatch(/^calls\.list took longer than 500 ms and was stopped/);
      expect(warnings.at(-1)).toBe("calls.list waited longer than 500 ms for a read worker; it was dropped");
      writeFileSync(join(data, "release"), "");
      expect(await held).toMatchObject({ since: expect.any(String) });
      expect(answered).toEqual([]);
    } finally {
      vi.useRealTimers();
      await close();
    }
  });

  it("doubles the wait before replacing a worker for each death in a row; close() cancels a pending restart", async () => {
    const { reads, warnings, close } = pool({ size: 1, restartBackoffMs: 100 });
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    try {
      await reads.invoke("tools.pins", { server: "die" });
      expect(warnings.at(-1)).toBe("a read worker ended with code 3; a new one starts in 100 ms");
      // No worker until the backoff is over: this one waits, then its worker dies too.
      const again = reads.invoke("tools.pins", { server: "die" });
      expect(reads.workers).toBe(0);
      await vi.advanceTimersByTimeAsync(100);
      await again;
      expect(warnings.at(-1)).toBe("a read worker ended with code 3; a new one starts in 200 ms");
      const queued = reads.invoke("calls.list", { limit: 2 });
      await vi.advanceTimersByTimeAsync(199);
      expect(reads.workers).toBe(0);
      await reads.close();
      await expect(queued).rejects.toThrow(/the engine is closed/);
      await vi.advanceTimersByTimeAsync(10_000);
      expect(reads.workers).toBe(0);
    } finally {
      vi.useRealTimers();
      await close();
    }
  });
});
