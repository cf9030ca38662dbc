import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SeriesSignalSource } from "../../electron/monitor/alerts/series-source.js";
import { MonitoringSystem } from "../../electron/monitor/monitoring-system.js";
import { databasePath } from "../../electron/monitor/paths.js";
import { openDb } from "../../electron/monitor/store/db.js";
import { harness, openStore, VirtualClock, writeAlerts } from "../alerts/alert-fixtures.js";
import { tempDir } from "../helpers/mcp.js";

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(async () => {
  await dir.cleanup();
});

describe("MonitoringSystem", () => {
  it("logs and tracks events through the masking pipeline, and collects metrics from stored calls", async () => {
    const system = MonitoringSystem.open(dir.path);
    system.logEvent({ level: "warning", message: "token=abcd1234efgh leaked?", fields: { apiKey: "k-1" } });
    system.trackEvent({
      category: "system",
      type: "wrapper.start",
      severity: "info",
      message: "started",
      server: "files",
    });
    system.flush();
    const db = openDb(databasePath(dir.path));
    const now = Date.now();
    db.prepare(
      "INSERT INTO calls (session_id, server, direction, request_id, method, target, started_at, duration_ms, outcome, bytes_in, bytes_out) VALUES ('s', 'files', 'c2s', '1', 'tools/call', 'read', ?, 12.5, 'ok', 10, 20)",
    ).run(now);
    const log = db.prepare("SELECT level, message, fields FROM logs").get();
    expect(log).toMatchObject({
      level: "warning",
      message: "token=[masked:named-secret] leaked?",
      fields: '{"apiKey":"[masked:named-secret]"}',
    });
    expect(db.prepare("SELECT category, type, server FROM events").get()).toMatchObject({
      category: "system",
      type: "wrapper.start",
      server: "files",
    });
    db.close();
    const metrics = system.collectMetrics("1h");
    expect(metrics.servers[0]?.operations[0]).toMatchObject({
      method: "tools/call",
      target: "read",
      calls: 1,
      latency_ms: { p50: 12.5 },
    });
    const report = await system.generateReport("1h");
    expect(report.servers.map((s) => [s.server, s.calls])).toEqual([["files", 1]]);
    expect(() => system.collectMetrics("last week")).toThrow(/not a time/);
    system.close();
  });
});

describe("MonitoringSystem.checkAlerts", () => {
  it("returns the alerts the engine evaluated, as alerts.list does, with silences applied", async () => {
    const alerts = await tempDir();
    try {
      writeAlerts(
        alerts.path,
        "rules:\n  - { name: errors, kind: metric, signal: error_rate, by: [server], threshold: 20%, severity: critical }\n",
      );
      const db = openStore(alerts.path);
      const clock = new VirtualClock(Date.now()); // checkAlerts judges silences by the wall clock
      const series = new SeriesSignalSource(
        [
          { signal: "error_rate", labels: { server: "a" }, values: [0.5] },
          { signal: "error_rate", labels: { server: "b" }, values: [0.9] },
        ],
        60_000,
        clock.t,
      );
      const h = harness(alerts.path, db, clock, series);
      h.manager.silence({ matchers: [{ name: "server", op: "=", value: "b" }], duration: "1h" });
      h.manager.evaluate(clock.t);
      h.manager.close();
      db.close();

      const system = MonitoringSystem.open(alerts.path);
      const current = system.checkAlerts().filter((a) => a.rule === "errors");
      system.close();
      const status = (a: (typeof current)[number]) => (a.silencedBy.length > 0 ? "silenced" : a.state);
      expect(current.map((a) => [a.labels, status(a), a.severity, a.summary])).toEqual(
        expect.arrayContaining([
          [
            { alertname: "errors", severity: "critical", server: "a" },
            "firing",
            "critical",
            "a fails 50% of calls",
          ],
          [
            { alertname: "errors", severity: "critical", server: "b" },
            "silenced",
            "critical",
            "b fails 90% of calls",
          ],
        ]),
      );
      expect(current).toHaveLength(2);
    } finally {
      await alerts.cleanup();
    }
  });
});
