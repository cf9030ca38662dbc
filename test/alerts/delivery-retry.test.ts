/**
 * Delivery that loses nothing, against a real local HTTP receiver through the real webhook channel: a
 * receiver that fails twice gets the alert on the third try after growing delays, every attempt
 * recorded; one that is down while the engine restarts gets it once it is back; a permanent 4xx stops
 * and becomes an error event.
 */
import { createServer } from "node:http";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { backoffMs } from "../../electron/monitor/alerts/outbox.js";
import { SeriesSignalSource } from "../../electron/monitor/alerts/series-source.js";
import type { Db } from "../../electron/monitor/store/db.js";
import { tempDir, waitFor } from "../helpers/mcp.js";
import { harness, openStore, VirtualClock, writeAlerts } from "./alert-fixtures.js";
import { closedPort, startReceiver } from "./channels-fixtures.js";

const rules = (url: string) => `
evaluation_interval: 1m
rules:
  - { name: errors, kind: metric, signal: error_rate, by: [server], threshold: 20%, severity: critical }
  - { name: tool-error-rate, enabled: false }
channels:
  - { name: hook, type: webhook, url: "${url}", secret: s3cret }
routes:
  - { channels: [hook], group_by: [alertname], group_wait: 0s }
delivery:
  initial_backoff: 150ms
  max_backoff: 10s
`;

let dir: Awaited<ReturnType<typeof tempDir>>;
let db: Db;
beforeEach(async () => {
  dir = await tempDir();
  db = openStore(dir.path);
});
afterEach(async () => {
  db.close();
  await dir.cleanup();
});

const firingSeries = () =>
  new SeriesSignalSource(
    [{ signal: "error_rate", labels: { server: "memory" }, values: Array(10).fill(0.5) }],
    60_000,
    Date.now(),
  );

/** The real channels (no createChannel override) and the wall clock: the outbox retries in real time. */
function realHarness() {
  const clock = new VirtualClock(Date.now());
  clock.now = () => Date.now();
  return harness(dir.path, db, clock, firingSeries(), {}, { createChannel: undefined, tickMs: 25 });
}

describe("backoff", () => {
  it("doubles from the initial backoff up to the cap, with at most ±20% jitter", () => {
    const policy = { initialBackoffMs: 1000, maxBackoffMs: 60_000, giveUpAfterMs: 86_400_000 };
    const at = (attempts: number, r: number) => backoffMs(policy, attempts, () => r);
    expect([1, 2, 3, 4, 10].map((n) => at(n, 0.5))).toEqual([1000, 2000, 4000, 8000, 60_000]);
    expect([at(3, 0), at(3, 0.999999)]).toEqual([3200, 4800]);
  });
});

describe("delivery", () => {
  it("retries a failing receiver with growing delays until it takes the alert, recording every attempt", async () => {
    const rx = await startReceiver();
    try {
      let calls = 0;
      rx.respond((res) => {
        calls++;
        res.statusCode = calls <= 2 ? 503 : 200;
        res.end(calls <= 2 ? "busy" : "ok");
      });
      writeAlerts(dir.path, rules(`${rx.url}/hook`));
      const h = realHarness();
      h.manager.start();
      await waitFor(() => h.manager.deliveries({ channel: "hook" })[0]?.status === "delivered");
      h.manager.close();
      const [delivery] = h.manager.deliveries({ channel: "hook" });
      expect(delivery?.attempts.map((a) => [a.ok, a.status])).toEqual([
        [false, 503],
        [false, 503],
        [true, 200],
      ]);
      const times = delivery?.attempts.map((a) => Date.parse(a.time)) ?? [];
      const [first = 0, second = 0, third = 0] = times;
      // Each wait is at least its backoff (150 ms, then 300 ms, less 20% jitter); load only adds to it.
      expect(second - first).toBeGreaterThanOrEqual(120);
      expect(third - second).toBeGreaterThanOrEqual(240);
      // The same notification each time, signed, with the outbox row as the idempotency key.
      const bodies = rx.requests.map((r) => JSON.parse(r.body) as { deliveryId: number; alerts: unknown[] });
      expect(new Set(bodies.map((b) => b.deliveryId)).size).toBe(1);
      expect(rx.requests[2]?.headers["x-mcpscope-signature"]).toMatch(/^sha256=[0-9a-f]{64}$/);
    } finally {
      await rx.close();
    }
  });

  it("a receiver that is down while the engine restarts still gets the alert, once", async () => {
    const port = await closedPort();
    writeAlerts(dir.path, rules(`http://127.0.0.1:${port}/hook`));
    const first = realHarness();
    first.manager.evaluate();
    await first.manager.deliver();
    const [pending] = first.manager.deliveries({ channel: "hook" });
    expect(pending?.status).toBe("pending");
    expect(pending?.attempts[0]?.error).toMatch(/127\.0\.0\.1/);
    first.manager.close();

    // The receiver comes back; a new engine (as after a restart) drains the outbox.
    const got: string[] = [];
    const server = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => {
        body += c.toString();
      });
      req.on("end", () => {
        got.push(body);
        res.end("ok");
      });
    });
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    try {
      const second = realHarness();
      second.manager.start();
      await waitFor(() => second.manager.deliveries({ channel: "hook" })[0]?.status === "delivered");
      await new Promise((resolve) => setTimeout(resolve, 300));
      second.manager.close();
      expect(got).toHaveLength(1);
      expect(JSON.parse(got[0] ?? "{}").status).toBe("firing");
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("a permanent failure (404) stops at once and becomes an error event", async () => {
    const rx = await startReceiver();
    try {
      rx.respond((res) => {
        res.statusCode = 404;
        res.end("no such hook");
      });
      writeAlerts(dir.path, rules(`${rx.url}/gone`));
      const h = realHarness();
      h.manager.evaluate();
      await h.manager.deliver();
      const [delivery] = h.manager.deliveries({ channel: "hook" });
      expect(delivery?.status).toBe("failed");
      expect(delivery?.attempts).toHaveLength(1);
      expect(delivery?.lastError).toMatch(/404/);
      expect(h.events.map((e) => e.type)).toContain("alert.delivery_failed");
    } finally {
      await rx.close();
    }
  });
});
