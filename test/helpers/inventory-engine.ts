/**
 * A real engine over a fresh home folder and data dir, probing every 100 ms and evaluating alerts every
 * 100 ms, for tests of what the inventory and `server-down` say about servers. Started before the file's
 * first test, closed and removed after its last.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { createEngine, type MetricsEngine } from "../../electron/monitor/engine.js";
import { writeAlerts } from "../alerts/alert-fixtures.js";
import { tempDir } from "./mcp.js";

export interface InventoryEngine {
  readonly engine: MetricsEngine;
  /** The temporary folder holding `home` and `data`. */
  readonly root: string;
  /** The home folder whose client configs the engine discovers. */
  readonly home: string;
  readonly data: string;
}

export interface InventoryEngineOptions {
  prefix?: string;
  /** How often the engine samples CPU and memory (default 60 s: no sample during a test). */
  sampleIntervalMs?: number;
  /** Writes client configs under `home` before the engine's first discovery. */
  prepare?: (paths: { root: string; home: string; data: string }) => Promise<void>;
}

export function inventoryEngine(options: InventoryEngineOptions = {}): InventoryEngine {
  let dir: Awaited<ReturnType<typeof tempDir>> | undefined;
  let engine: MetricsEngine | undefined;
  let paths: { root: string; home: string; data: string } | undefined;
  beforeAll(async () => {
    dir = await tempDir(options.prefix);
    paths = { root: dir.path, home: join(dir.path, "home"), data: join(dir.path, "data") };
    await mkdir(paths.home, { recursive: true });
    await mkdir(paths.data, { recursive: true });
    await options.prepare?.(paths);
    writeAlerts(paths.data, "evaluation_interval: 100ms\n");
    engine = await createEngine({
      dataDir: paths.data,
      inventory: {
        home: paths.home,
        probeIntervalMs: 100,
        sampleIntervalMs: options.sampleIntervalMs ?? 60_000,
      },
      alerts: { tickMs: 100 },
    });
  }, 30_000);
  afterAll(async () => {
    await engine?.close();
    await dir?.cleanup();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("the engine starts before the file's first test, not at load");
    return value;
  };
  return {
    get engine() {
      return started(engine);
    },
    get root() {
      return started(paths).root;
    },
    get home() {
      return started(paths).home;
    },
    get data() {
      return started(paths).data;
    },
  };
}
