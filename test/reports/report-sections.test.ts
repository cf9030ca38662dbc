/**
 * The report's sections beyond call counts, over a real database whose rows are written by the stores
 * that write them in production (health checks, resource samples, security events) and alert history as
 * the alert store keeps it: availability weighted by time with each downtime, resources, crashes, alerts
 * with their durations, security counts; and one line, never invented figures, for an empty period.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DbHealthStore, type HealthCheck } from "../../electron/monitor/health/health-store.js";
import { buildReport } from "../../electron/monitor/reports/build.js";
import { renderReport } from "../../electron/monitor/reports/render/index.js";
import { DbSampleStore } from "../../electron/monitor/resources/sample-store.js";
import { insertEvent } from "../../electron/monitor/security/pins.js";
import { type Db, openDb } from "../../electron/monitor/store/db.js";
import { reportSentences } from "../../shared/report-words.js";

const HAS_POPPLER = await promisify(execFile)("pdftotext", ["-v"]).then(
  () => true,
  () => false,
);
async function pdfText(bytes: Buffer): Promise<string> {
  const path = join(dir, `r-${Math.random().toString(36).slice(2)}.pdf`);
  await writeFile(path, bytes);
  return (await promisify(execFile)("pdftotext", ["-layout", path, "-"])).stdout;
}

const T0 = Date.parse("2026-12-01T00:00:00Z");
const HOUR = 3_600_000;
const until = new Date(T0 + 10 * HOUR).toISOString();
const since = new Date(T0).toISOString();

let dir: string;
let db: Db;

function check(time: number, state: HealthCheck["state"]): HealthCheck {
  return {
    time,
    serverId: "cursor:files",
    server: "files",
    status: state === "down" ? "down" : "up",
    state,
    era: "session",
    protocolVersion: "2025-11-25",
    handshakeMs: 5,
    pingMs: 1,
    listMs: 2,
    toolsCount: 3,
    error: state === "down" ? "connection refused" : null,
  };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "mcpscope-report-sections-"));
  db = openDb(join(dir, "mcpscope.db"));
  const health = new DbHealthStore(db);
  // Up from the start, down for 1 h at 2 h, up, down again from 8 h to the end (2 h, ongoing).
  for (const [h, state] of [
    [0, "up"],
    [1, "up"],
    [2, "down"],
    [2.5, "down"],
    [3, "up"],
    [8, "down"],
  ] as const)
    health.record(check(T0 + h * HOUR, state));
  new DbSampleStore(db).record([
    {
      time: T0 + HOUR,
      serverId: null,
      server: "files",
      pid: 10,
      cpuPct: 10,
      rssBytes: 50_000_000,
      processCount: 1,
    },
    {
      time: T0 + 2 * HOUR,
      serverId: null,
      server: "files",
      pid: 10,
      cpuPct: 30,
      rssBytes: 80_000_000,
      processCount: 2,
    },
  ]);
  for (const [type, h] of [
    ["secret.detected", 1],
    ["tool.poisoning_suspected", 2],
    ["tool.definition_changed", 2],
    ["secret.detected", -3], // the previous period
  ] as const)
    insertEvent(db, {
      time: T0 + h * HOUR,
      category: "security",
      type,
      severity: "medium",
      server: "files",
      session_id: null,
      message: `${type} on files`,
      details: null,
    });
  db.prepare(
    "INSERT INTO events (time, category, type, severity, server, message) VALUES (?, 'system', 'process.crash', 'medium', 'files', 'files exited with code 1')",
  ).run(T0 + 2 * HOUR);
  const history = db.prepare(
    `INSERT INTO alert_history (time, alert_id, rule, severity, labels, from_state, to_state, value, summary)
     VALUES (?, ?, 'server-down', 'critical', '{"server":"files"}', ?, ?, 1, 'files is down')`,
  );
  history.run(T0 + 2 * HOUR, "a1", "pending", "firing");
  history.run(T0 + 3 * HOUR, "a1", "firing", "resolved");
  history.run(T0 + 8.5 * HOUR, "a2", "pending", "firing");
});

afterAll(async () => {
  db.close();
  await rm(dir, { recursive: true, force: true });
});

describe("report sections", () => {
  it("weights availability by time and lists each downtime, the last one ongoing", async () => {
    const r = await buildReport(db, { since, until });
    const files = r.servers.find((s) => s.server === "files");
    // 10 h observed, down 1 h + 2 h.
    expect(files?.availability).toEqual({
      checks: 6,
      uptimePct: 70,
      downtimes: [
        { start: new Date(T0 + 2 * HOUR).toISOString(), durationMs: HOUR, ongoing: false },
        { start: new Date(T0 + 8 * HOUR).toISOString(), durationMs: 2 * HOUR, ongoing: true },
      ],
      longestDowntimeMs: 2 * HOUR,
    });
    expect(r.summary.availabilityPct).toEqual({ value: 70, previous: null });
    expect(files?.resources).toEqual({ cpuMeanPct: 20, cpuMaxPct: 30, rssMaxBytes: 80_000_000 });
    expect(files?.crashes).toBe(1);
  });

  it("shows each downtime with its start and duration in every format, not only in JSON", async () => {
    const r = await buildReport(db, { since, until });
    const md = (await renderReport(r, { format: "md" })).content;
    expect(md).toContain("### Downtimes");
    expect(md).toContain("| files | 2026-12-01 02:00:00Z | 1 h | no |");
    expect(md).toContain("| files | 2026-12-01 08:00:00Z | 2 h | yes |");
    const html = (await renderReport(r, { format: "html" })).content;
    expect(html).toContain('<td>2026-12-01 02:00:00Z</td><td class="n">1 h</td>');
    const csv = (await renderReport(r, { format: "csv", section: "downtimes" })).content;
    expect(csv.split("\r\n").slice(0, 3)).toEqual([
      "Server,Start (UTC),Duration (ms),Ongoing",
      "files,2026-12-01T02:00:00.000Z,3600000,no",
      "files,2026-12-01T08:00:00.000Z,7200000,yes",
    ]);
    if (HAS_POPPLER) {
      const pdf = await renderReport(r, { format: "pdf" });
      const text = await pdfText(Buffer.from(pdf.content, "base64"));
      expect(text).toContain("Downtimes");
      expect(text).toContain("2026-12-01 08:00:00Z");
    }
  });

  it("gives no latency and no error rate (null, empty CSV cells), not 0, for a server with no calls", async () => {
    const r = await buildReport(db, { since, until });
    const files = r.servers.find((s) => s.server === "files");
    expect(files).toMatchObject({ calls: 0, errorRate: null, latency: null });
    expect(r.summary.errorRate).toEqual({ value: null, previous: null });
    const csv = (await renderReport(r, { format: "csv", section: "servers" })).content.split("\r\n");
    // server, calls, errors, error rate, p50, p95, p99, then uptime.
    expect(csv[1]?.split(",").slice(0, 8)).toEqual(["files", "0", "0", "", "", "", "", "70"]);
    const md = (await renderReport(r, { format: "md" })).content;
    expect(md).toMatch(/\| files \| 0 \| 0 \| — \| — \| — \| — \| 70% \|/);
  });

  it("counts alerts fired and resolved with their durations, and security findings against the previous period", async () => {
    const r = await buildReport(db, { since, until });
    expect(r.alerts).toMatchObject({ fired: 2, resolved: 1, meanTimeToResolveMs: HOUR });
    expect(r.alerts.items.map((a) => [a.alertId, a.durationMs])).toEqual([
      ["a2", null],
      ["a1", HOUR],
    ]);
    expect(r.summary.alertsFired).toEqual({ value: 2, previous: 0 });
    expect(r.security).toMatchObject({
      secretFindings: 1,
      poisoningFindings: 1,
      definitionChanges: 1,
      approvals: 0,
    });
    expect(r.summary.securityFindings).toEqual({ value: 2, previous: 1 });
    const md = (await renderReport(r, { format: "md" })).content;
    expect(md).toContain("| Availability | 70% | — | — |");
    expect(md).toContain("| Security findings | 2 | 1 | +100% |");
    expect(md).toContain("Fired: 2; resolved: 1; mean time to resolve: 1 h.");
  });

  it("counts, in a report scoped to servers, only the notifications about their alerts", async () => {
    const delivery = db.prepare(
      `INSERT INTO alert_deliveries (channel, kind, group_key, alert_ids, title, payload, status, created_at)
       VALUES ('ops', 'alert', 'g', ?, 't', '{}', 'delivered', ?)`,
    );
    db.prepare(
      `INSERT INTO alert_history (time, alert_id, rule, severity, labels, from_state, to_state, value, summary)
       VALUES (?, 'b1', 'error-rate', 'high', '{"server":"other"}', 'pending', 'firing', 1, 'other errs')`,
    ).run(T0 + 4 * HOUR);
    delivery.run('["a1"]', T0 + 2 * HOUR);
    delivery.run('["b1"]', T0 + 4 * HOUR);
    // A test send is about no alert.
    delivery.run("[]", T0 + 5 * HOUR);
    try {
      const all = await buildReport(db, { since, until });
      expect(all.alerts.deliveries).toEqual([{ channel: "ops", delivered: 3, failed: 0, pending: 0 }]);
      const files = await buildReport(db, { since, until, servers: ["files"] });
      expect(files.alerts.deliveries).toEqual([{ channel: "ops", delivered: 1, failed: 0, pending: 0 }]);
    } finally {
      db.exec("DELETE FROM alert_deliveries; DELETE FROM alert_history WHERE alert_id = 'b1'");
    }
  });

  it("refuses a client scope with no server configured, rather than report nothing", async () => {
    const clientServers = async (client: string) => (client === "cursor" ? [] : ["files"]);
    await expect(buildReport(db, { since, until, client: "cursor" }, { clientServers })).rejects.toThrow(
      "cursor has no MCP servers configured on this machine; `mcpscope discover` lists each client's servers",
    );
    await expect(
      buildReport(db, { since, until, client: "claude-code", servers: ["nope"] }, { clientServers }),
    ).rejects.toThrow(/none of the servers named is configured in claude-code/);
    const r = await buildReport(db, { since, until, client: "claude-code" }, { clientServers });
    expect(r.servers.map((s) => s.server)).toEqual(["files"]);
  });

  it("an empty period says so in one line per section and invents no figure", async () => {
    const r = await buildReport(db, { since: "2026-11-01T00:00:00Z", until: "2026-11-02T00:00:00Z" });
    expect(r.servers).toEqual([]);
    // Nothing was ever recorded: unknown, not 0.
    expect(r.summary.calls).toEqual({ value: null, previous: null });
    expect(r.summary.p95).toEqual({ value: null, previous: null });
    expect(r.data.source).toBe("none");
    const md = (await renderReport(r, { format: "md" })).content;
    for (const line of [
      "No server had calls, sessions or health checks in this period.",
      "No tool calls in this period.",
      "No errors in this period.",
      "No log lines in this period.",
      "Fired: 0; resolved: 0.",
    ])
      expect(md).toContain(line);
    const html = (await renderReport(r, { format: "html" })).content;
    expect(html).not.toContain("<svg");
    expect(html).toContain("No tool calls in this period.");
  });

  it("counts log lines in the singular where there is one, with thousands separated", async () => {
    const r = await buildReport(db, { since: "2026-11-01T00:00:00Z", until: "2026-11-02T00:00:00Z" });
    const one = { ...r, logs: { ...r.logs, total: 1, levels: { ...r.logs.levels, info: 1 } } };
    expect(reportSentences(one).logs).toBe("1 line: info 1.");
    const two = { ...r, logs: { ...r.logs, total: 2, levels: { ...r.logs.levels, info: 2 } } };
    expect(reportSentences(two).logs).toBe("2 lines: info 2.");
    const many = { ...r, logs: { ...r.logs, total: 1234, levels: { ...r.logs.levels, info: 1234 } } };
    expect(reportSentences(many).logs).toBe("1,234 lines: info 1,234.");
  });

  it("refuses a period that ends before it starts, and since with period", async () => {
    await expect(buildReport(db, { since: until, until: since })).rejects.toThrow(/ends before it starts/);
    await expect(buildReport(db, { since: "7d", period: "week" })).rejects.toThrow(/either since or period/);
  });
});
