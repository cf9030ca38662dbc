/**
 * A browser tab is a place desktop notifications show only once it has asked for them (it has the
 * permission): a tab without it must not make its engine claim a notification and drop it, while the app,
 * on the same data dir, could have shown it.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { SeriesSignalSource } from "../../electron/monitor/alerts/series-source.js";
import { startHttpServer } from "../../electron/monitor/api/http-server.js";
import { createEngine } from "../../electron/monitor/engine.js";
import type { Engine } from "../../electron/monitor/engine-types.js";
import type { Db } from "../../electron/monitor/store/db.js";
import { createHttpTransport } from "../../renderer/src/api/http-transport.js";
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
const token = "t".repeat(40);

let dir: Awaited<ReturnType<typeof tempDir>>;
let clock: VirtualClock;
let closers: (() => unknown)[];

beforeEach(async () => {
  dir = await tempDir();
  writeAlerts(dir.path, rules);
  clock = new VirtualClock();
  closers = [];
});
afterEach(async () => {
  for (const close of closers.reverse()) await close();
  await dir.cleanup();
});

/** An engine driven by the test, its own connection to the data dir. */
function engine(hasDesktop: () => boolean): Harness {
  const db: Db = openStore(dir.path);
  const series = new SeriesSignalSource(
    [{ signal: "error_rate", labels: { server: "crasher" }, values: Array(60).fill(0.5) }],
    60_000,
    clock.t,
  );
  const h = harness(dir.path, db, clock, series, {}, { hasDesktop });
  closers.push(
    () => db.close(),
    () => h.manager.close(),
  );
  return h;
}

/** `mcpscope serve`'s whole engine and HTTP server, its alert ticker running. */
async function serve(): Promise<{ engine: Engine; url: string }> {
  const served = await createEngine({
    dataDir: dir.path,
    inventory: false,
    readPool: false,
    alerts: { now: clock.now, tickMs: 20 },
  });
  closers.push(() => served.close());
  const server = await startHttpServer({
    engine: served,
    host: "127.0.0.1",
    port: 0,
    token,
    staticRoot: dir.path,
  });
  closers.push(() => server.close());
  return { engine: served, url: `${server.url.replace("http", "ws")}api/events?token=${token}` };
}

/** A browser tab's events socket, keeping the events it received. */
async function tab(url: string): Promise<{ ws: WebSocket; events: string[]; settled(): Promise<void> }> {
  const ws = new WebSocket(url);
  const events: string[] = [];
  ws.on("message", (data) => events.push((JSON.parse(String(data)) as { event: string }).event));
  await new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
  });
  closers.push(() => ws.terminate());
  // A pong comes after every frame the server sent before it.
  const settled = () => new Promise<void>((resolve) => ws.once("pong", () => resolve()).ping());
  return { ws, events, settled };
}

/**
 * The app shows what is waiting, trying from the second check on, so the served engine's ticker (every
 * 20 ms) has had its turns with the tab connected: a tab counted as a place that shows would have taken it.
 */
async function appShows(app: Harness): Promise<void> {
  let checks = 0;
  await waitFor(async () => {
    if (checks++ > 0) await app.manager.deliverer.showDesktop(clock.t);
    return app.manager.deliveries({ channel: "desktop" })[0]?.status === "delivered";
  });
}

describe("a browser tab as a place desktop notifications show", () => {
  it("only a tab that asked for alerts.notify receives it; the one that did not is not counted", async () => {
    const queuer = engine(() => false);
    queuer.manager.evaluate(clock.t); // holds the lease, queues the notification, has nowhere to show it
    await queuer.manager.deliver(clock.t);
    const { url } = await serve();
    const silent = await tab(url);
    const asking = await tab(url);
    asking.ws.send(JSON.stringify({ subscribe: "alerts.notify" }));
    await waitFor(() => queuer.manager.deliveries({ channel: "desktop" })[0]?.status === "delivered");
    await waitFor(() => asking.events.includes("alerts.notify"));
    await silent.settled();
    expect(silent.events).not.toContain("alerts.notify");
  });

  it("a tab without permission leaves the notification to the app, which shows it", async () => {
    const queuer = engine(() => false);
    queuer.manager.evaluate(clock.t);
    await queuer.manager.deliver(clock.t);
    const { url } = await serve();
    const silent = await tab(url);
    const app = engine(() => true);
    await appShows(app);
    expect(app.desktop.map((n) => n.title)).toEqual(["crasher fails 50% of calls"]);
    await silent.settled();
    expect(silent.events).not.toContain("alerts.notify");
  });

  it("a tab that stops asking is no longer counted", async () => {
    const queuer = engine(() => false);
    queuer.manager.evaluate(clock.t);
    await queuer.manager.deliver(clock.t);
    const { url } = await serve();
    const revoked = await tab(url);
    revoked.ws.send(JSON.stringify({ subscribe: "alerts.notify" }));
    revoked.ws.send(JSON.stringify({ unsubscribe: "alerts.notify" }));
    await revoked.settled();
    const app = engine(() => true);
    await appShows(app);
    expect(app.desktop).toHaveLength(1);
  });

  it("the page's transport asks for alerts.notify once a listener subscribes", async () => {
    const queuer = engine(() => false);
    queuer.manager.evaluate(clock.t);
    await queuer.manager.deliver(clock.t);
    const { url } = await serve();
    const origin = new URL(url.replace("ws", "http")).origin;
    const transport = createHttpTransport({ origin, token, minRetryMs: 10_000 });
    const shown: unknown[] = [];
    const off = transport.subscribe("alerts.notify", (payload) => shown.push(payload));
    closers.push(off);
    await waitFor(() => shown.length === 1);
    expect(queuer.manager.deliveries({ channel: "desktop" })[0]?.status).toBe("delivered");
  });
});
