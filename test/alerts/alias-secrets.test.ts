/**
 * One channel's secret carried into another by a YAML alias never comes out of the other one. A command
 * channel whose arguments alias an SMTP password and a webhook's token, and that prints its arguments,
 * fails; what it printed is kept in the delivery log, shown by the deliveries API and printed by
 * `alerts test --json`, each with every channel's stored values masked.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AlertManager } from "../../electron/monitor/alerts/alert-manager.js";
import { SeriesSignalSource } from "../../electron/monitor/alerts/series-source.js";
import type { Db } from "../../electron/monitor/store/db.js";
import { cliInProcess } from "../helpers/cli-in-process.js";
import { tempDir } from "../helpers/mcp.js";
import { harness, openStore, VirtualClock } from "./alert-fixtures.js";

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
