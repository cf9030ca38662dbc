/**
 * `alerts test` and what a failed delivery leaves behind: a test is one attempt, a failure exits 1 and is
 * not retried later; a URL with a password is refused by the file check; and whatever a channel's error
 * quotes is masked before it is stored or printed.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWebhookChannel } from "../../electron/monitor/alerts/channels/webhook.js";
import { createEngine } from "../../electron/monitor/engine.js";
import type { Delivery, DesktopNotification } from "../../shared/alerts.js";
import { listedTime } from "../../shared/listed-time.js";
import { cliInProcess } from "../helpers/cli-in-process.js";
import { tempDir } from "../helpers/mcp.js";
import { harness, openStore, VirtualClock, writeAlerts } from "./alert-fixtures.js";
import { closedPort, sampleNotification, startReceiver } from "./channels-fixtures.js";

/** An engine on `data` whose desktop channel a test notification can go through (no inventory, quick ticks). */
const desktopEngine = (data: string) =>
  createEngine({ dataDir: data, inventory: false, readPool: false, alerts: { tickMs: 20 } });

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(async () => {
  await dir.cleanup();
});

const PASSWORD = "PWSECRET-4417";

describe("alerts test", () => {
  it("against a refused address exits 1 with the reason, and leaves nothing to retry", async () => {
    const port = await closedPort();
    writeAlerts(
      dir.path,
      `channels:\n  - { name: down, type: webhook, url: "http://127.0.0.1:${port}/x" }\n`,
    );
    const result = await cliInProcess(["alerts", "test", "down", "--data-dir", dir.path]);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain(`down: failed: cannot reach 127.0.0.1:${port}: ECONNREFUSED\n`);
    const json = await cliInProcess(["alerts", "test", "down", "--json", "--data-dir", dir.path]);
    expect(json.status).toBe(1);
    const { delivery } = JSON.parse(json.stdout) as { delivery: Delivery };
    expect(delivery).toMatchObject({ status: "failed", nextAttemptAt: null });
    expect(delivery.attempts).toHaveLength(1);
    const db = openStore(dir.path);
    try {
      expect(db.prepare("SELECT count(*) AS n FROM alert_deliveries WHERE status = 'pending'").get()?.n).toBe(
        0,
      );
    } finally {
      db.close();
    }
  });
});

describe("a failed test notification", () => {
  it("is an alert.delivery_failed error event, as a delivery that failed for good is", async () => {
    const receiver = await startReceiver();
    receiver.respond((res) => {
      res.statusCode = 404;
      res.end("no such hook");
    });
    const data = join(dir.path, "failed-test");
    mkdirSync(data);
    writeAlerts(data, `channels:\n  - { name: ops, type: webhook, url: "${receiver.url}/hook" }\n`);
    try {
      const result = await cliInProcess(["alerts", "test", "ops", "--data-dir", data]);
      expect(result.status).toBe(1);
      const events = await cliInProcess(["events", "--type", "alert.*", "--json", "--data-dir", data]);
      expect(events.stdout).toContain("alert.delivery_failed");
      expect(events.stdout).toContain("test notification to ops failed: HTTP 404");
    } finally {
      await receiver.close();
    }
  });
});

describe("alerts test desktop", () => {
  it("is shown by the running engine's window or tab, and fails at once when no engine runs", async () => {
    const data = join(dir.path, "desktop");
    mkdirSync(data);
    writeAlerts(data, "rules: []\n");
    const alone = await cliInProcess(["alerts", "test", "desktop", "--data-dir", data]);
    expect(alone.status).toBe(1);
    expect(alone.stdout).toContain("no app window or browser is connected to show it");

    const engine = await desktopEngine(data);
    const shown: DesktopNotification[] = [];
    // A browser tab (or the app's window) showing notifications: a listener of alerts.notify.
    const off = engine.subscribe("alerts.notify", (n) => shown.push(n as DesktopNotification));
    try {
      const result = await cliInProcess(["alerts", "test", "desktop", "--json", "--data-dir", data]);
      expect(result.status).toBe(0);
      expect((JSON.parse(result.stdout) as { delivery: Delivery }).delivery.status).toBe("delivered");
      expect(shown.map((n) => n.title)).toEqual(["mcpscope test notification"]);
    } finally {
      off();
      await engine.close();
    }
  });
});

