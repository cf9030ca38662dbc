/** Webhook, Slack and Discord channels against a real local HTTP receiver. */
import { createHmac } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  DiscordConfigSchema,
  SlackConfigSchema,
  WebhookConfigSchema,
} from "../../electron/monitor/alerts/channels/config.js";
import { describeTarget } from "../../electron/monitor/alerts/channels/describe.js";
import {
  createDiscordChannel,
  DISCORD_COLORS,
  type DiscordMessage,
} from "../../electron/monitor/alerts/channels/discord.js";
import { parseRetryAfter } from "../../electron/monitor/alerts/channels/http-post.js";
import { createSlackChannel, type SlackMessage } from "../../electron/monitor/alerts/channels/slack.js";
import { createWebhookChannel } from "../../electron/monitor/alerts/channels/webhook.js";
import { VERSION } from "../../electron/monitor/version.js";
import {
  closedPort,
  type Receiver,
  sampleAlert,
  sampleNotification,
  startReceiver,
} from "./channels-fixtures.js";

let receiver: Receiver;
beforeEach(async () => {
  receiver = await startReceiver();
});
afterEach(() => receiver.close());

const never = () => new AbortController().signal;

function webhook(extra: Record<string, unknown> = {}) {
  return createWebhookChannel(
    WebhookConfigSchema.parse({
      name: "hook",
      type: "webhook",
      url: `${receiver.url}/hooks/T0KEN?key=abc`,
      ...extra,
    }),
  );
}

