/**
 * Which engines on the data dir count as from before the supervision lease (they run servers whatever
 * other engines do, so this engine runs none beside them): only those. An engine of the release before
 * the `supervision` marker knows the lease and shares the servers: its presence file says so by
 * `requests` when it evaluates alerts, and by the lease it holds when it does not. Real processes with
 * the presence files each release writes, a real lease on a real store.
 */
import type { ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DATABASE_FILE } from "../../electron/monitor/paths.js";
import { processStartTicks } from "../../electron/monitor/process-start.js";
import { type Db, openDb } from "../../electron/monitor/store/db.js";
import { SupervisionLease } from "../../electron/monitor/supervisor/supervision-lease.js";
import { tempDir } from "../helpers/mcp.js";
import { olderEngine } from "../helpers/two-engines.js";

const proc = existsSync("/proc/self/stat");

let dir: Awaited<ReturnType<typeof tempDir>>;
let db: Db;
const cleanups: Array<() => unknown> = [];

beforeEach(async () => {
  dir = await tempDir();
  db = openDb(join(dir.path, DATABASE_FILE));
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
  db.close();
  await dir.cleanup();
});

/** A live process with the presence file an engine writes, plus `fields`. */
const engineFile = (fields: Record<string, unknown>): Promise<ChildProcess> =>
  olderEngine(dir.path, cleanups, fields);

function lease(): SupervisionLease {
  const made = new SupervisionLease({ db, dataDir: dir.path, holding: () => {}, lost: () => {} });
  cleanups.push(() => made.close());
  return made;
}

describe.skipIf(!proc)("an engine counted as from before the supervision lease", () => {
  it("is one whose presence file has neither marker, and which holds no lease", async () => {
    const older = await engineFile({ alerts: true });
    const here = lease();
    here.check();
    expect(here.held).toBe(false);
    expect(here.holder?.pid).toBe(older.pid);
    expect(here.holderIsOlder).toBe(true);
  });

  it("is not one that evaluates alerts and writes `requests`: this engine keeps the lease", async () => {
    await engineFile({ alerts: true, requests: 1 });
    const here = lease();
    here.check();
    expect(here.held).toBe(true);
    expect(here.holderIsOlder).toBe(false);
  });

  it("is not one without alerts that holds the lease: it runs the servers, as the holder", async () => {
    const other = await engineFile({ alerts: false });
    db.prepare(
      "INSERT INTO engine_leases (name, owner, pid, start_ticks, started_at, until) VALUES ('supervision', 'x', ?, ?, 0, ?)",
    ).run(other.pid as number, processStartTicks(other.pid as number), Date.now() + 30_000);
    const here = lease();
    here.check();
    expect(here.held).toBe(false);
    expect(here.holder?.pid).toBe(other.pid);
    expect(here.holderIsOlder).toBe(false);
  });
});
