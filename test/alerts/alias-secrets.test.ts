/**
 * One channel's secret carried elsewhere by a YAML alias never comes out there. A command channel whose
 * arguments alias an SMTP password and a webhook's token, and that prints its arguments, fails; what it
 * printed is kept in the delivery log, shown by the deliveries API and printed by `alerts test --json`,
 * each with every channel's stored values masked. A rule whose description and summary alias the
 * password (a label may not) fires to a real webhook, a real SMTP server and the desktop: neither the
 * notification (title, body) nor the alert's list, history and rule listing hold it; nor does the
 * problem line of a file that names it.
 */
import { writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AlertManager } from "../../electron/monitor/alerts/alert-manager.js";
import { SeriesSignalSource } from "../../electron/monitor/alerts/series-source.js";
import type { Db } from "../../electron/monitor/store/db.js";
import { cliInProcess } from "../helpers/cli-in-process.js";
import { tempDir } from "../helpers/mcp.js";
import { evaluate, harness, openStore, VirtualClock } from "./alert-fixtures.js";
import { startReceiver } from "./channels-fixtures.js";

const SMTP_PASSWORD = "app-password-9876543210";
const HOOK_TOKEN = "abcdefsecretquery123";

const FILE = `channels:
  - name: mail
    type: email
    host: 127.0.0.1
    username: me@example.com
    password: &smtp_pass ${SMTP_PASSWORD}
    from: mcpscope@example.com
    to: me@example.com
  - name: hook
    type: webhook
    url: &hook_url https://hooks.example.com/mcp?token=${HOOK_TOKEN}
  - name: leak
    type: command
    command: sh
    args: [-c, 'echo "$@" >&2; exit 1', x, *smtp_pass, *hook_url]
`;

let dir: Awaited<ReturnType<typeof tempDir>>;
let db: Db;
let manager: AlertManager;
beforeEach(async () => {
  dir = await tempDir();
  db = openStore(dir.path);
  writeFileSync(join(dir.path, "alerts.yaml"), FILE);
  const signals = new SeriesSignalSource([], 60_000);
  manager = harness(dir.path, db, new VirtualClock(), signals, {}, { createChannel: undefined }).manager;
});
afterEach(async () => {
  manager.close();
  db.close();
  await dir.cleanup();
});

/** Every row the outbox keeps, as text. */
function storedDeliveries(): string {
  const rows = (table: string) => db.prepare(`SELECT * FROM ${table}`).all();
  return JSON.stringify([rows("alert_deliveries"), rows("alert_delivery_attempts")]);
}

describe("a secret another channel carries by alias", () => {
  it("is masked in the delivery log, the deliveries API and `alerts test --json`", async () => {
    const delivery = await manager.test("leak");
    expect(delivery.status).toBe("failed");
    // The command did print both: the error line is its stderr, each stored value replaced (and the
    // masked `token=` masked again as any error line's is).
    expect(delivery.lastError).toBe(
      "exit 1: •••••• https://hooks.example.com/mcp?token=[masked:named-secret]",
    );
    expect(delivery.attempts[0]?.error).toBe(delivery.lastError);

    const cli = await cliInProcess(["alerts", "test", "leak", "--json", "--data-dir", dir.path]);
    expect(cli.status).toBe(1);
    expect(JSON.parse(cli.stdout)).toMatchObject({ delivery: { lastError: delivery.lastError } });
    const printed = await cliInProcess(["alerts", "test", "leak", "--data-dir", dir.path]);
    expect(printed.stdout).toContain("exit 1: ••••••");

    const everywhere = [
      storedDeliveries(),
      JSON.stringify(manager.deliveries({ channel: "leak" })),
      cli.stdout,
      cli.stderr,
      printed.stdout,
      printed.stderr,
    ];
    expect(manager.deliveries({ channel: "leak" })).toHaveLength(3);
    for (const text of everywhere) {
      expect(text).not.toContain(SMTP_PASSWORD);
      expect(text).not.toContain(HOOK_TOKEN);
    }
  });
});

const mail = (port = 587) => `  - name: mail
    type: email
    host: 127.0.0.1
    port: ${port}
    starttls: false
    username: me@example.com
    password: &smtp_pass ${SMTP_PASSWORD}
    from: mcpscope@example.com
    to: me@example.com
`;

