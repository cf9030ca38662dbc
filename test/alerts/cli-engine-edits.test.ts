/**
 * `mcpscope alerts acknowledge|unacknowledge|pause|resume` while an engine runs go through it: its live
 * states and the snapshot the window and tray follow change, and the engine's own next evaluations keep
 * what the CLI asked. With no engine they are stored, and the next engine starts from them. A real engine
 * on a real data dir, a real local webhook receiver, the CLI as the terminal runs it (in process).
 */

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { NO_ENGINE_STORED } from "../../electron/cli/commands/alert-engine-edits.js";
import { engineOlder } from "../../electron/monitor/alerts/edit-route.js";
import { askEngine, serveRequests } from "../../electron/monitor/alerts/engine-requests.js";
import { holdsLease, takeLease } from "../../electron/monitor/alerts/evaluation-lease.js";
import { createEngine } from "../../electron/monitor/engine.js";
import type { Engine } from "../../electron/monitor/engine-types.js";
import { insertEvent } from "../../electron/monitor/events/tracker.js";
import type { Db } from "../../electron/monitor/store/db.js";
import { selfHolder } from "../../electron/monitor/store/engine-leases.js";
import type { AlertInstance, AlertsSnapshot, DesktopNotification } from "../../shared/alerts.js";
import { API_EVENTS, type ApiClient, createApiClient } from "../../shared/api.js";
import { cliInProcess } from "../helpers/cli-in-process.js";
import { tempDir, waitFor } from "../helpers/mcp.js";
import { openStore, writeAlerts } from "./alert-fixtures.js";
import { type Receiver, startReceiver } from "./channels-fixtures.js";

let dir: Awaited<ReturnType<typeof tempDir>>;
let rx: Receiver;
let db: Db;
let engine: Engine | null;
let shown: DesktopNotification[];
let snapshots: AlertsSnapshot[];

beforeEach(async () => {
  dir = await tempDir();
  rx = await startReceiver();
  writeAlerts(
    dir.path,
    `evaluation_interval: 100ms
rules:
  - { name: probe, kind: event, type: probe.fired, window: 1h, severity: warning, summary: "probe on {{server}}" }
channels:
  - { name: hook, type: webhook, url: "${rx.url}/alerts" }
default_route: { channels: [hook, desktop], group_by: [alertname, server], group_wait: 0s, group_interval: 1s, repeat_interval: 1h }
`,
  );
  db = openStore(dir.path);
  engine = null;
  shown = [];
  snapshots = [];
});
afterEach(async () => {
  await engine?.close();
  db.close();
  await rx.close();
  await dir.cleanup();
});

/** The app's engine with its window open: it shows desktop notifications and pushes snapshots. */
async function startEngine(): Promise<ApiClient> {
  const started = await createEngine({
    dataDir: dir.path,
    inventory: false,
    readPool: false,
    alerts: { tickMs: 20 },
  });
  started.subscribe("alerts.notify", (p) => shown.push(API_EVENTS["alerts.notify"].parse(p)));
  started.subscribe("alerts.changed", (p) => snapshots.push(API_EVENTS["alerts.changed"].parse(p)));
  engine = started;
  return createApiClient(started);
}

function fire(server: string): void {
  insertEvent(db, { category: "system", type: "probe.fired", severity: "medium", message: "probe", server });
}

async function firing(e: ApiClient, server: string): Promise<AlertInstance> {
  return waitFor(async () =>
    (await e.call("alerts.list", {})).find((a) => a.labels.server === server && a.state === "firing"),
  );
}

const cli = (...args: string[]) => cliInProcess(["alerts", ...args, "--data-dir", dir.path]);