describe("webhook channel", () => {
  it("posts the notification as JSON with mcpscope's user agent and the configured headers", async () => {
    const notification = sampleNotification();
    const outcome = await webhook({ headers: { Authorization: "Bearer x" } }).send(notification, never());
    expect(outcome).toEqual({ ok: true, status: 200 });
    const [request] = receiver.requests;
    expect(request?.method).toBe("POST");
    expect(request?.url).toBe("/hooks/T0KEN?key=abc");
    expect(request?.headers["content-type"]).toBe("application/json");
    expect(request?.headers["user-agent"]).toBe(`mcpscope/${VERSION}`);
    expect(request?.headers.authorization).toBe("Bearer x");
    expect(request?.headers["x-mcpscope-signature"]).toBeUndefined();
    expect(JSON.parse(request?.body ?? "")).toEqual(notification);
  });

  it("signs timestamp.body with HMAC-SHA256 of the secret", async () => {
    const before = Math.floor(Date.now() / 1000);
    await webhook({ secret: "s3cret" }).send(sampleNotification(), never());
    const request = receiver.requests[0]!;
    const timestamp = request.headers["x-mcpscope-timestamp"] as string;
    expect(Number(timestamp)).toBeGreaterThanOrEqual(before);
    expect(Number(timestamp)).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    const expected = createHmac("sha256", "s3cret").update(`${timestamp}.${request.body}`).digest("hex");
    expect(request.headers["x-mcpscope-signature"]).toBe(`sha256=${expected}`);
    const forged = createHmac("sha256", "other").update(`${timestamp}.${request.body}`).digest("hex");
    expect(request.headers["x-mcpscope-signature"]).not.toBe(`sha256=${forged}`);
  });

  it("retries a 503, naming the host but not the path, query or secret", async () => {
    receiver.respond((res) => res.writeHead(503, { "content-type": "text/plain" }).end("busy\nnow"));
    const outcome = await webhook({ secret: "s3cret" }).send(sampleNotification(), never());
    expect(outcome).toMatchObject({ ok: false, permanent: false, status: 503 });
    if (outcome.ok) throw new Error("expected a failure");
    expect(outcome.error).toBe(`HTTP 503 from ${new URL(receiver.url).host}: busy now`);
    expect(outcome.error).not.toMatch(/T0KEN|key=abc|s3cret/);
  });

  it("retries a 429 after its Retry-After seconds", async () => {
    receiver.respond((res) => res.writeHead(429, { "retry-after": "2" }).end());
    const outcome = await webhook().send(sampleNotification(), never());
    expect(outcome).toMatchObject({ ok: false, permanent: false, status: 429, retryAfterMs: 2000 });
  });

  it("reads Retry-After as an HTTP date too", () => {
    const now = Date.parse("2026-11-25T10:00:00Z");
    expect(parseRetryAfter("Wed, 25 Nov 2026 10:00:30 GMT", now)).toBe(30_000);
    expect(parseRetryAfter("Wed, 25 Nov 2026 09:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it("retries a 408 and a 500 but not a 404 or a 400", async () => {
    for (const [status, permanent] of [
      [408, false],
      [500, false],
      [404, true],
      [400, true],
    ] as const) {
      receiver.respond((res) =>
        res.writeHead(status, { "content-type": "text/html" }).end("<html>big page</html>"),
      );
      const outcome = await webhook().send(sampleNotification(), never());
      expect(outcome).toMatchObject({
        ok: false,
        permanent,
        status,
        error: `HTTP ${status} from ${new URL(receiver.url).host}`,
      });
    }
  });

  it("does not follow a redirect", async () => {
    receiver.respond((res, req) => {
      if (req.url.startsWith("/hooks")) res.writeHead(307, { location: "/elsewhere" }).end();
      else res.end("ok");
    });
    const outcome = await webhook({ secret: "s3cret" }).send(sampleNotification(), never());
    expect(outcome).toMatchObject({ ok: false, permanent: true, status: 307 });
    expect(receiver.requests).toHaveLength(1);
  });

  it("retries when the connection is refused", async () => {
    const port = await closedPort();
    const channel = createWebhookChannel(
      WebhookConfigSchema.parse({ name: "hook", type: "webhook", url: `http://127.0.0.1:${port}/x?token=t` }),
    );
    const outcome = await channel.send(sampleNotification(), never());
    expect(outcome).toEqual({
      ok: false,
      permanent: false,
      status: null,
      error: `cannot reach 127.0.0.1:${port}: ECONNREFUSED`,
    });
  });

  it("gives up after its timeout", async () => {
    receiver.respond((res) => setTimeout(() => res.end("late"), 3000));
    // Without the timeout the late answer (200) would make it a success; the outcome says the timeout ended it.
    const outcome = await webhook({ timeout: "200ms" }).send(sampleNotification(), never());
    expect(outcome).toMatchObject({ ok: false, permanent: false, status: null });
    if (outcome.ok) throw new Error("expected a failure");
    expect(outcome.error).toMatch(/within 200 ms/);
  });

  it("gives up when the caller aborts", async () => {
    receiver.respond((res) => setTimeout(() => res.end("late"), 3000));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const outcome = await webhook().send(sampleNotification(), controller.signal);
    expect(outcome).toMatchObject({
      ok: false,
      permanent: false,
      error: expect.stringMatching(/^cancelled/),
    });
  });
});

describe("slack channel", () => {
  const slackConfig = () =>
    SlackConfigSchema.parse({ name: "s", type: "slack", url: `${receiver.url}/services/T/B/X` });
  const slack = () => createSlackChannel(slackConfig());

  it("posts text and blocks: a header, then a section per alert", async () => {
    const alerts = [
      sampleAlert({ summary: "ping <!channel> & more" }),
      sampleAlert({ id: "a2", status: "resolved", severity: "warning", endsAt: "2026-11-25T10:05:00.000Z" }),
    ];
    expect(await slack().send(sampleNotification(alerts), never())).toEqual({ ok: true, status: 200 });
    const body = JSON.parse(receiver.requests[0]!.body) as SlackMessage;
    expect(body.text.split("\n")).toEqual([
      "[FIRING:2] tool-error-rate server=memory",
      "FIRING critical server=memory tool=echo — ping &lt;!channel&gt; &amp; more",
      "RESOLVED warning server=memory tool=echo — Error rate 40% over 5m",
    ]);
    expect(body.blocks[0]).toEqual({
      type: "header",
      text: { type: "plain_text", text: "[FIRING:2] tool-error-rate server=memory" },
    });
    expect(body.blocks).toHaveLength(3);
    const second = body.blocks[2] as { type: string; text: { text: string } };
    expect(second.type).toBe("section");
    expect(second.text.text).toContain("*RESOLVED warning* · tool-error-rate");
    expect(second.text.text).toContain("`server=memory tool=echo`");
    expect(second.text.text).toContain("Ended 2026-11-25T10:05:00.000Z");
  });

  it("keeps within 50 blocks and Slack's text limits", async () => {
    const alerts = Array.from({ length: 60 }, (_, i) =>
      sampleAlert({ id: `a${i}`, summary: "x".repeat(4000) }),
    );
    const notification = { ...sampleNotification(alerts), title: "t".repeat(300) };
    await slack().send(notification, never());
    const body = JSON.parse(receiver.requests[0]!.body) as SlackMessage;
    expect(body.blocks).toHaveLength(50);
    expect(body.blocks.at(-1)).toEqual({
      type: "context",
      elements: [{ type: "mrkdwn", text: "…and 12 more alerts" }],
    });
    const header = body.blocks[0] as { text: { text: string } };
    expect(header.text.text).toHaveLength(150);
    for (const block of body.blocks.slice(1, -1)) {
      expect((block as { text: { text: string } }).text.text.length).toBeLessThanOrEqual(3000);
    }
    expect(body.text.length).toBeLessThanOrEqual(3000);
  });

  it("says nothing of the webhook's path in its target or errors", async () => {
    receiver.respond((res) => res.writeHead(404, { "content-type": "text/plain" }).end("no_service"));
    const channel = slack();
    expect(describeTarget(slackConfig())).toBe(new URL(receiver.url).host);
    const outcome = await channel.send(sampleNotification(), never());
    expect(outcome).toEqual({
      ok: false,
      permanent: true,
      status: 404,
      error: `HTTP 404 from ${new URL(receiver.url).host}: no_service`,
    });
  });
});

describe("discord channel", () => {
  const discord = () =>
    createDiscordChannel(
      DiscordConfigSchema.parse({ name: "d", type: "discord", url: `${receiver.url}/api/webhooks/1/x` }),
    );

  it("posts content and an embed per alert, coloured by state", async () => {
    const alerts = [
      sampleAlert(),
      sampleAlert({ id: "a2", severity: "warning" }),
      sampleAlert({ id: "a3", severity: "info", value: null, labels: { server: "" } }),
      sampleAlert({ id: "a4", status: "resolved", endsAt: "2026-11-25T10:05:00.000Z" }),
    ];
    expect(await discord().send(sampleNotification(alerts), never())).toEqual({ ok: true, status: 200 });
    const body = JSON.parse(receiver.requests[0]!.body) as DiscordMessage;
    expect(body.content).toBe("[FIRING:4] tool-error-rate server=memory");
    expect(body.allowed_mentions).toEqual({ parse: [] });
    expect(body.embeds.map((e) => e.color)).toEqual([
      DISCORD_COLORS.critical,
      DISCORD_COLORS.warning,
      DISCORD_COLORS.info,
      DISCORD_COLORS.resolved,
    ]);
    expect(body.embeds[0]).toEqual({
      title: "FIRING critical: tool-error-rate",
      description: "Error rate 40% over 5m",
      color: 0xed4245,
      fields: [
        { name: "server", value: "memory", inline: true },
        { name: "tool", value: "echo", inline: true },
        { name: "value", value: "0.4", inline: true },
      ],
      timestamp: "2026-11-25T10:00:00.000Z",
    });
    expect(body.embeds[2]?.fields).toEqual([{ name: "server", value: "-", inline: true }]);
    expect(body.embeds[3]?.timestamp).toBe("2026-11-25T10:05:00.000Z");
  });

  it("keeps within 10 embeds, 6000 characters and the per-field limits", async () => {
    const labels = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`l${i}`, "v".repeat(2000)]));
    const alerts = Array.from({ length: 12 }, (_, i) =>
      sampleAlert({
        id: `a${i}`,
        rule: "r".repeat(300),
        summary: "s".repeat(5000),
        labels: i === 0 ? labels : {},
      }),
    );
    await discord().send(sampleNotification(alerts), never());
    const body = JSON.parse(receiver.requests[0]!.body) as DiscordMessage;
    expect(body.embeds.length).toBeGreaterThan(0);
    expect(body.embeds[0]?.fields.length).toBeGreaterThan(0);
    expect(body.embeds[0]?.description.length).toBeGreaterThan(0);
    expect(body.embeds.length).toBeLessThanOrEqual(10);
    expect(body.content).toMatch(new RegExp(`\\(showing ${body.embeds.length} of 12 alerts\\)$`));
    let total = 0;
    for (const embed of body.embeds) {
      expect(embed.title.length).toBeLessThanOrEqual(256);
      expect(embed.description.length).toBeLessThanOrEqual(4096);
      expect(embed.fields.length).toBeLessThanOrEqual(25);
      for (const field of embed.fields) expect(field.value.length).toBeLessThanOrEqual(1024);
      total += embed.title.length + embed.description.length;
      total += embed.fields.reduce((n, f) => n + f.name.length + f.value.length, 0);
    }
    expect(total).toBeLessThanOrEqual(6000);
  });

  it("caps a small notification at 10 embeds", async () => {
    const alerts = Array.from({ length: 11 }, (_, i) => sampleAlert({ id: `a${i}` }));
    await discord().send(sampleNotification(alerts), never());
    const body = JSON.parse(receiver.requests[0]!.body) as DiscordMessage;
    expect(body.embeds).toHaveLength(10);
    expect(body.content).toBe("[FIRING:11] tool-error-rate server=memory (showing 10 of 11 alerts)");
  });
});
