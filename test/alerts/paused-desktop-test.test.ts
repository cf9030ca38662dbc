/**
 * `alerts.test` on the desktop channel while desktop notifications are paused is refused by the API
 * itself, so every front that calls it (the app's window, a browser tab, the CLI) gets the same refusal:
 * a paused desktop answers "not shown", which would count as delivered with nothing on screen.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHttpServer } from "../../electron/monitor/api/http-server.js";
import { createEngine } from "../../electron/monitor/engine.js";
import type { Engine } from "../../electron/monitor/engine-types.js";
import { MonitoringError } from "../../electron/monitor/errors.js";
import type { Delivery, DesktopNotification } from "../../shared/alerts.js";
import { listedTime } from "../../shared/listed-time.js";
import { tempDir } from "../helpers/mcp.js";
import { writeAlerts } from "./alert-fixtures.js";
import { type Receiver, startReceiver } from "./channels-fixtures.js";

const token = "p".repeat(40);
let dir: Awaited<ReturnType<typeof tempDir>>;
let receiver: Receiver;
let engine: Engine;
let server: Awaited<ReturnType<typeof startHttpServer>>;
const shown: DesktopNotification[] = [];
let off: () => void = () => {};

beforeAll(async () => {
  dir = await tempDir();
  receiver = await startReceiver();
  const data = join(dir.path, "data");
  mkdirSync(data);
  writeAlerts(data, `channels:\n  - { name: ops, type: webhook, url: "${receiver.url}/hook" }\n`);
  engine = await createEngine({ dataDir: data, inventory: false, readPool: false, alerts: { tickMs: 20 } });
  // A tab that shows notifications: without the refusal, the test would be "delivered" and not shown.
  off = engine.subscribe("alerts.notify", (n) => shown.push(n as DesktopNotification));
  server = await startHttpServer({ engine, host: "127.0.0.1", port: 0, token, staticRoot: data });
});

afterAll(async () => {
  off();
  await server?.close();
  await engine?.close();
  await receiver?.close();
  await dir.cleanup();
});

async function overHttp(method: string, input: unknown): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${server.url}api/${method}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify(input),
  });
  return { status: res.status, body: await res.json() };
}

describe("alerts.test desktop while desktop notifications are paused", () => {
  it("is refused with until when, in process and over HTTP, sends and records nothing", async () => {
    expect(await engine.invoke("alerts.pause", { duration: "2h" })).toMatchObject({ ok: true });
    const { pausedUntil } = (await engine.invoke("alerts.channels", {})) as { pausedUntil: string };
    expect(pausedUntil).not.toBeNull();
    const message = `the test was not sent: desktop notifications are paused until ${listedTime(pausedUntil)}; resume them, then test again`;

    const refusal = await engine.invoke("alerts.test", { channel: "desktop" }).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(MonitoringError);
    expect(refusal).toMatchObject({ kind: "input", message, pausedUntil });
    expect(await overHttp("alerts.test", { channel: "desktop" })).toEqual({
      status: 400,
      body: { error: { kind: "input", message } },
    });
    expect(await engine.invoke("alerts.deliveries", {})).toEqual([]);

    // The pause holds back the desktop only: another channel's test still goes out.
    const ops = (await engine.invoke("alerts.test", { channel: "ops" })) as Delivery;
    expect(ops.status).toBe("delivered");
    expect(receiver.requests).toHaveLength(1);

    expect(await engine.invoke("alerts.pause", { duration: null })).toMatchObject({ ok: true });
    const desktop = (await engine.invoke("alerts.test", { channel: "desktop" })) as Delivery;
    expect(desktop.status).toBe("delivered");
    expect(shown.map((n) => n.title)).toEqual(["mcpscope test notification"]);
  });

  it("names an unknown channel as a refusal of the input, not an engine failure", async () => {
    const message = "no channel named pager; known: desktop, ops";
    await expect(engine.invoke("alerts.test", { channel: "pager" })).rejects.toMatchObject({
      kind: "input",
      message,
    });
    expect(await overHttp("alerts.test", { channel: "pager" })).toEqual({
      status: 400,
      body: { error: { kind: "input", message } },
    });
  });
});