describe("alert edits from the terminal while an engine runs", () => {
  it("acknowledge goes through the engine, which keeps it over its next evaluations; unacknowledge takes it back", async () => {
    const e = await startEngine();
    fire("alpha");
    const alert = await firing(e, "alpha");
    expect(alert.acknowledged).toBe(false);

    const acked = await cli("ack", alert.id);
    // The engine's own answer, and the snapshot the window and tray follow, changed at once.
    expect((await e.call("alerts.list", {})).find((a) => a.id === alert.id)?.acknowledged).toBe(true);
    expect(snapshots.at(-1)?.alerts.find((a) => a.id === alert.id)?.acknowledged).toBe(true);

    expect(acked).toMatchObject({ status: 0, stderr: "" });
    expect(acked.stdout).toBe("acknowledged: no repeat notifications until it resolves\n");
    // A new value makes the engine write the alert's state again: the acknowledgement stays.
    fire("alpha");
    await waitFor(async () => (await e.call("alerts.list", {})).find((a) => a.id === alert.id)?.value === 2);
    expect((await e.call("alerts.list", {})).find((a) => a.id === alert.id)?.acknowledged).toBe(true);

    const json = await cli("unacknowledge", alert.id, "--json");
    expect(json.status).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, engine: true });
    expect((await e.call("alerts.list", {})).find((a) => a.id === alert.id)?.acknowledged).toBe(false);

    const unknown = await cli("ack", "0123456789abcdef");
    expect(unknown).toMatchObject({ status: 1, stdout: "" });
    expect(unknown.stderr).toBe("mcpscope alerts: no firing alert 0123456789abcdef\n");
  });

  it("pause holds back the desktop notification of an alert that fires, until resume; the webhook still gets it", async () => {
    const e = await startEngine();
    const paused = await cli("pause", "--for", "2h");
    expect(paused.status).toBe(0);
    expect(snapshots.at(-1)?.pausedUntil).not.toBeNull();
    expect(paused.stdout).toMatch(/^notifications paused until \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ\n$/);

    fire("beta");
    await firing(e, "beta");
    await waitFor(() => rx.requests.some((r) => r.body.includes('"server":"beta"')));
    const beta = await waitFor(async () =>
      (await e.call("alerts.deliveries", { channel: "desktop" })).find((d) => d.status === "delivered"),
    );
    expect(beta.attempts.map((a) => a.error)).toEqual(["not shown: notifications were paused"]);
    expect(shown).toEqual([]);

    const resumed = await cli("resume");
    expect(resumed).toMatchObject({ status: 0, stdout: "notifications resumed\n" });
    expect(snapshots.at(-1)?.pausedUntil).toBeNull();
    fire("gamma");
    await waitFor(() => shown.length > 0);
    expect(shown.map((n) => n.title)).toEqual(["probe on gamma"]);
  });

  it("goes to the engine holding the evaluation lease, also while an older engine runs beside it", async () => {
    await startEngine();
    await waitFor(() => db.prepare("SELECT 1 FROM alert_meta WHERE key = 'evaluator'").get());
    // An older `serve` on the data dir too, which says it evaluates but does not hold the lease.
    mkdirSync(join(dir.path, "engines"), { recursive: true });
    writeFileSync(
      join(dir.path, "engines", `${process.pid}-older.json`),
      JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString(), alerts: true }),
    );
    const paused = await cli("pause", "--for", "2h");
    expect(paused).toMatchObject({ status: 0, stderr: "" });
    expect(snapshots.at(-1)?.pausedUntil).not.toBeNull();
  });

  it("a bad --for is a usage error naming the flag, and nothing is asked of the engine", async () => {
    await startEngine();
    const result = await cli("pause", "--for", "soon");
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^mcpscope alerts: --for: /);
    expect(snapshots.at(-1)?.pausedUntil ?? null).toBeNull();
  });
});

