/**
 * The Alerts view in real Chromium, in browser mode: `mcpscope serve` on a data dir whose alerts.yaml
 * evaluates every 250 ms a rule on the error rate of each tool, routed to the desktop channel with a
 * repeat every 500 ms (short, so that the repeats and their absence take little waiting). A real server (server-everything, through `mcpscope run`) fails most calls: the alert
 * must show as firing with the nav badge, arrive as a Web Notification, and keep notifying — until it is
 * silenced from the UI, after which it still fires but no delivery is made. The rule editor must show
 * the engine's one-line error for a bad rule and draw the preview of a good one. A channel's editor never
 * shows its secrets, keeps them when saved, and refuses them for a new host; a channel's failed test never
 * shows another channel's secret that an alias put in its arguments.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databasePath } from "../../electron/monitor/paths.js";
import { openDb } from "../../electron/monitor/store/db.js";
import type { Delivery, Silence } from "../../shared/alerts.js";
import { connect, SERVERS } from "../helpers/mcp.js";
import { uiFixture } from "../helpers/ui-fixture.js";
import { apiCall, HAS_CHROMIUM, openPage, type Serve, shoot, until, warnIfNoChromium } from "./browser.js";
import { FAKE_NOTIFICATIONS } from "./fake-notifications.js";

const REPEAT_MS = 500;
const ALERTS_YAML = `evaluation_interval: 250ms
rules:
  - name: echo-errors
    kind: metric
    signal: error_rate
    by: [server, tool]
    window: 1m
    op: ">"
    threshold: 0.4
    for: 0s
    severity: warning
    summary: "{{tool}} on {{server}} fails {{value}} of calls"
  # The built-in rule on the same signal would go pending too; keep the list to the rule under test.
  - name: tool-error-rate
    enabled: false
routes:
  - matchers: ["alertname=echo-errors"]
    channels: [desktop]
    group_by: [alertname, server, tool]
    group_wait: 0s
    group_interval: 250ms
    repeat_interval: ${REPEAT_MS}ms
`;

warnIfNoChromium("test/ui/alerts-view.test.ts");

describe.skipIf(!HAS_CHROMIUM)("Alerts view (browser mode, real Chromium)", () => {
  let dataDir: string;
  let serve: Serve;
  let client: Client | null = null;
  const ui = uiFixture();

  const api = <T>(method: string, input: unknown = {}) => apiCall<T>(serve, method, input);

  const desktopDeliveries = async () =>
    (await api<Delivery[]>("alerts.deliveries", { channel: "desktop", limit: 1000 })).filter(
      (d) => d.kind !== "test",
    );

  async function failEcho(times: number): Promise<void> {
    for (let i = 0; i < times; i++)
      await client?.callTool({ name: "echo", arguments: { wrong: true } }).catch(() => undefined);
  }

  beforeAll(async () => {
    dataDir = await ui.dir("mcpscope-ui-alerts-");
    await writeFile(join(dataDir, "alerts.yaml"), ALERTS_YAML);
    serve = await ui.serve(dataDir);
  }, 60_000);

  afterAll(async () => {
    await client?.close().catch(() => {});
  });

  // The tests share one page, which shows notifications (faked), as a user keeps one tab open; each starts
  // from the sidebar.
  let shared: ReturnType<typeof openPage> | undefined;
  const sharedPage = () => {
    shared ??= openPage(ui.browser, serve.url, FAKE_NOTIFICATIONS);
    return shared;
  };
  afterAll(async () => {
    await (await shared)?.page.close().catch(() => {});
  });

  it("shows a firing alert live, notifies until it is silenced from the UI, then stops", async () => {
    const { page, problems } = await sharedPage();
    await page.getByTestId("nav-alerts").click();
    await page.getByTestId("alerts-view").waitFor({ state: "visible", timeout: 10_000 });
    await until(
      "the live link",
      async () => (await page.getByTestId("connection-status").getAttribute("data-state")) === "connected",
      10_000,
    );
    // Nothing fires yet: the empty state says what would, and points to the rules.
    await page.getByTestId("alerts-empty").waitFor({ state: "visible", timeout: 10_000 });
    expect(await page.getByTestId("alerts-empty-rules").isVisible()).toBe(true);

    // Three failing calls and a good one: an error rate of 0.75 for echo on everything.
    client = await connect(SERVERS.everything(), { dataDir, name: "everything" });
    await failEcho(3);
    await client.callTool({ name: "echo", arguments: { message: "fine" } });

    // The wrapper stores calls in batches: the rule may first see three failures of three (100%). Its value
    // is 75% from the first evaluation after all four are stored; wait for them, then for that evaluation.
    await until(
      "the four echo calls stored",
      async () => (await api<unknown[]>("calls.list", { server: "everything", tool: "echo" })).length === 4,
      10_000,
    );
    const row = page.locator('[data-testid="alert-row"][data-rule="echo-errors"]');
    await row.waitFor({ state: "visible", timeout: 20_000 });
    await until("the alert firing", async () => (await row.getAttribute("data-state")) === "firing", 20_000);
    expect(await row.getByTestId("alert-summary").textContent()).toContain("echo on everything");
    // A screen reader hears it once, from a polite live region (it was not firing when the page opened).
    const announcer = page.getByTestId("alert-announcer");
    expect(await announcer.getAttribute("aria-live")).toBe("polite");
    await until(
      "the alert announced",
      async () => (await announcer.textContent())?.startsWith("Alert firing: echo-errors"),
      10_000,
    );
    await until(
      "the value over all four calls",
      async () => (await row.getByTestId("alert-value").textContent()) === "75%",
      5_000,
    );
    expect(await row.getAttribute("data-silenced")).toBe("false");
    expect(await page.getByTestId("alerts-nav-badge").textContent()).toBe("1");
    // The Overview says so too, and leads back here.
    await page.getByTestId("nav-overview").click();
    const card = page.getByTestId("card-alerts");
    await until(
      "the Overview's alerts card",
      async () => (await card.getByTestId("stat-value").textContent()) === "1 firing",
      10_000,
    );
    await card.getByRole("button").click();
    await row.waitFor({ state: "visible", timeout: 5000 });
    const alertId = (await row.getAttribute("data-alert-id")) ?? "";
    expect(alertId).not.toBe("");

    // It reached this browser as a Web Notification tagged with its delivery.
    const notified = await until(
      "a Web Notification",
      async () => {
        const shown = (await page.evaluate(
          "window.__notifications.map((n) => ({ title: n.title, tag: n.tag }))",
        )) as { title: string; tag: string }[];
        return shown.length ? shown : null;
      },
      15_000,
    );
    // Worded as the Alerts view and the tray word it: the alert's summary.
    expect(notified[0]?.title).toMatch(/^echo on everything/);
    const deliveryIds = (await desktopDeliveries()).map((d) => String(d.id));
    expect(deliveryIds).toContain(notified[0]?.tag);

    // Unsilenced, it is notified again at each repeat interval: the check below could fail.
    const before = (await desktopDeliveries()).length;
    await until("repeat notifications", async () => (await desktopDeliveries()).length >= before + 2, 15_000);
    await shoot(page, "alerts-firing");

    // Silence it from its row: the dialog proposes its rule and labels; one hour.
    await row.getByTestId("alert-silence").click();
    const dialog = page.getByTestId("silence-dialog");
    await dialog.waitFor({ state: "visible", timeout: 5000 });
    const matchers = await dialog
      .getByTestId("matcher-row")
      .evaluateAll((rows) =>
        rows.map((r) =>
          [...r.querySelectorAll("input, select")]
            .map((e) => (e as unknown as { value: string }).value)
            .join(""),
        ),
      );
    expect(matchers).toEqual(
      expect.arrayContaining(["alertname=echo-errors", "server=everything", "tool=echo"]),
    );
    await dialog.getByTestId("silence-duration-1h").check();
    await dialog.getByTestId("silence-comment").fill("known: the test fails echo on purpose");
    await shoot(page, "alerts-silence-dialog");
    await dialog.getByTestId("silence-submit").click();
    await dialog.waitFor({ state: "detached", timeout: 5000 });

    await until("the row silenced", async () => (await row.getAttribute("data-silenced")) === "true", 10_000);
    expect(await row.getByTestId("alert-silenced").isVisible()).toBe(true);
    // A silenced alert is not counted as firing in the nav.
    await page.getByTestId("alerts-nav-badge").waitFor({ state: "detached", timeout: 10_000 });
    // Nor in the view's own count, which names it apart.
    expect((await page.getByTestId("alerts-count").textContent())?.replace(/\s+/g, " ").trim()).toBe(
      "0 firing · 1 silenced · 0 pending",
    );
    const silences = await api<Silence[]>("alerts.silences", {});
    expect(silences).toHaveLength(1);
    expect(silences[0]?.active).toBe(true);
    expect(silences[0]?.comment).toBe("known: the test fails echo on purpose");
    expect(silences[0]?.matchers).toEqual(
      expect.arrayContaining([
        { name: "alertname", op: "=", value: "echo-errors" },
        { name: "server", op: "=", value: "everything" },
        { name: "tool", op: "=", value: "echo" },
      ]),
    );
    const hoursLeft = (Date.parse(silences[0]?.endsAt ?? "") - Date.now()) / 3_600_000;
    expect(hoursLeft).toBeGreaterThan(0.9);
    expect(hoursLeft).toBeLessThanOrEqual(1);

    // Silenced: more errors, evaluations that see them over two repeat intervals, and no delivery made
    // after the silence. One made before it may still land: it is told apart by its time, so
    // the test does not guess how long it takes.
    const silencedAt = Date.parse(silences[0]?.startsAt ?? "");
    await failEcho(3);
    // Once the new calls are stored, evaluations (every 250 ms) see them, and repeats would come every 500 ms.
    await until(
      "the new calls stored",
      async () => (await api<unknown[]>("calls.list", { server: "everything", tool: "echo" })).length === 7,
      10_000,
    );
    const storedAt = Date.now();
    await until(
      "two repeat intervals with the new calls",
      async () => Date.now() - storedAt > 2 * REPEAT_MS,
      10_000,
    );
    const deliveries = await desktopDeliveries();
    expect(deliveries.filter((d) => Date.parse(d.createdAt) > silencedAt)).toEqual([]);
    // Every Web Notification shown is one of those made before the silence.
    const madeAt = new Map(deliveries.map((d) => [String(d.id), Date.parse(d.createdAt)]));
    const tags = (await page.evaluate("window.__notifications.map((n) => n.tag)")) as string[];
    expect(tags.filter((tag) => !((madeAt.get(tag) ?? Infinity) <= silencedAt))).toEqual([]);
    // …while the alert itself still fires.
    expect(await row.getAttribute("data-state")).toBe("firing");
    await shoot(page, "alerts-silenced");

    // The Silences tab lists it, with Expire.
    await page.getByTestId("alerts-tab-silences").click();
    const silenceRow = page.getByTestId("silence-row");
    await silenceRow.first().waitFor({ state: "visible", timeout: 5000 });
    expect(await silenceRow.first().getAttribute("data-state")).toBe("active");
    expect(await silenceRow.first().getByTestId("silence-expire").isVisible()).toBe(true);

    // A click on the notification (elsewhere in the app) opens the alert.
    await page.getByTestId("nav-overview").click();
    await page.evaluate('window.__notifications[0].onclick(new Event("click"))');
    await page.locator(`[data-testid="alert-row"].focused[data-alert-id="${alertId}"]`).waitFor({
      state: "visible",
      timeout: 5000,
    });

    // So does the link the app's main process uses, #/alerts?alert=<id> (from another tab and view); the
    // alert's id then leaves the address, so that the same link works again.
    await page.getByTestId("alerts-tab-silences").click();
    await page.getByTestId("nav-logs").click();
    await page.evaluate(
      `window.location.hash = "/alerts?alert=" + encodeURIComponent(${JSON.stringify(alertId)})`,
    );
    await page.getByTestId("alerts-view").waitFor({ state: "visible", timeout: 5000 });
    await page.locator(`[data-testid="alert-row"].focused[data-alert-id="${alertId}"]`).waitFor({
      state: "visible",
      timeout: 5000,
    });
    expect(await page.evaluate("window.location.hash")).toBe("#/alerts");

    // Its history: pending → firing.
    await row.getByTestId("alert-history").click();
    const history = page.locator(`[data-testid="history-row"][data-alert-id="${alertId}"]`);
    await history.first().waitFor({ state: "visible", timeout: 5000 });
    expect(await history.evaluateAll((rows) => rows.map((r) => r.getAttribute("data-to")))).toContain(
      "firing",
    );
    // Its label chips stay inside their row, on one line (they overlapped the next row when they wrapped).
    const rowBox = await history.first().boundingBox();
    const chips = history.first().locator(".label-chip");
    expect(await chips.count()).toBeGreaterThanOrEqual(2);
    for (const chip of await chips.all()) {
      const text = (await chip.textContent()) ?? "";
      const box = await chip.boundingBox();
      if (!rowBox || !box) throw new Error("a history row or chip is not laid out");
      expect(box.y, text).toBeGreaterThanOrEqual(rowBox.y);
      expect(box.y + box.height, text).toBeLessThanOrEqual(rowBox.y + rowBox.height);
      expect(box.x + box.width).toBeLessThanOrEqual(rowBox.x + rowBox.width);
    }

    // The delivery log shows the desktop notifications with their attempts.
    await page.getByTestId("alerts-tab-deliveries").click();
    const delivery = page.locator('[data-testid="delivery-row"][data-channel="desktop"]').first();
    await delivery.waitFor({ state: "visible", timeout: 5000 });
    await delivery.locator("button").first().click();
    await delivery.getByTestId("delivery-attempt").first().waitFor({ state: "visible", timeout: 5000 });
    await shoot(page, "alerts-deliveries");

    // Send test through the desktop channel: delivered to this browser.
    await page.getByTestId("alerts-tab-channels").click();
    const channel = page.locator('[data-testid="channel-row"][data-channel="desktop"]');
    await channel.getByTestId("channel-test").click();
    await until(
      "the test delivered",
      async () =>
        (await channel
          .getByTestId("channel-test-result")
          .locator("[data-status]")
          .getAttribute("data-status")) === "delivered",
      10_000,
    );
    await shoot(page, "alerts-channels");
    // A fresh page knows the last test too (the engine keeps it, as for `mcpscope alerts test`).
    await page.reload();
    await page.getByTestId("nav-alerts").click();
    await page.getByTestId("alerts-tab-channels").click();
    await until(
      "the last test after a reload",
      async () =>
        (await channel.getByTestId("channel-test-result").locator("[data-status]").count()) === 1 &&
        (await channel.getByTestId("channel-test-result").textContent())?.includes("delivered"),
      10_000,
    );

    expect(problems).toEqual([]);
  }, 150_000);

  it("shows the engine's error for a bad rule inline, and previews a good one over 24 h", async () => {
    const { page, problems } = await sharedPage();
    await page.getByTestId("nav-alerts").click();
    await page.getByTestId("alerts-tab-rules").click();
    const ruleRow = page.locator('[data-testid="rule-row"][data-rule="echo-errors"]');
    await ruleRow.waitFor({ timeout: 10_000 });
    expect((await ruleRow.getByTestId("rule-condition").textContent())?.trim()).toBe(
      "error_rate > 40% over 1 min by server, tool",
    );

    await page.getByTestId("rule-kind").selectOption("metric");
    await page.getByTestId("rule-new").click();
    const editor = page.getByTestId("rule-editor");
    await editor.fill(
      'name: bad-threshold\nkind: metric\nsignal: error_rate\nwindow: 1m\nthreshold: "abc"\nseverity: warning\n',
    );
    await page.getByTestId("rule-save").click();
    const error = page.getByTestId("rule-error");
    await error.waitFor({ state: "visible", timeout: 10_000 });
    const text = (await error.textContent())?.trim() ?? "";
    expect(text).toContain("threshold");
    expect(text).toContain("abc");
    expect(text.split("\n")).toHaveLength(1);
    // The preview says the same, inline; nothing was written.
    await page.getByTestId("rule-preview-error").waitFor({ state: "visible", timeout: 5000 });
    expect(await page.locator('[data-testid="rule-row"][data-rule="bad-threshold"]').count()).toBe(0);

    // Fresh errors, so that the window holds some; then a good rule: its value per group is drawn.
    await failEcho(2);
    await editor.fill(
      "name: echo-errors-preview\nkind: metric\nsignal: error_rate\nby: [server, tool]\nwindow: 1m\nthreshold: 0.4\nfor: 0s\n",
    );
    await expect.poll(() => error.count(), { timeout: 5000 }).toBe(0);
    const preview = page.getByTestId("rule-preview");
    await until(
      "the preview drawn",
      async () =>
        (await preview.getAttribute("data-state")) === "ready" &&
        Number(await preview.getAttribute("data-series")) >= 1,
      15_000,
    );
    expect(await preview.locator("canvas").count()).toBeGreaterThan(0);
    expect(Number(await preview.getAttribute("data-firings"))).toBeGreaterThanOrEqual(1);
    await shoot(page, "alerts-rule-preview");

    // Saved, it is listed as the user's own rule.
    await page.getByTestId("rule-save").click();
    await page
      .locator('[data-testid="rule-row"][data-rule="echo-errors-preview"]')
      .waitFor({ state: "visible", timeout: 10_000 });

    // Fifteen bursts of errors, 10 minutes apart, each seen at one 5-minute step: a rule with a `for`
    // shorter than the step has each replayed at a finer step, more than the preview's cap allows.
    const db = openDb(databasePath(dataDir));
    try {
      const insert = db.prepare(
        `INSERT INTO calls (session_id, server, direction, request_id, method, target, started_at, duration_ms, outcome, bytes_in, bytes_out)
         VALUES ('bursts', 'bursty', 'c2s', ?, 'tools/call', 'flaky', ?, 3, 'server_error', 0, 0)`,
      );
      const minute = Math.floor(Date.now() / 60_000) * 60_000;
      for (let k = 1; k <= 15; k++)
        for (let i = 0; i < 3; i++) insert.run(`b${k}-${i}`, minute - k * 600_000 - 150_000 + i * 1000);
    } finally {
      db.close();
    }
    await editor.fill(
      "name: bursts\nkind: metric\nsignal: error_rate\nserver: bursty\nby: [server, tool]\nwindow: 5m\nthreshold: 10%\nmin_calls: 3\nfor: 10s\n",
    );
    await page.getByTestId("rule-preview-capped").waitFor({ state: "visible", timeout: 30_000 });
    // An error rate between two preview steps is not bounded by them: the preview says it is approximate.
    expect(await page.getByTestId("rule-preview-approximate").isVisible()).toBe(true);
    // The newest bursts were replayed (every 10 s, the rule's `for`) and fire; the older ones did not.
    const fired = Number(await preview.getAttribute("data-firings"));
    expect(fired).toBeGreaterThanOrEqual(5);
    expect(fired).toBeLessThan(15);

    expect(problems).toEqual([]);
  }, 90_000);

  it("shows a silence that cannot be applied as invalid, with its problem, and expires it", async () => {
    // Written behind the app's back, with an end no date can hold.
    const db = openDb(databasePath(dataDir));
    const brokenId = "broken-silence";
    try {
      db.prepare(
        "INSERT INTO alert_silences (id, matchers, starts_at, ends_at, created_by, comment, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
      ).run(
        brokenId,
        '[{"name":"server","op":"=","value":"x"}]',
        Date.now(),
        1e20,
        "someone",
        "",
        Date.now(),
      );
    } finally {
      db.close();
    }
    const { page, problems } = await sharedPage();
    await page.getByTestId("nav-alerts").click();
    await page.getByTestId("alerts-tab-silences").click();
    const row = page.locator(`[data-testid="silence-row"][data-silence-id="${brokenId}"]`);
    await row.waitFor({ state: "visible", timeout: 5000 });
    expect(await row.getAttribute("data-state")).toBe("invalid");
    expect(await row.getByTestId("silence-problem").textContent()).toContain("not a valid time");
    await row.getByTestId("silence-expire").click();
    await page.getByTestId("confirm-ok").click();
    await row.waitFor({ state: "detached", timeout: 5000 });
    const left = await api<Silence[]>("alerts.silences", {});
    expect(left.map((s) => s.id)).not.toContain(brokenId);
    expect(problems).toEqual([]);
  }, 30_000);
  it("edits a channel without showing its secrets, keeps them, and refuses them for another host", async () => {
    const token = "abcdefsecretquery123";
    const signing = "shared-secret-value-xyz";
    const bearer = "abcdefghijklmnop1234567890";
    const yaml = `name: hook\ntype: webhook\nurl: https://hooks.example.com/mcp?token=${token}\nsecret: ${signing}\nheaders: { Authorization: Bearer ${bearer} }\n`;
    expect((await api<{ ok: boolean }>("alerts.channels.put", { yaml })).ok).toBe(true);
    const file = () => readFile(join(dataDir, "alerts.yaml"), "utf8");
    const { page, problems } = await sharedPage();
    try {
      await page.getByTestId("nav-alerts").click();
      await page.getByTestId("alerts-tab-channels").click();
      const row = page.locator('[data-testid="channel-row"][data-channel="hook"]');
      await row.waitFor({ state: "visible", timeout: 10_000 });
      await row.getByTestId("channel-edit").click();
      const editor = page.getByTestId("channel-editor");
      const shown = await editor.inputValue();
      expect(shown).toContain("?token=[masked:named-secret…y123]");
      expect(shown).toContain("secret: ••••••");
      for (const secret of [token, signing, bearer]) {
        expect(shown).not.toContain(secret);
        expect(await page.content()).not.toContain(secret);
      }

      // Saved with one change: every secret stays as stored.
      await editor.fill(`${shown}timeout: 20s\n`);
      await page.getByTestId("channel-save").click();
      await page.getByTestId("channel-dialog").waitFor({ state: "detached", timeout: 10_000 });
      const saved = await file();
      expect(saved).toContain("timeout: 20s");
      for (const secret of [token, signing, bearer]) expect(saved).toContain(secret);

      // Pointed at another host with the secrets left masked: refused inline, nothing written.
      await row.getByTestId("channel-edit").click();
      const again = await editor.inputValue();
      await editor.fill(again.replace(/url: .*/, "url: https://collector.attacker.example/x"));
      await page.getByTestId("channel-save").click();
      const error = page.getByTestId("channel-error");
      await error.waitFor({ state: "visible", timeout: 10_000 });
      expect((await error.textContent())?.trim()).toBe(
        "channel.secret: the destination changed; enter the secret again",
      );
      expect(await file()).toBe(saved);
      // Esc leaves the editor, and writes nothing.
      await page.keyboard.press("Escape");
      await page.getByTestId("channel-dialog").waitFor({ state: "detached", timeout: 5000 });
      expect(await file()).toBe(saved);
      expect(problems).toEqual([]);
    } finally {
      await api("alerts.channels.remove", { name: "hook" });
    }
  }, 60_000);

  it("shows a command's failed test without the SMTP password its arguments alias", async () => {
    const password = "app-password-9876543210";
    const channels = `channels:
  - { name: mail, type: email, host: 127.0.0.1, username: me@example.com, password: &pw ${password}, from: a@example.com, to: b@example.com }
  - { name: leak, type: command, command: sh, args: [-c, 'echo "$@" >&2; exit 1', x, *pw] }
`;
    await writeFile(join(dataDir, "alerts.yaml"), `${ALERTS_YAML}${channels}`);
    await until("the engine has the channels", async () =>
      (await api<{ channels: { name: string }[] }>("alerts.channels")).channels.some(
        (c) => c.name === "leak",
      ),
    );
    // The tab loaded again: the channels written behind the app's back are read when a page loads them.
    const { page, problems } = await sharedPage();
    await page.reload();
    try {
      await page.getByTestId("nav-alerts").click();
      await page.getByTestId("alerts-tab-channels").click();
      const row = page.locator('[data-testid="channel-row"][data-channel="leak"]');
      await row.getByTestId("channel-test").click();
      const result = row.getByTestId("channel-test-result");
      await until(
        "the test failed",
        async () => (await result.locator("[data-status]").getAttribute("data-status")) === "failed",
        10_000,
      );
      expect(await result.textContent()).toContain("exit 1: ••••••");
      await page.getByTestId("alerts-tab-deliveries").click();
      await page
        .locator('[data-testid="delivery-row"][data-channel="leak"]')
        .first()
        .waitFor({ timeout: 5000 });
      expect(await page.content()).not.toContain(password);
      expect(JSON.stringify(await api("alerts.deliveries", { channel: "leak" }))).not.toContain(password);
      expect(problems).toEqual([]);
    } finally {
      await writeFile(join(dataDir, "alerts.yaml"), ALERTS_YAML);
    }
  }, 60_000);
});
