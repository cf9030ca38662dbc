/**
 * Two engines on one data dir (the app and `mcpscope serve`): the one holding the evaluation lease queues
 * desktop notifications, and whichever engine has a window or browser connected shows them, exactly once.
 * Nobody connected: the delivery gives up honestly, as it does with one engine.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  CLAIM_HOLD_MS,
  claimDelivery,
  recordAttempt,
  waitingDesktopDeliveries,
} from "../../electron/monitor/alerts/outbox.js";
import { SeriesSignalSource } from "../../electron/monitor/alerts/series-source.js";
import { createEngine } from "../../electron/monitor/engine.js";
import type { Db } from "../../electron/monitor/store/db.js";
import type { DesktopNotification } from "../../shared/alerts.js";
import { API_EVENTS } from "../../shared/api.js";
import { tempDir, waitFor } from "../helpers/mcp.js";
import { type Harness, harness, openStore, VirtualClock, writeAlerts } from "./alert-fixtures.js";

const rules = `
evaluation_interval: 1m
rules:
  - { name: errors, kind: metric, signal: error_rate, by: [server], threshold: 20%, severity: critical }
  - { name: tool-error-rate, enabled: false }
default_route: { channels: [desktop], group_wait: 0s }
delivery: { initial_backoff: 1s, max_backoff: 1m }
`;

let dir: Awaited<ReturnType<typeof tempDir>>;
let dbs: Db[];
let engines: Harness[];
let clock: VirtualClock;

beforeEach(async () => {
  dir = await tempDir();
  writeAlerts(dir.path, rules);
  dbs = [];
  engines = [];
  clock = new VirtualClock();
});
afterEach(async () => {
  for (const e of engines) e.manager.close();
  for (const db of dbs) db.close();
  await dir.cleanup();
});

/** An engine of its own on the data dir: its own database connection, its own listeners. */
function engine(hasDesktop: () => boolean, wrap: (db: Db) => Db = (db) => db): Harness {
  const opened = openStore(dir.path);
  dbs.push(opened);
  const db = wrap(opened);
  const series = new SeriesSignalSource(
    [{ signal: "error_rate", labels: { server: "crasher" }, values: Array(60).fill(0.5) }],
    60_000,
    clock.t,
  );
  const h = harness(dir.path, db, clock, series, {}, { hasDesktop });
  engines.push(h);
  return h;
}

