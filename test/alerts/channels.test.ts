/** Channel configs as written in YAML, the factory, the masked targets and the shared text format. */
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { alertLine, formatText, truncate } from "../../electron/monitor/alerts/channels/format.js";
import {
  type ChannelConfig,
  ChannelConfigSchema,
  createChannel,
  describeTarget,
  SECRET_KEYS,
} from "../../electron/monitor/alerts/channels/index.js";
import { sampleAlert, sampleNotification } from "./channels-fixtures.js";

const parse = (input: unknown): ChannelConfig => ChannelConfigSchema.parse(input);

function problems(input: unknown): string[] {
  const result = ChannelConfigSchema.safeParse(input);
  if (result.success) return [];
  return result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
}

describe("channel config", () => {
  it("reads every type from YAML with its defaults", () => {
    const configs = (
      parseYaml(`
- name: hook
  type: webhook
  url: https://hooks.example.com/a/b?token=t
  secret: s3cret
  headers: { Authorization: Bearer x }
- { name: slack, type: slack, url: "https://hooks.slack.com/services/T/B/X", timeout: 5s }
- { name: discord, type: discord, url: "https://discord.com/api/webhooks/1/x" }
- { name: mail, type: email, host: smtp.example.com, from: a@example.com, to: ops@example.com, username: u, password: p }
- { name: mail465, type: email, host: smtp.example.com, port: 465, from: a@example.com, to: [x@example.com, y@example.com] }
- { name: run.me, type: command, command: notify-send, args: [mcpscope], env: { A: b } }
`) as unknown[]
    ).map(parse);
    expect(configs[0]).toEqual({
      name: "hook",
      type: "webhook",
      url: "https://hooks.example.com/a/b?token=t",
      secret: "s3cret",
      headers: { Authorization: "Bearer x" },
      timeout: 10_000,
    });
    expect(configs[1]).toMatchObject({ type: "slack", timeout: 5000 });
    expect(configs[2]).toMatchObject({ type: "discord", timeout: 10_000 });
    expect(configs[3]).toEqual({
      name: "mail",
      type: "email",
      host: "smtp.example.com",
      port: 587,
      secure: false,
      starttls: true,
      username: "u",
      password: "p",
      from: "a@example.com",
      to: ["ops@example.com"],
      timeout: 10_000,
      tls_reject_unauthorized: true,
    });
    expect(configs[4]).toMatchObject({ port: 465, secure: true, to: ["x@example.com", "y@example.com"] });
    expect(configs[5]).toEqual({
      name: "run.me",
      type: "command",
      command: "notify-send",
      args: ["mcpscope"],
      env: { A: "b" },
      timeout: 30_000,
    });
  });

  it("lets an explicit secure: false stand on port 465", () => {
    const config = parse({
      name: "m",
      type: "email",
      host: "h",
      port: 465,
      secure: false,
      from: "a@b",
      to: "c@d",
    });
    expect(config).toMatchObject({ secure: false });
  });

  it("says what is wrong, with the key", () => {
    expect(
      problems({ name: "hook", type: "webhook", url: "https://x.example", timeout: "10 seconds" }),
    ).toEqual(['timeout: "10 seconds" is not a duration; use a number and a unit, like 30s, 5m, 24h or 7d']);
    expect(problems({ name: "hook", type: "webhook", url: "https://x.example", timeout: "2h" })).toEqual([
      'timeout: "2h" is out of range; use more than 0 and at most 10m',
    ]);
    expect(problems({ name: "hook", type: "webhook", url: "https://x.example", sekret: "x" })).toEqual([
      ': Unrecognized key: "sekret"',
    ]);
    expect(problems({ name: "hook", type: "webhook", url: "ftp://x.example" })).toEqual([
      "url: expected an http:// or https:// URL",
    ]);
    expect(problems({ name: "has space", type: "slack", url: "https://x.example" })).toEqual([
      "name: use 1 to 64 letters, digits, '_', '.' or '-'",
    ]);
    expect(problems({ name: "x", type: "pager", url: "https://x.example" })).toHaveLength(1);
    expect(problems({ name: "m", type: "email", host: "h", from: "a@b", to: [] })).toHaveLength(1);
    expect(problems({ name: "m", type: "email", host: "h", from: "a@b", to: "nobody" })).toEqual([
      "to: expected an email address",
    ]);
    expect(problems({ name: "c", type: "command", command: "x", args: "-v" })).toHaveLength(1);
  });

  it("names the secret keys of each type", () => {
    expect(SECRET_KEYS).toEqual({
      webhook: ["secret", "headers"],
      slack: ["url"],
      discord: ["url"],
      email: ["password"],
      command: ["env"],
    });
  });
});

describe("createChannel and describeTarget", () => {
  it("makes the channel of each type, and describes its target masked", () => {
    const cases: [unknown, string][] = [
      [
        { name: "a", type: "webhook", url: "https://hooks.example.com:8443/a/T0KEN?k=v" },
        "https://hooks.example.com:8443",
      ],
      [
        { name: "a", type: "webhook", url: "http://127.0.0.1:9/x", secret: "s3cret" },
        "http://127.0.0.1:9 (signed)",
      ],
      [{ name: "a", type: "slack", url: "https://hooks.slack.com/services/T/B/X" }, "hooks.slack.com"],
      [{ name: "a", type: "discord", url: "https://discord.com/api/webhooks/1/x" }, "discord.com"],
      [
        {
          name: "a",
          type: "email",
          host: "smtp.example.com",
          from: "m@x",
          to: ["a@x", "b@y"],
          password: "pw",
        },
        "to a@x, b@y via smtp.example.com:587",
      ],
      [
        { name: "a", type: "command", command: "/usr/bin/notify", args: ["--urgency", "high", "it's on"] },
        "/usr/bin/notify --urgency high 'it'\\''s on'",
      ],
    ];
    for (const [input, target] of cases) {
      const config = parse(input);
      const channel = createChannel(config);
      expect(channel).toMatchObject({ name: "a", type: config.type });
      expect(channel).not.toHaveProperty("target");
      expect(describeTarget(config)).toBe(target);
      expect(target).not.toMatch(/T0KEN|s3cret|services|webhooks|pw/);
    }
  });
});

describe("notification text", () => {
  it("is the title, then a line per alert", () => {
    const alerts = [
      sampleAlert(),
      sampleAlert({ status: "resolved", severity: "info", labels: {}, summary: "back to normal" }),
    ];
    expect(formatText(sampleNotification(alerts))).toBe(
      [
        "[FIRING:2] tool-error-rate server=memory",
        "FIRING critical server=memory tool=echo — Error rate 40% over 5m",
        "RESOLVED info — back to normal",
      ].join("\n"),
    );
    expect(alertLine(sampleAlert())).toBe("FIRING critical server=memory tool=echo — Error rate 40% over 5m");
  });

  it("truncates with an ellipsis and never splits a surrogate pair", () => {
    expect(truncate("abcdef", 6)).toBe("abcdef");
    expect(truncate("abcdef", 4)).toBe("abc…");
    expect(truncate("ab😀cd", 4)).toBe("ab…");
  });
});
