/**
 * A channel's secrets never reach a front and never follow a changed destination. Every form of secret a
 * channel can hold (a URL's `?token=`, an API key in a command's arguments, a signing secret, headers, a
 * Slack URL, an SMTP password, a command's env, a key in a comment) is masked in the channel's YAML, its target and the file
 * text; the YAML shown, saved back, keeps every stored value; a field changed is taken as typed; a kept
 * value with another type or destination is refused, naming the field, and nothing is written.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { AlertManager } from "../../electron/monitor/alerts/alert-manager.js";
import { SeriesSignalSource } from "../../electron/monitor/alerts/series-source.js";
import type { Db } from "../../electron/monitor/store/db.js";
import { tempDir } from "../helpers/mcp.js";
import { harness, openStore, VirtualClock } from "./alert-fixtures.js";

const SECRETS = {
  query: "abcdefsecretquery123",
  apiKey: "sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789",
  signing: "shared-secret-value-xyz",
  bearer: "abcdefghijklmnop1234567890",
  header: "k-1234567890abcdefghij",
  slack: "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
  smtp: "app-password-9876543210",
  env: "env-token-value-0123456789",
  comment: "sk-ant-api03-olderkeyolderkeyolderkey98765",
};

const FILE = `channels:
  - name: ops
    type: webhook
    url: https://hooks.example.com/mcp?token=${SECRETS.query}
    # rotated from ${SECRETS.comment}
    secret: ${SECRETS.signing}
    headers:
      Authorization: Bearer ${SECRETS.bearer}
      X-Api-Key: ${SECRETS.header}
  - name: cmd
    type: command
    command: /bin/echo
    args: ["--api-key", "${SECRETS.apiKey}", "--verbose"]
    env: { PAGER_TOKEN: ${SECRETS.env} }
  - name: chat
    type: slack
    url: ${SECRETS.slack}
  - name: mail
    type: email
    host: smtp.example.com
    username: me@example.com
    password: ${SECRETS.smtp}
    from: mcpscope@example.com
    to: me@example.com
`;

let dir: Awaited<ReturnType<typeof tempDir>>;
let db: Db;
let manager: AlertManager;
beforeEach(async () => {
  dir = await tempDir();
  db = openStore(dir.path);
  writeFileSync(join(dir.path, "alerts.yaml"), FILE);
  manager = harness(
    dir.path,
    db,
    new VirtualClock(),
    new SeriesSignalSource([], 60_000),
    {},
    { createChannel: undefined },
  ).manager;
});
afterEach(async () => {
  manager.close();
  db.close();
  await dir.cleanup();
});

const fileText = () => readFileSync(join(dir.path, "alerts.yaml"), "utf8");
const storedChannels = () => (parse(fileText()) as { channels: Record<string, unknown>[] }).channels;
const shown = (name: string) => manager.channelsDocument().channels.find((c) => c.name === name);
const shownYaml = (name: string) => shown(name)?.yaml ?? "";

describe("a channel's secrets", () => {
  it("are masked in every channel's YAML, its target and the file text", () => {
    const everything = JSON.stringify([manager.channelsDocument(), manager.rules()]);
    for (const [form, secret] of Object.entries(SECRETS)) expect(everything, form).not.toContain(secret);
    // What the user sees instead: enough to recognise each value, never the value.
    expect(shownYaml("ops")).toBe(
      "name: ops\ntype: webhook\nurl: https://hooks.example.com/mcp?token=[masked:named-secret…y123]\n" +
        "secret: ••••••\nheaders:\n  Authorization: ••••••\n  X-Api-Key: ••••••\n",
    );
    expect(shown("cmd")?.target).toBe("/bin/echo --api-key '[masked:named-secret…6789]' --verbose");
    expect(shownYaml("cmd")).toContain(
      'args:\n  - --api-key\n  - "[masked:named-secret…6789]"\n  - --verbose\n',
    );
    expect(shownYaml("cmd")).toContain("env:\n  PAGER_TOKEN: ••••••\n");
    expect(shownYaml("chat")).toContain("url: ••••••\n");
    expect(shownYaml("mail")).toContain("password: ••••••\n");
    expect(manager.rules().text).toContain(
      "url: https://hooks.example.com/mcp?token=[masked:named-secret…y123]",
    );
  });

  it("are kept when the YAML shown is saved back, and a field the user changed is taken as typed", () => {
    const before = storedChannels();
    for (const name of ["ops", "cmd", "chat", "mail"]) {
      const result = manager.putChannel(shownYaml(name), name);
      expect(result.ok, name).toBe(true);
    }
    expect(storedChannels()).toEqual(before);

    // A new key in place of the masked one, a header added: the rest stays as stored.
    const newKey = "sk-ant-api03-zyxwvutsrqponmlkjihgfedcba9876543210";
    expect(
      manager.putChannel(shownYaml("cmd").replace('"[masked:named-secret…6789]"', newKey), "cmd").ok,
    ).toBe(true);
    expect(manager.putChannel(`${shownYaml("ops")}  X-Team: platform\n`, "ops").ok).toBe(true);
    const [ops, cmd] = storedChannels();
    expect(cmd?.args).toEqual(["--api-key", newKey, "--verbose"]);
    expect(cmd?.env).toEqual({ PAGER_TOKEN: SECRETS.env });
    expect(ops?.headers).toEqual({
      Authorization: `Bearer ${SECRETS.bearer}`,
      "X-Api-Key": SECRETS.header,
      "X-Team": "platform",
    });
    expect(ops?.url).toBe(`https://hooks.example.com/mcp?token=${SECRETS.query}`);

    // A front that shows a whole record as one mask keeps the whole record.
    const oneMask =
      "name: ops\ntype: webhook\nurl: https://hooks.example.com/v2\nsecret: ••••••\nheaders: ••••••\n";
    expect(manager.putChannel(oneMask, "ops").ok).toBe(true);
    expect(storedChannels()[0]?.headers).toMatchObject({ Authorization: `Bearer ${SECRETS.bearer}` });
    expect(storedChannels()[0]?.secret).toBe(SECRETS.signing);
  });

  it("are refused, naming the field, when the destination or type changed, and nothing is written", () => {
    const original = fileText();
    const refused = (yaml: string, replaces: string, message: string) => {
      expect(() => manager.putChannel(yaml, replaces)).toThrow(message);
      expect(fileText()).toBe(original);
    };
    const ops = shownYaml("ops");
    // Another host, another port, another scheme: the signing secret stays behind.
    for (const url of [
      "https://collector.attacker.example/x",
      "https://hooks.example.com:8443/mcp",
      "http://hooks.example.com/mcp",
    ])
      refused(
        ops.replace(/url: .*/, `url: ${url}`),
        "ops",
        "channel.secret: the destination changed; enter the secret again",
      );
    // Renamed and pointed elsewhere at once: the same rule.
    refused(
      ops.replace("name: ops", "name: ops2").replace(/url: .*/, "url: https://elsewhere.example/x"),
      "ops",
      "channel.secret: the destination changed; enter the secret again",
    );
    // Slack turned into Discord would send the Slack URL to Discord's client.
    refused(
      shownYaml("chat").replace("type: slack", "type: discord"),
      "chat",
      "channel.url: the type changed",
    );
    refused(
      shownYaml("cmd").replace("/bin/echo", "/usr/bin/curl"),
      "cmd",
      "channel.args[1]: the destination changed; enter the secret again",
    );
    refused(
      shownYaml("mail").replace("smtp.example.com", "smtp.attacker.example"),
      "mail",
      "channel.password: the destination changed; enter the secret again",
    );
    refused(
      `${shownYaml("mail")}starttls: false\n`,
      "mail",
      "channel.password: the connection's TLS settings changed; enter the secret again",
    );
    // A masked part inside an edited value cannot be kept: the whole value must be typed.
    refused(ops.replace("/mcp?", "/v2?"), "ops", "channel.url: holds a masked value; type the whole value");
    // A copy under a new name has no stored value to keep.
    expect(() => manager.putChannel(ops.replace("name: ops", "name: copy"))).toThrow(
      "channel.url: holds a masked value; type the whole value",
    );
    expect(() => manager.putChannel(shownYaml("chat").replace("name: chat", "name: copy"))).toThrow(
      "channel.url: enter the secret",
    );
    expect(fileText()).toBe(original);

    // A stored entry edited by hand into one that does not load still keeps its secret where it was.
    const broken = original.replace("    secret: ", "    timeout: 99h\n    secret: ");
    writeFileSync(join(dir.path, "alerts.yaml"), broken);
    expect(() =>
      manager.putChannel(
        "name: ops\ntype: webhook\nurl: https://collector.attacker.example/x\nsecret: ••••••\n",
        "ops",
      ),
    ).toThrow("channel.secret: the destination changed; enter the secret again");
    expect(fileText()).toBe(broken);
  });

  it("follow a rename that keeps the destination, and a changed destination with every secret typed", () => {
    expect(manager.putChannel(shownYaml("ops").replace("name: ops", "name: ops-renamed"), "ops").ok).toBe(
      true,
    );
    expect(storedChannels()[0]).toMatchObject({ name: "ops-renamed", secret: SECRETS.signing });

    const moved = "name: ops-renamed\ntype: webhook\nurl: https://new.example/in\nsecret: brand-new-secret\n";
    expect(manager.putChannel(moved, "ops-renamed").ok).toBe(true);
    expect(storedChannels()[0]).toEqual({
      name: "ops-renamed",
      type: "webhook",
      url: "https://new.example/in",
      secret: "brand-new-secret",
    });
  });
});
