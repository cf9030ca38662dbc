/**
 * What rules read from the store: each signal's value per label group over its window, against rows
 * written the way the wrappers, prober, sampler, log recorder and event tracker write them.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseRuleYaml } from "../../electron/monitor/alerts/rule-file.js";
import { DbSignalSource } from "../../electron/monitor/alerts/signals.js";
import { foldOnce } from "../../electron/monitor/metrics/fold.js";
import { OWN_SERVER_NAME, WRAPPERS_SERVER_NAME } from "../../electron/monitor/resources/roots.js";
import type { Db } from "../../electron/monitor/store/db.js";
import { tempDir } from "../helpers/mcp.js";
import { openStore } from "./alert-fixtures.js";

const NOW = Date.parse("2026-11-25T12:00:00Z");
let dir: Awaited<ReturnType<typeof tempDir>>;
let db: Db;
let source: DbSignalSource;

beforeAll(async () => {
  dir = await tempDir();
  db = openStore(dir.path);
  source = new DbSignalSource(db);
  const call = db.prepare(
    `INSERT INTO calls (session_id, server, direction, request_id, method, target, started_at, duration_ms, outcome, bytes_in, bytes_out)
     VALUES ('s', ?, ?, ?, 'tools/call', ?, ?, ?, ?, 0, 0)`,
  );
  // memory/echo: 10 calls in the last 5 min, 3 failing (one a timeout), latencies 100..1000 ms.
  for (let i = 0; i < 10; i++) {
    const outcome = i < 2 ? "tool_error" : i === 2 ? "timeout" : "ok";
    call.run("memory", "c2s", `e${i}`, "echo", NOW - 60_000 - i * 1000, (i + 1) * 100, outcome);
  }
  // memory/add: 2 ok calls; an old failure outside the window; a failed server→client request (sampling).
  call.run("memory", "c2s", "a1", "add", NOW - 30_000, 5, "ok");
  call.run("memory", "c2s", "a2", "add", NOW - 20_000, 7, "ok");
  call.run("memory", "c2s", "a0", "add", NOW - 3_600_000, 5, "tool_error");
  call.run("memory", "s2c", "x1", "sampling", NOW - 10_000, 5, "client_error");
  // memory/stop: 5 calls 2.5 min ago, 3 of them stopped by the client (not errors), one timed out.
  for (const [i, outcome] of ["cancelled", "ok", "cancelled", "timeout", "cancelled"].entries())
    call.run("memory", "c2s", `s${i}`, "stop", NOW - 150_000 - i * 1000, 50, outcome);
  // files: last call 40 minutes ago.
  call.run("files", "c2s", "f1", "read", NOW - 40 * 60_000, 3, "ok");

  const health = db.prepare(
    "INSERT INTO health_checks (time, server, status, state) VALUES (?, ?, 'fail', ?)",
  );
  health.run(NOW - 120_000, "files", "degraded");
  health.run(NOW - 30_000, "files", "down");
  health.run(NOW - 30_000, "memory", "up");
  const sample = db.prepare(
    "INSERT INTO resource_samples (time, server, pid, cpu_pct, rss_bytes, process_count) VALUES (?, ?, 1, ?, ?, 1)",
  );
  sample.run(NOW - 60_000, "memory", 50, 900 * 1024 ** 2);
  sample.run(NOW - 15_000, "memory", 150, 1200 * 1024 ** 2);
  // mcpscope's own processes: the engine, and eighteen wrappers together, each small.
  sample.run(NOW - 15_000, OWN_SERVER_NAME, 20, 300 * 1024 ** 2);
  sample.run(NOW - 15_000, WRAPPERS_SERVER_NAME, 30, 18 * 60 * 1024 ** 2);
  const log = db.prepare(
    "INSERT INTO logs (time, level, server, source, message) VALUES (?, ?, ?, 'stderr', ?)",
  );
  log.run(NOW - 10_000, "error", "memory", "PANIC: out of cheese");
  log.run(NOW - 10_000, "warning", "memory", "slow disk");
  log.run(NOW - 10_000, "info", "files", "panic button pressed");
  const event = db.prepare(
    "INSERT INTO events (time, category, type, severity, server, message) VALUES (?, ?, ?, ?, ?, ?)",
  );
  event.run(NOW - 10_000, "system", "process.crash", "medium", "files", "files crashed");
  event.run(NOW - 10_000, "system", "process.crash", "medium", "files", "files crashed again");
  event.run(NOW - 10_000, "security", "secret.detected", "high", "memory", "a secret");
  event.run(NOW - 10_000, "system", "alert.firing", "high", "memory", "alert firing: x");
});
afterAll(async () => {
  db.close();
  await dir.cleanup();
});

const sample = (yaml: string) =>
  source
    .sample(parseRuleYaml(yaml), NOW)
    .map((s) => ({ ...s, value: Math.round(s.value * 1000) / 1000 }))
    .sort((a, b) => JSON.stringify(a.labels).localeCompare(JSON.stringify(b.labels)));

describe("signals from the store", () => {
  it("error rate, call rate, outcome counts and latency per server and tool, the requests it served as stats counts them", () => {
    expect(sample("{ name: r, kind: metric, signal: error_rate, threshold: 0 }")).toEqual([
      { labels: { server: "memory", tool: "add" }, value: 0 },
      { labels: { server: "memory", tool: "echo" }, value: 0.3 },
      { labels: { server: "memory", tool: "stop" }, value: 0.2 },
    ]);
    expect(
      sample("{ name: r, kind: metric, signal: error_rate, by: [server], threshold: 0, min_calls: 20 }"),
    ).toEqual([]);
    expect(
      sample("{ name: r, kind: metric, signal: call_rate, by: [server], window: 2m, threshold: 0 }"),
    ).toEqual([{ labels: { server: "memory" }, value: 6 }]);
    expect(
      sample("{ name: r, kind: metric, signal: outcome_count, outcome: timeout, threshold: 0, tool: echo }"),
    ).toEqual([{ labels: { server: "memory", tool: "echo" }, value: 1 }]);
    expect(
      sample("{ name: r, kind: metric, signal: latency_p95, threshold: 0, server: memory, tool: echo }"),
    ).toEqual([{ labels: { server: "memory", tool: "echo" }, value: 1000 }]);
    expect(sample("{ name: r, kind: metric, signal: latency_p50, threshold: 0, tool: echo }")[0]?.value).toBe(
      500,
    );
  });

  it("reads the same from minute rollups once the collector folded the calls (latency within 1%)", () => {
    const errorRate = "{ name: r, kind: metric, signal: error_rate, threshold: 0 }";
    const p95 = "{ name: r, kind: metric, signal: latency_p95, threshold: 0, tool: echo }";
    const before = [sample(errorRate), sample(p95)[0]?.value ?? 0] as const;
    while (foldOnce(db, 1000).folded > 0);
    expect(sample(errorRate)).toEqual(before[0]);
    const after = sample(p95)[0]?.value ?? 0;
    expect(Math.abs(after - before[1])).toBeLessThanOrEqual(before[1] * 0.01 + 0.001);
  });

  it("memory is the newest sample, CPU the mean over the window", () => {
    expect(sample("{ name: r, kind: metric, signal: memory, threshold: 1GiB }")).toEqual([
      { labels: { server: "memory" }, value: 1200 * 1024 ** 2 },
    ]);
    expect(sample("{ name: r, kind: metric, signal: cpu, window: 5m, threshold: 0 }")).toEqual([
      { labels: { server: "memory" }, value: 1 },
    ]);
  });

  it("leaves mcpscope's own processes out of a server's resources unless a rule names them", () => {
    // The built-in high-memory rule is about servers: eighteen small wrappers summed are not one server.
    expect(sample("{ name: high-memory }").map((s) => s.labels.server)).toEqual(["memory"]);
    expect(sample("{ name: r, kind: metric, signal: cpu, window: 5m, threshold: 0, by: [server] }")).toEqual([
      { labels: { server: "memory" }, value: 1 },
    ]);
    expect(
      sample(`{ name: r, kind: metric, signal: memory, threshold: 1GiB, server: "${WRAPPERS_SERVER_NAME}" }`),
    ).toEqual([{ labels: { server: WRAPPERS_SERVER_NAME }, value: 18 * 60 * 1024 ** 2 }]);
  });

  it("absence is the time since a server's last call; health is the newest check's state", () => {
    expect(sample("{ name: r, kind: absence, duration: 30m }")).toEqual([
      { labels: { server: "files" }, value: 40 * 60_000 },
      { labels: { server: "memory" }, value: 10_000 }, // any traffic counts, the server's own requests too
    ]);
    expect(sample("{ name: r, kind: health }")).toEqual([
      { labels: { server: "files" }, value: 1 },
      { labels: { server: "memory" }, value: 0 },
    ]);
    expect(sample("{ name: r, kind: health, state: degraded }")).toEqual([
      { labels: { server: "files" }, value: 0 },
      { labels: { server: "memory" }, value: 0 },
    ]);
  });

  it("logs by level and text; events by type prefix, category and severity, never counting alert events", () => {
    expect(sample("{ name: r, kind: logs, level: warning }")).toEqual([
      { labels: { server: "memory" }, value: 2 },
    ]);
    expect(sample("{ name: r, kind: logs, match: PANIC }")).toEqual([
      { labels: { server: "files" }, value: 1 },
      { labels: { server: "memory" }, value: 1 },
    ]);
    expect(sample("{ name: r, kind: event, type: 'process.*' }")).toEqual([
      { labels: { server: "files" }, value: 2 },
    ]);
    expect(sample("{ name: r, kind: event, category: security, event_severity: high }")).toEqual([
      { labels: { server: "memory" }, value: 1 },
    ]);
    expect(sample("{ name: r, kind: event }")).toEqual([
      { labels: { server: "files" }, value: 2 },
      { labels: { server: "memory" }, value: 1 },
    ]);
    expect(sample("{ name: r, kind: event, type: alert.firing }")).toEqual([
      { labels: { server: "memory" }, value: 1 },
    ]);
  });
});