describe("alert edits from the terminal with no engine running", () => {
  it("are stored, said so in one line, and the next engine starts from them", async () => {
    const first = await startEngine();
    fire("alpha");
    const alert = await firing(first, "alpha");
    await engine?.close();
    engine = null;

    const acked = await cli("acknowledge", alert.id);
    expect(acked).toMatchObject({ status: 0, stderr: "" });
    expect(acked.stdout).toBe(
      `acknowledged: no repeat notifications until it resolves (${NO_ENGINE_STORED})\n`,
    );
    expect(JSON.parse((await cli("pause", "--json")).stdout)).toMatchObject({ ok: true, engine: false });

    const next = await startEngine();
    expect((await next.call("alerts.list", {})).find((a) => a.id === alert.id)?.acknowledged).toBe(true);
    expect((await next.call("alerts.channels", {})).pausedUntil).not.toBeNull();
  });

  it("a request no engine applied in time is withdrawn: an engine that comes later does not apply it", async () => {
    const answer = await askEngine(
      db,
      { method: "alerts.pause", input: { duration: "1h" }, actor: "cli" },
      100,
    );
    expect(answer).toBeNull();
    const applied: string[] = [];
    const apply = (method: string) => {
      applied.push(method);
      return { ok: true, message: "" };
    };
    expect(serveRequests(db, apply, () => true)).toBe(0);
    expect(applied).toEqual([]);
  });

  it("a wall clock stepped back while the CLI waits does not stretch the wait", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      const asked = askEngine(db, { method: "alerts.pause", input: { duration: "1h" }, actor: "cli" }, 200);
      vi.setSystemTime(Date.now() - 3_600_000);
      const answer = await Promise.race([asked, sleep(5_000).then(() => "still waiting" as const)]);
      expect(answer).toBeNull();
    } finally {
      vi.useRealTimers();
    }
  });

  it("an engine whose evaluation lease another took since leaves the request to that one", async () => {
    // Engine A evaluated last; then (a stall, a clock step) engine B took the evaluation lease.
    takeLease(db, selfHolder("engine-a"), Date.now() - 60_000, 30_000);
    takeLease(db, selfHolder("engine-b"), Date.now(), 30_000);
    const applied: string[] = [];
    const by = (engine: string) => (method: string) => {
      applied.push(`${engine} ${method}`);
      return { ok: true, message: `${engine} applied it` };
    };
    const asked = askEngine(db, { method: "alerts.pause", input: { duration: "1h" }, actor: "cli" });
    await waitFor(() => db.prepare("SELECT 1 FROM alert_meta WHERE key LIKE 'request:%'").get());
    expect(serveRequests(db, by("engine-a"), () => holdsLease(db, "engine-a"))).toBe(0);
    expect(serveRequests(db, by("engine-b"), () => holdsLease(db, "engine-b"))).toBe(1);
    expect(await asked).toEqual({ ok: true, message: "engine-b applied it" });
    expect(applied).toEqual(["engine-b alerts.pause"]);
  });

  it("an engine from an older mcpscope, which reads no request, is named at once: restart it", async () => {
    // Its presence file, as engines wrote it before they applied requests: no `requests` marker.
    mkdirSync(join(dir.path, "engines"), { recursive: true });
    writeFileSync(
      join(dir.path, "engines", `${process.pid}-older.json`),
      JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString(), alerts: true }),
    );
    const refused = await cli("pause");
    expect(refused).toMatchObject({ status: 1, stdout: "" });
    expect(refused.stderr).toBe(`mcpscope alerts: ${engineOlder(process.pid)}\n`);
    expect(db.prepare("SELECT key FROM alert_meta WHERE key LIKE 'request:%'").all()).toEqual([]);
  });

  it("an engine that applies acknowledgements but not silences gets the silence stored, read on its tick", async () => {
    // Its presence file as engines of requests version 1 wrote it.
    mkdirSync(join(dir.path, "engines"), { recursive: true });
    writeFileSync(
      join(dir.path, "engines", `${process.pid}-v1.json`),
      JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString(), alerts: true, requests: 1 }),
    );
    const made = await cli("silence", "server=alpha", "--json");
    expect(made.status).toBe(0);
    expect(JSON.parse(made.stdout)).toMatchObject({
      engine: false,
      silence: { matchers: [{ value: "alpha" }] },
    });
    expect(db.prepare("SELECT key FROM alert_meta WHERE key LIKE 'request:%'").all()).toEqual([]);
    expect(db.prepare("SELECT count(*) AS n FROM alert_silences").get()?.n).toBe(1);
    // Acknowledgements are still asked of it, not refused as from an older mcpscope.
    const asked = cli("ack", "0123456789abcdef");
    await waitFor(() => db.prepare("SELECT 1 FROM alert_meta WHERE key LIKE 'request:%'").get());
    serveRequests(
      db,
      () => ({ ok: false, message: "no firing alert 0123456789abcdef" }),
      () => true,
    );
    expect((await asked).stderr).toBe("mcpscope alerts: no firing alert 0123456789abcdef\n");
  });
});