/** A local SMTP server that takes any login and keeps each message's subject and text. */
async function startMailSink() {
  const messages: { subject: string; text: string }[] = [];
  const server = new SMTPServer({
    secure: false,
    allowInsecureAuth: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onAuth: (auth, _session, callback) => callback(null, { user: auth.username }),
    onData(stream, _session, callback) {
      simpleParser(stream).then(
        (parsed) => {
          messages.push({ subject: parsed.subject ?? "", text: parsed.text ?? "" });
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { port, messages, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe("a channel's secret a rule carries by alias", () => {
  it("reaches no notification, alert listing, history or rule listing", async () => {
    const rx = await startReceiver();
    const sink = await startMailSink();
    try {
      writeFileSync(
        join(dir.path, "alerts.yaml"),
        `evaluation_interval: 1m
channels:
${mail(sink.port)}  - { name: hook, type: webhook, url: "${rx.url}/hook" }
rules:
  - name: errors
    kind: metric
    signal: error_rate
    by: [server]
    threshold: 20%
    description: *smtp_pass
    summary: *smtp_pass
  - { name: tool-error-rate, enabled: false }
routes:
  - { channels: [hook, mail, desktop], group_by: [alertname], group_wait: 0s }
`,
      );
      manager.close();
      // The CLI's history looks back from the wall clock.
      const clock = new VirtualClock(Date.now());
      const series = [{ signal: "error_rate", labels: { server: "memory" }, values: Array(10).fill(0.5) }];
      const signals = new SeriesSignalSource(series, 60_000, clock.t);
      const h = harness(dir.path, db, clock, signals, {}, { createChannel: undefined });
      manager = h.manager;
      await evaluate(h, clock);

      expect(rx.requests).toHaveLength(1);
      const body = JSON.parse(rx.requests[0]?.body ?? "{}");
      expect(body).toMatchObject({
        title: "[FIRING:1] errors",
        alerts: [{ summary: "••••••", labels: { server: "memory" } }],
      });
      expect(h.desktop).toMatchObject([{ status: "firing" }]);
      expect(sink.messages).toHaveLength(1);
      expect(sink.messages[0]?.subject).toBe("[FIRING:1] errors");
      expect(sink.messages[0]?.text).toContain("••••••");

      const cli = (...args: string[]) => cliInProcess([...args, "--json", "--data-dir", dir.path]);
      const listed = await cli("alerts");
      const history = await cli("alerts", "history");
      const rules = await cli("alerts", "rules");
      expect(JSON.parse(listed.stdout)).toMatchObject({
        alerts: [{ rule: "errors", summary: "••••••" }],
      });
      const changes = (JSON.parse(history.stdout) as { history: { to: string; summary: string }[] }).history;
      expect(changes.map((c) => [c.to, c.summary])).toEqual([
        ["firing", "••••••"],
        ["pending", "••••••"],
      ]);
      expect(JSON.parse(rules.stdout)).toMatchObject({
        rules: expect.arrayContaining([expect.objectContaining({ name: "errors", description: "••••••" })]),
      });
      const rows = (table: string) => JSON.stringify(db.prepare(`SELECT * FROM ${table}`).all());
      const everywhere = [
        JSON.stringify(rx.requests),
        JSON.stringify(sink.messages),
        JSON.stringify(h.desktop),
        JSON.stringify(manager.deliveries({})),
        JSON.stringify(manager.rules()),
        storedDeliveries(),
        rows("alert_instances"),
        rows("alert_history"),
        listed.stdout,
        history.stdout,
        rules.stdout,
      ];
      for (const text of everywhere) expect(text).not.toContain(SMTP_PASSWORD);
    } finally {
      await rx.close();
      await sink.close();
    }
  });

  it("is masked in the problem line of a file that names it", async () => {
    const cases = [
      ["channels: [*smtp_pass]", 'routes[0].channels[0]: no channel named "••••••"'],
      ["channels: [mail], matchers: [*smtp_pass]", '"••••••" is not a matcher'],
    ];
    const labelled = join(dir.path, "labelled.yaml");
    writeFileSync(
      labelled,
      `channels:\n${mail()}rules:\n  - { name: errors, kind: metric, signal: error_rate, threshold: 1, labels: { team: *smtp_pass } }\n`,
    );
    const refused = await cliInProcess(["rules", "check", labelled]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain("rules[0].labels.team: holds a channel's secret");
    expect(refused.stderr).not.toContain(SMTP_PASSWORD);
    for (const [route, problem] of cases) {
      const file = join(dir.path, "alerts.yaml");
      writeFileSync(file, `channels:\n${mail()}routes:\n  - { ${route} }\n`);
      const check = await cliInProcess(["rules", "check", file]);
      expect(check.status).toBe(1);
      expect(check.stderr).toContain(problem);
      const document = manager.rules();
      expect(document.problem).toContain(problem);
      for (const text of [check.stdout, check.stderr, JSON.stringify(document)])
        expect(text).not.toContain(SMTP_PASSWORD);
    }
  });
});