describe("alerts test desktop while desktop notifications are paused", () => {
  it("sends nothing, says until when and how to resume, and exits 1", async () => {
    const data = join(dir.path, "desktop-paused");
    mkdirSync(data);
    writeAlerts(data, "rules: []\n");
    const engine = await desktopEngine(data);
    // A tab that would show it: the old answer was "delivered" with nothing shown.
    const shown: DesktopNotification[] = [];
    const off = engine.subscribe("alerts.notify", (n) => shown.push(n as DesktopNotification));
    try {
      expect((await cliInProcess(["alerts", "pause", "--for", "2h", "--data-dir", data])).status).toBe(0);
      const { pausedUntil } = (await engine.invoke("alerts.channels", {})) as { pausedUntil: string };
      const until = listedTime(pausedUntil);

      const text = await cliInProcess(["alerts", "test", "desktop", "--data-dir", data]);
      expect(text.status).toBe(1);
      expect(text.stdout).toBe("");
      expect(text.stderr).toBe(
        `mcpscope alerts: the test was not sent: desktop notifications are paused until ${until}; \`mcpscope alerts resume\` lets them through, then test again\n`,
      );
      const json = await cliInProcess(["alerts", "test", "desktop", "--json", "--data-dir", data]);
      expect(json.status).toBe(1);
      expect(JSON.parse(json.stdout)).toEqual({
        delivery: null,
        pausedUntil,
        message: `the test was not sent: desktop notifications are paused until ${until}; \`mcpscope alerts resume\` lets them through, then test again`,
      });
      // Nothing queued that a later resume would show, and nothing logged as delivered.
      expect(await engine.invoke("alerts.deliveries", {})).toEqual([]);

      expect((await cliInProcess(["alerts", "resume", "--data-dir", data])).status).toBe(0);
      const sent = await cliInProcess(["alerts", "test", "desktop", "--json", "--data-dir", data]);
      expect(sent.status).toBe(0);
      expect(shown.map((n) => n.title)).toEqual(["mcpscope test notification"]);
    } finally {
      off();
      await engine.close();
    }
  });
});

describe("alerts test against an endpoint that answers with terminal escapes", () => {
  it("prints the endpoint's words with every control character shown as \\xNN", async () => {
    const server = createServer((_req, res) => {
      res.writeHead(500, { "content-type": "text/plain" });
      res.end("nope \u001b]0;pwned\u0007\u001b[2J\nline two");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const data = join(dir.path, "escapes");
    mkdirSync(data);
    writeAlerts(data, `channels:\n  - { name: hostile, type: webhook, url: "http://127.0.0.1:${port}/x" }\n`);
    try {
      const result = await cliInProcess(["alerts", "test", "hostile", "--data-dir", data]);
      expect(result.status).toBe(1);
      expect(result.stdout).toContain("nope \\x1b]0;pwned\\x07\\x1b[2J");
      const control = [...result.stdout].filter((c) => {
        const code = c.charCodeAt(0);
        return (code < 0x20 && c !== "\n") || (code >= 0x7f && code <= 0x9f);
      });
      expect(control).toEqual([]);
    } finally {
      server.close();
    }
  });
});

describe("credentials in a channel URL", () => {
  it("the file check refuses them in one line that says where credentials go, without the password", async () => {
    const file = join(dir.path, "creds.yaml");
    writeFileSync(
      file,
      `channels:\n  - { name: userinfo, type: webhook, url: "http://alice:${PASSWORD}@127.0.0.1:18999/x" }\n`,
    );
    const result = await cliInProcess(["rules", "check", file]);
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toMatch(/creds\.yaml:2: channels\[0\]\.url: .*headers: \{ Authorization/);
    expect(result.stderr + result.stdout).not.toContain(PASSWORD);
  });

  it("a channel given such a URL anyway fails for good, naming the host only", async () => {
    const channel = createWebhookChannel({
      name: "hook",
      type: "webhook",
      url: `http://alice:${PASSWORD}@127.0.0.1:18999/x`,
      timeout: 1000,
    });
    const outcome = await channel.send(sampleNotification(), new AbortController().signal);
    expect(outcome).toMatchObject({ ok: false, permanent: true });
    expect(JSON.stringify(outcome)).not.toContain(PASSWORD);
  });

  it("an error quoting a URL's password is masked in the delivery log and the database", async () => {
    const data = join(dir.path, "masked");
    mkdirSync(data);
    writeAlerts(data, `channels:\n  - { name: leaky, type: webhook, url: "http://127.0.0.1:9/x" }\n`);
    const db = openStore(data);
    const clock = new VirtualClock();
    const leaky = {
      name: "leaky",
      type: "webhook",
      send: async () => ({
        ok: false as const,
        permanent: true,
        status: null,
        error: `cannot reach 127.0.0.1:9: bad URL http://alice:${PASSWORD}@127.0.0.1:9/x`,
      }),
    };
    const h = harness(data, db, clock, { sample: () => [] }, { leaky });
    try {
      const delivery = await h.manager.test("leaky");
      expect(delivery.status).toBe("failed");
      expect(delivery.lastError).toContain("cannot reach 127.0.0.1:9");
      expect(JSON.stringify(delivery)).not.toContain(PASSWORD);
      db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
      expect(readFileSync(join(data, "mcpscope.db")).includes(PASSWORD)).toBe(false);
    } finally {
      h.manager.close();
      db.close();
    }
  });
});
