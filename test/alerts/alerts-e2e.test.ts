/**
 * End to end: a real MCP server (server-everything) behind `mcpscope run`, driven by the real SDK client
 * to a 50% error rate, fires the rule in the engine; a real local HTTP receiver gets exactly one grouped
 * notification and then one resolved notification once the errors age out of the window; the desktop
 * side (the main process's notifications and tray, with a fake native notifier and tray) sees the
 * alert fire and resolve.
 */
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NotificationRequest, Notifier } from "../../electron/main/notifier.js";
import { TrayPresenter, type TrayState } from "../../electron/main/tray-state.js";
import { createEngine } from "../../electron/monitor/engine.js";
import type { Engine } from "../../electron/monitor/engine-types.js";
import { databasePath } from "../../electron/monitor/paths.js";
import { openDb } from "../../electron/monitor/store/db.js";
import { AlertNotifications } from "../../shared/alert-notifications.js";
import { API_EVENTS } from "../../shared/api.js";
import { connect, SERVERS, tempDir, waitFor } from "../helpers/mcp.js";
import { writeAlerts } from "./alert-fixtures.js";
import { type Receiver, startReceiver } from "./channels-fixtures.js";

class FakeNotifier implements Notifier {
  shown: NotificationRequest[] = [];
  supported() {
    return true;
  }
  show(request: NotificationRequest) {
    this.shown.push(request);
  }
}

class FakeTray implements TrayState {
  icons: string[] = [];
  tooltip = "";
  setIcon(kind: string) {
    if (this.icons.at(-1) !== kind) this.icons.push(kind);
  }
  setToolTip(text: string) {
    this.tooltip = text;
  }
  setMenu() {}
}

let dir: Awaited<ReturnType<typeof tempDir>>;
let rx: Receiver;
let engine: Engine;
let client: Client | null = null;
const notifier = new FakeNotifier();
const tray = new FakeTray();

beforeAll(async () => {
  dir = await tempDir();
  rx = await startReceiver();
  writeAlerts(
    dir.path,
    `evaluation_interval: 300ms
rules:
  - name: half-failing
    kind: metric
    signal: error_rate
    by: [server]
    window: 4s
    threshold: 40%
    min_calls: 4
    severity: critical
    summary: "{{server}} fails {{value}} of calls"
  - { name: tool-error-rate, enabled: false }
channels:
  - { name: hook, type: webhook, url: "${rx.url}/alerts" }
routes:
  - matchers: [alertname=half-failing]
    channels: [hook, desktop]
    group_by: [alertname, server]
    group_wait: 1s
    group_interval: 1s
`,
  );
  engine = await createEngine({
    dataDir: dir.path,
    pollIntervalMs: 50,
    inventory: false,
    alerts: { tickMs: 100 },
  });
  const notifications = new AlertNotifications({ notifier, open: () => {}, intervalMs: 0 });
  const presenter = new TrayPresenter(tray, {
    actions: {
      open() {},
      openAlert() {},
      openAlerts() {},
      silence() {},
      pause() {},
      resume() {},
      setStartAtLogin() {},
      exportLastWeek() {},
      restartEngine() {},
      quit() {},
    },
    startAtLogin: () => null,
  });
  engine.subscribe("alerts.notify", (payload) =>
    notifications.notify(API_EVENTS["alerts.notify"].parse(payload)),
  );
  engine.subscribe("alerts.changed", (payload) => {
    const snapshot = API_EVENTS["alerts.changed"].parse(payload);
    notifications.update(snapshot);
    presenter.update(snapshot);
  });
}, 30_000);

afterAll(async () => {
  await client?.close();
  await engine?.close();
  await rx?.close();
  await dir?.cleanup();
});

describe("alerts end to end", () => {
  it("a server at 50% errors fires once to the receiver and the desktop, then resolves once", async () => {
    client = await connect(SERVERS.everything(), { dataDir: dir.path, name: "everything" });
    for (let i = 0; i < 4; i++) {
      await client.callTool({ name: "echo", arguments: { message: `ok ${i}` } });
      await client.callTool({ name: "no-such-tool", arguments: {} });
    }
    await waitFor(() => rx.requests.length >= 1);
    const firing = JSON.parse(rx.requests[0]?.body ?? "{}");
    expect(firing).toMatchObject({
      status: "firing",
      severity: "critical",
      receiver: "hook",
      groupLabels: { alertname: "half-failing", server: "everything" },
    });
    expect(firing.alerts).toHaveLength(1);
    // Half the tool calls failed; the handshake's requests count too, so the rate is 4 of 8 or 9.
    expect(firing.alerts[0].summary).toMatch(/^everything fails (44|50)% of calls$/);
    expect(firing.alerts[0].value).toBeGreaterThan(0.4);
    expect(tray.icons).toContain("critical");
    expect(tray.tooltip).toMatch(/1 alert firing/);

    // No more traffic: the errors leave the 4 s window, the alert resolves, and that is said once.
    await waitFor(() => rx.requests.length >= 2);
    const resolved = JSON.parse(rx.requests[1]?.body ?? "{}");
    expect(resolved.status).toBe("resolved");
    expect(resolved.alerts[0]).toMatchObject({ status: "resolved", labels: { server: "everything" } });
    // Said once: with its resolution sent the group is forgotten and no delivery waits in the outbox, so
    // nothing is left that could notify again (no traffic: the alert cannot fire anew).
    await waitFor(() => {
      const db = openDb(databasePath(dir.path));
      try {
        const count = (sql: string) => Number(db.prepare(sql).get()?.n);
        return (
          count("SELECT count(*) AS n FROM alert_groups") === 0 &&
          count("SELECT count(*) AS n FROM alert_deliveries WHERE status = 'pending'") === 0
        );
      } finally {
        db.close();
      }
    });
    expect(rx.requests).toHaveLength(2);

    const shown = notifier.shown.filter((n) => /half-failing/.test(`${n.title} ${n.body}`));
    // Worded as the tray words them, not as the webhook's `[FIRING:1] half-failing server=everything`.
    expect(shown.map((n) => n.title)).toEqual([
      expect.stringMatching(/^everything fails \d+% of calls$/),
      expect.stringMatching(/^Resolved: everything fails \d+% of calls$/),
    ]);
    expect(shown[0]?.body).toBe("critical · half-failing · server=everything");
    expect(tray.icons.at(-1)).toBe("ok");
    // Every delivery recorded with its attempt.
    const log = (await engine.invoke("alerts.deliveries", {})) as {
      channel: string;
      status: string;
      kind: string;
    }[];
    expect(log.filter((d) => d.channel === "hook").map((d) => `${d.kind}:${d.status}`)).toEqual([
      "resolved:delivered",
      "firing:delivered",
    ]);
    const history = (await engine.invoke("alerts.history", {})) as { rule: string; to: string }[];
    expect(history.filter((h) => h.rule === "half-failing").map((h) => h.to)).toEqual([
      "resolved",
      "firing",
      "pending",
    ]);
  });
});
