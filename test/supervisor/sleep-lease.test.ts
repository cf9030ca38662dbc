/**
 * The supervision lease across a machine sleep or a clock step: both engines on the data dir resume
 * together with the wall clock far past the lease's stored end, yet the holder was held up no more than
 * the other, so it keeps the lease and its servers; the other takes over only once it has itself, awake,
 * seen the lease go unrenewed for a whole lease (a holder held up alone: SIGSTOP, swapping), or at once
 * when the holder has ended. The evaluation lease of the alert rules follows the same rule. Two real
 * leases on one real store, on a virtual clock.
 */
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { takeLease } from "../../electron/monitor/alerts/evaluation-lease.js";
import { DATABASE_FILE } from "../../electron/monitor/paths.js";
import { type Db, openDb } from "../../electron/monitor/store/db.js";
import { LeaseWatch, selfHolder } from "../../electron/monitor/store/engine-leases.js";
import { SupervisionLease } from "../../electron/monitor/supervisor/supervision-lease.js";
import { tempDir } from "../helpers/mcp.js";

const INTERVAL = 5_000;
const LEASE = 30_000;

let dir: Awaited<ReturnType<typeof tempDir>>;
let db: Db;
const leases: SupervisionLease[] = [];

beforeEach(async () => {
  dir = await tempDir();
  db = openDb(join(dir.path, DATABASE_FILE));
});
afterEach(async () => {
  for (const lease of leases.splice(0)) lease.close();
  db.close();
  await dir.cleanup();
});

/** An engine's lease, checked by hand on the test's clock; what it was told is in `lost`. */
function engine() {
  const lost: number[] = [];
  const lease = new SupervisionLease({
    db,
    dataDir: dir.path,
    intervalMs: INTERVAL,
    leaseMs: LEASE,
    holding: () => {},
    lost: (holder) => lost.push(holder.pid),
  });
  leases.push(lease);
  return { lease, lost };
}

describe("the supervision lease across a sleep", () => {
  it("stays with its holder when the clock jumps past it for every engine at once", () => {
    const app = engine();
    const serve = engine();
    let now = 1_000_000;
    app.lease.check(now);
    serve.lease.check(now);
    expect(app.lease.held).toBe(true);
    expect(serve.lease.held).toBe(false);

    // Two minutes asleep; `serve`'s check happens to run first on resume, then the app's.
    now += 120_000;
    serve.lease.check(now);
    app.lease.check(now + 10);
    expect(serve.lease.held).toBe(false);
    expect(app.lease.held).toBe(true);
    expect(app.lost).toEqual([]);

    // And on their intervals after: the holder renews, the other never takes it.
    for (let i = 1; i <= 10; i++) {
      serve.lease.check(now + i * INTERVAL);
      app.lease.check(now + i * INTERVAL + 10);
    }
    expect(app.lease.held).toBe(true);
    expect(app.lost).toEqual([]);
  });

  it("is taken from a live holder the other engine, awake, has seen unrenewed for a whole lease", () => {
    const app = engine();
    const serve = engine();
    let now = 1_000_000;
    app.lease.check(now);
    serve.lease.check(now);
    // The app is held up alone: `serve` checks on its interval, and the app renews nothing.
    for (let i = 0; i < LEASE / INTERVAL; i++) {
      expect(serve.lease.held).toBe(false);
      now += INTERVAL;
      serve.lease.check(now);
    }
    expect(serve.lease.held).toBe(true);
    // Running again, the app finds it lost the lease to `serve`.
    app.lease.check(now + 10);
    expect(app.lease.held).toBe(false);
    expect(app.lost).toEqual([process.pid]);
  });

  it("is taken at once from a holder that ended", () => {
    const app = engine();
    const serve = engine();
    const now = 1_000_000;
    app.lease.check(now);
    db.prepare("UPDATE engine_leases SET pid = ?, start_ticks = NULL, started_at = 0").run(2 ** 22 + 7);
    serve.lease.check(now + INTERVAL);
    expect(serve.lease.held).toBe(true);
  });
});

describe("the evaluation lease across a sleep", () => {
  it("stays with its evaluator when the clock jumps, and is taken from one held up alone", () => {
    const app = selfHolder("app");
    const serve = selfHolder("serve");
    const watch = new LeaseWatch(2 * INTERVAL);
    let now = 1_000_000;
    expect(takeLease(db, app, now, LEASE)).toBe(true);
    expect(takeLease(db, serve, now, LEASE, watch)).toBe(false);

    // Two minutes asleep, `serve` first on resume: the app keeps evaluating.
    now += 120_000;
    expect(takeLease(db, serve, now, LEASE, watch)).toBe(false);
    expect(takeLease(db, app, now + 10, LEASE)).toBe(true);

    // The app held up alone: `serve`, checking on its interval, takes over after a lease.
    now += 10;
    for (let i = 0; i < LEASE / INTERVAL; i++) {
      expect(takeLease(db, serve, now, LEASE, watch)).toBe(false);
      now += INTERVAL;
    }
    expect(takeLease(db, serve, now, LEASE, watch)).toBe(true);
  });
});
