/**
 * What people read in a notification: an alert's value formatted for its rule's signal (a duration, a
 * percentage), a channel's result named for its protocol (`SMTP 250`, `exit 0`), and a scheduled report's
 * headline figures formatted as the report formats them.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alertDetails, formatText } from "../../electron/monitor/alerts/channels/format.js";
import { summaryLines } from "../../electron/monitor/reports/schedule-run.js";
import { attemptStatusText } from "../../shared/alerts.js";
import type { Report } from "../../shared/report.js";
import { cliInProcess } from "../helpers/cli-in-process.js";
import { tempDir } from "../helpers/mcp.js";
import {
  CapturingChannel,
  evaluate,
  harness,
  openStore,
  VirtualClock,
  writeAlerts,
} from "./alert-fixtures.js";

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(async () => {
  await dir.cleanup();
});

describe("notification wording", () => {
  it("gives each alert's value as its rule formats it, beside the raw number for machines", async () => {
    const data = join(dir.path, "values");
    mkdirSync(data);
    writeAlerts(
      data,
      `rules:
  - { name: quiet, kind: metric, signal: latency_p95, by: [server], threshold: 1s, severity: warning }
  - { name: errs, kind: metric, signal: error_rate, by: [server], threshold: 10%, severity: warning }
channels:
  - { name: mail, type: webhook, url: "http://127.0.0.1:9/x" }
routes:
  - { channels: [mail], group_by: [alertname], group_wait: 0s }
`,
    );
    const db = openStore(data);
    const clock = new VirtualClock();
    const mail = new CapturingChannel("mail");
    const values: Record<string, number> = { quiet: 227102.69775390625, errs: 0.4567 };
    const source = {
      sample: (rule: { name: string }) =>
        rule.name in values ? [{ labels: { server: "a" }, value: values[rule.name] as number }] : [],
    };
    const h = harness(data, db, clock, source, { mail });
    try {
      await evaluate(h, clock);
      const byRule = new Map(mail.got.map((n) => [n.alerts[0]?.rule, n.alerts[0]]));
      const slow = byRule.get("quiet");
      expect(slow).toMatchObject({ value: 227102.69775390625, valueText: "4 min" });
      expect(alertDetails(slow as never)).toContain("  Value:   4 min\n");
      expect(alertDetails(byRule.get("errs") as never)).toContain("  Value:   46%\n");
      expect(formatText(mail.got[0] as never)).not.toContain("227102");
    } finally {
      h.manager.close();
      db.close();
    }
  });

  it("names a result by its channel's protocol: HTTP for webhooks, SMTP for email, an exit code for commands", async () => {
    expect(attemptStatusText("webhook", 200)).toBe("HTTP 200");
    expect(attemptStatusText("email", 250)).toBe("SMTP 250");
    expect(attemptStatusText("command", 0)).toBe("exit 0");
    const data = join(dir.path, "command");
    mkdirSync(data);
    writeAlerts(
      data,
      `channels:\n  - { name: script, type: command, command: ${JSON.stringify(process.execPath)}, args: ["-e", ""] }\n`,
    );
    const result = await cliInProcess(["alerts", "test", "script", "--data-dir", data]);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^attempt 1: delivered \(exit 0\) in \d+ ms\n/);
  });

  it("gives a scheduled report's headline durations and changes as the report does", () => {
    const compared = (value: number | null, previous: number | null = null) => ({ value, previous });
    const report = {
      since: "2026-12-05T00:00:00.000Z",
      until: "2026-12-06T00:00:00.000Z",
      summary: {
        calls: compared(12345, 10000),
        errorRate: compared(0.0512),
        p95: compared(3011.57),
        activeServers: compared(3),
        availabilityPct: compared(99.5),
        alertsFired: compared(2),
        securityFindings: compared(0),
      },
    } as unknown as Report;
    expect(summaryLines(report)).toEqual([
      "Period: 2026-12-05T00:00:00.000Z to 2026-12-06T00:00:00.000Z",
      "Calls: 12,345 (+23.45% on the previous period)",
      "Error rate: 5.12%",
      "p95 latency: 3.01 s",
      "Active servers: 3",
      "Availability: 99.5%",
      "Alerts fired: 2",
      "Security findings: 0",
    ]);
  });
});
