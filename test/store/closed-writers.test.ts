/**
 * What the engine owns stops writing when it closes: `mcpscope serve` that says it stopped leaves the data
 * dir alone. A closed batch writer never opens the database again, and the resource sampler's stop waits
 * for the reading under way and stores nothing of it. On real database files.
 */
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { DbSampleStore } from "../../electron/monitor/resources/sample-store.js";
import { ResourceSampler } from "../../electron/monitor/resources/sampler.js";
import { BatchWriter } from "../../electron/monitor/store/batch-writer.js";
import { type Db, openDb } from "../../electron/monitor/store/db.js";
import { testDir } from "../helpers/mcp.js";
import { type TestStore, testStore } from "../supervisor/helpers.js";

let store: TestStore | undefined;
afterEach(() => {
  store?.close();
  store = undefined;
});

const logRow = (message: string) => (db: Db) =>
  db
    .prepare(
      "INSERT INTO logs (time, level, server, source, message) VALUES (?, 'info', 'files', 'stderr', ?)",
    )
    .run(Date.now(), message);

it("a closed batch writer drops and counts what comes after, and never opens the database again", async () => {
  const path = join(await testDir(), "mcpscope.db");
  const writer = new BatchWriter({ open: () => openDb(path) });
  writer.enqueueWrite(logRow("before close"));
  expect(writer.close()).toBe(true);
  for (const suffix of ["", "-wal", "-shm"]) rmSync(`${path}${suffix}`, { force: true });

  // A warning said while its owner was closing (a late reading, a probe ending) comes after.
  writer.enqueueWrite(logRow("after close"));
  expect(writer.flush()).toBe(false);
  expect(existsSync(path)).toBe(false);
  expect(writer.dropped).toBe(1);
});

it("the resource sampler's stop waits for the reading under way, which then stores nothing", async () => {
  store = testStore();
  let readStarted!: () => void;
  const started = new Promise<void>((resolve) => {
    readStarted = resolve;
  });
  let release!: () => void;
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  const sampler = new ResourceSampler({
    store: new DbSampleStore(store.db),
    roots: () => [{ server: "files", serverId: null, pid: process.pid }],
    reader: {
      read: async () => {
        readStarted();
        await held;
        const processes = new Map([
          [process.pid, { pid: process.pid, ppid: 1, rssBytes: 1, cpuSeconds: 1, cpuPct: null }],
        ]);
        return { at: performance.now(), processes };
      },
    },
  });
  sampler.start();
  await started;
  let stopped = false;
  const stopping = sampler.stop().then(() => {
    stopped = true;
  });
  await new Promise((resolve) => setImmediate(resolve));
  expect(stopped).toBe(false);
  release();
  await stopping;
  expect(store.db.prepare("SELECT count(*) AS n FROM resource_samples").get()?.n).toBe(0);
});