describe("desktop notifications with two engines on one data dir", () => {
  it("the app shows what the lease holder without a window queued, once, and the delivery is delivered", async () => {
    const serve = engine(() => false); // `mcpscope serve` with no browser tab open
    const app = engine(() => true); // the app, its window open
    serve.manager.evaluate(clock.t); // takes the lease, fires, queues the desktop notification
    app.manager.evaluate(clock.t); // follows the lease holder's states
    await serve.manager.deliver(clock.t);
    expect(serve.manager.deliveries({ channel: "desktop" })[0]).toMatchObject({
      status: "pending",
      lastError: "no app window or browser is connected to show it",
    });

    app.manager.tick(clock.t);
    await waitFor(() => app.manager.deliveries({ channel: "desktop" })[0]?.status === "delivered");
    for (let i = 0; i < 5; i++) {
      clock.advance(30_000);
      serve.manager.evaluate(clock.t);
      serve.manager.tick(clock.t);
      app.manager.tick(clock.t);
      await serve.manager.deliver(clock.t);
      await app.manager.deliverer.showDesktop(clock.t);
    }

    expect(serve.desktop).toEqual([]);
    expect(app.desktop.map((n) => [n.status, n.alertIds.length])).toEqual([["firing", 1]]);
    const [delivery] = app.manager.deliveries({ channel: "desktop" });
    expect(delivery?.status).toBe("delivered");
    expect(delivery?.attempts.map((a) => a.ok)).toEqual([false, true]);
  });

  it("the app's whole engine, subscribed to alerts.notify, shows what the lease holder queued", async () => {
    const serve = engine(() => false);
    serve.manager.evaluate(clock.t);
    await serve.manager.deliver(clock.t);
    const app = await createEngine({
      dataDir: dir.path,
      inventory: false,
      readPool: false,
      alerts: { now: clock.now, tickMs: 20 },
    });
    try {
      const shown: DesktopNotification[] = [];
      app.subscribe("alerts.notify", (payload) => shown.push(API_EVENTS["alerts.notify"].parse(payload)));
      await waitFor(() => serve.manager.deliveries({ channel: "desktop" })[0]?.status === "delivered");
      expect(shown.map((n) => n.title)).toEqual(["crasher fails 50% of calls"]);
      expect(serve.desktop).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it("when both engines can show it, exactly one does, even when both try at once", async () => {
    const serve = engine(() => true);
    const app = engine(() => true);
    serve.manager.evaluate(clock.t);
    app.manager.evaluate(clock.t);
    await Promise.all([serve.manager.deliver(clock.t), app.manager.deliverer.showDesktop(clock.t)]);
    await Promise.all([serve.manager.deliver(clock.t), app.manager.deliverer.showDesktop(clock.t)]);
    expect(serve.desktop.length + app.desktop.length).toBe(1);
    expect(serve.manager.deliveries({ channel: "desktop" }).map((d) => d.status)).toEqual(["delivered"]);
  });

  it("a claim its engine never finished (it stopped) runs out, and another engine shows the notification", async () => {
    const serve = engine(() => false);
    const app = engine(() => true);
    serve.manager.evaluate(clock.t);
    await serve.manager.deliver(clock.t); // its own try, with no window, is over
    const [queued] = serve.manager.deliveries({ channel: "desktop" });
    // An engine took it, then stopped before showing it.
    expect(claimDelivery(dbs[0] as Db, queued?.id ?? -1, clock.t)).not.toBeNull();
    await app.manager.deliverer.showDesktop(clock.t);
    expect(app.desktop).toEqual([]);
    clock.advance(CLAIM_HOLD_MS);
    await app.manager.deliverer.showDesktop(clock.t);
    expect(app.desktop).toHaveLength(1);
    expect(app.manager.deliveries({ channel: "desktop" })[0]?.status).toBe("delivered");
  });

  it("an engine without the lease or a window shows nothing, and nobody connected gives up as one engine does", async () => {
    const serve = engine(() => false);
    const other = engine(() => false);
    serve.manager.evaluate(clock.t);
    other.manager.evaluate(clock.t);
    for (let i = 0; i < 30; i++) {
      await serve.manager.deliver(clock.t);
      other.manager.tick(clock.t);
      await other.manager.deliverer.showDesktop(clock.t);
      clock.advance(60_000);
      serve.manager.evaluate(clock.t);
    }
    expect([...serve.desktop, ...other.desktop]).toEqual([]);
    const deliveries = serve.manager.deliveries({ channel: "desktop" });
    expect(deliveries.map((d) => [d.kind, d.status])).toEqual([["firing", "failed"]]);
    const [delivery] = deliveries;
    expect(delivery?.lastError).toMatch(/^gave up after \d+ attempts: no app window or browser is connected/);
  });

  it("counts an attempt another engine made between reading the delivery and claiming it", async () => {
    const serve = engine(() => false);
    serve.manager.evaluate(clock.t);
    await serve.manager.deliver(clock.t); // attempt 1: no window anywhere
    let interleaved = false;
    // The app reads the waiting delivery; before its claim, the other engine claims, tries and fails again.
    const app = engine(
      () => true,
      (db) =>
        new Proxy(db, {
          get(target, key, receiver) {
            if (key !== "prepare") return Reflect.get(target, key, receiver);
            return (sql: string) => {
              if (!interleaved && sql.includes("SET claimed_until")) {
                interleaved = true;
                const serveDb = dbs[0] as Db;
                const [due] = waitingDesktopDeliveries(serveDb, clock.t);
                if (!due) throw new Error("nothing waiting");
                const attempts = claimDelivery(serveDb, due.id, clock.t);
                recordAttempt(
                  serveDb,
                  { ...due, attempts: attempts ?? -1 },
                  {
                    ok: false,
                    permanent: false,
                    status: null,
                    error: "no app window or browser is connected",
                  },
                  clock.t,
                  0,
                  { initialBackoffMs: 1000, maxBackoffMs: 60_000, giveUpAfterMs: 600_000 },
                );
              }
              return target.prepare(sql);
            };
          },
        }),
    );
    await app.manager.deliverer.showDesktop(clock.t);
    expect(interleaved).toBe(true);
    expect(app.desktop).toHaveLength(1);
    const [delivery] = app.manager.deliveries({ channel: "desktop" });
    expect(delivery?.attempts.map((a) => a.ok)).toEqual([false, false, true]);
    const stored = (dbs[0] as Db)
      .prepare("SELECT attempts FROM alert_deliveries WHERE id = ?")
      .get(delivery?.id ?? -1);
    expect(stored?.attempts).toBe(3);
  });
});
