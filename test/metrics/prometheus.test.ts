import { mkdtemp, rm } from "node:fs/promises";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, startHttpServer } from "../../electron/monitor/api/http-server.js";
import { createEngine, type MetricsEngine } from "../../electron/monitor/engine.js";
import type { FeedCall } from "../../electron/monitor/export/call-feed.js";
import {
  DURATION_BUCKETS_S,
  OperationMetrics,
  OTHER,
} from "../../electron/monitor/export/operation-metrics.js";
import { renderPrometheus } from "../../electron/monitor/export/prometheus.js";
import { databasePath } from "../../electron/monitor/paths.js";
import { openDb } from "../../electron/monitor/store/db.js";
import { type Family, PromParseError, parsePrometheusText } from "./prom-parser.js";
import { recordCalls, type TestCall } from "./workload.js";

const TOKEN = "t".repeat(40);
let dir: string;
let engine: MetricsEngine;
let server: RunningServer;

function get(
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port: server.port, path, headers }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => {
        body += chunk;
      });
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, type: String(res.headers["content-type"]), body }),
      );
    });
    req.on("error", reject);
    req.end();
  });
}

async function scrape(): Promise<Map<string, Family>> {
  const res = await get("/metrics", { Authorization: `Bearer ${TOKEN}` });
  expect(res.status).toBe(200);
  expect(res.type).toBe("text/plain; version=0.0.4; charset=utf-8");
  return parsePrometheusText(res.body);
}

function value(
  families: Map<string, Family>,
  name: string,
  labels: Record<string, string>,
): number | undefined {
  const family = families.get(name.replace(/_(bucket|sum|count)$/, "")) ?? families.get(name);
  return family?.samples.find(
    (s) =>
      s.name === name &&
      Object.entries(labels).every(([k, v]) => s.labels[k] === v) &&
      Object.keys(s.labels).length === Object.keys(labels).length,
  )?.value;
}

const T0 = Date.now() - 60_000;
const call = (c: Partial<TestCall> & { durationMs: number }): TestCall => ({
  server: "files",
  method: "tools/call",
  target: "read_file",
  outcome: "ok",
  startedAt: T0,
  ...c,
});
const READ_OK = [0.5, 3, 20, 700, 4000];
const WORKLOAD: TestCall[] = [
  ...READ_OK.map((durationMs) => call({ durationMs })),
  call({ durationMs: 10, outcome: "tool_error" }),
  call({ durationMs: 10, outcome: "tool_error" }),
  call({ durationMs: 30, outcome: "server_error", errorCode: -32603 }),
  ...[1, 2, 2].map((durationMs) => call({ durationMs, method: "tools/list", target: null })),
  ...[1, 2, 3, 4].map(() =>
    call({ server: "memory", target: "create", durationMs: 60_000, outcome: "timeout" }),
  ),
  call({
    server: "memory",
    method: "sampling/createMessage",
    target: null,
    durationMs: 900,
    direction: "s2c",
  }),
];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "mcpscope-prom-"));
  // Stored before the engine starts: not part of its counters.
  recordCalls(dir, [call({ durationMs: 1 })]);
  engine = await createEngine({ dataDir: dir, inventory: false, metrics: { collector: false } });
  server = await startHttpServer({
    engine,
    host: "127.0.0.1",
    port: 0,
    token: TOKEN,
    staticRoot: dir,
    metrics: () => engine.metrics.prometheus(),
  });
  recordCalls(dir, WORKLOAD, { dropped: 7 });
  const db = openDb(databasePath(dir));
  const now = Date.now();
  const health = db.prepare("INSERT INTO health_checks (time, server, status, state) VALUES (?, ?, ?, ?)");
  health.run(now - 60_000, "files", "fail", "down");
  health.run(now - 1000, "files", "ok", "up");
  health.run(now - 1000, "memory", "fail", "down");
  db.prepare(
    "INSERT INTO resource_samples (time, server, pid, cpu_pct, rss_bytes, process_count) VALUES (?, 'files', 1, 12.5, 1048576, 2)",
  ).run(now - 1000);
  db.close();
});
afterAll(async () => {
  await server?.close();
  await engine?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("GET /metrics", () => {
  it("needs the token as a bearer, and the Host check still applies", async () => {
    expect((await get("/metrics")).status).toBe(401);
    expect((await get("/metrics", { Authorization: `Bearer ${"x".repeat(40)}` })).status).toBe(401);
    expect(
      (await get("/metrics", { Authorization: `Bearer ${TOKEN}`, Host: "evil.example:80" })).status,
    ).toBe(421);
  });

  it("parses as Prometheus text, and its values are the workload's", async () => {
    const m = await scrape();
    const h = "mcp_server_operation_duration_seconds";
    expect(m.get(h)?.type).toBe("histogram");
    const read = {
      server: "files",
      mcp_method_name: "tools/call",
      gen_ai_tool_name: "read_file",
      error_type: "",
    };
    for (const le of DURATION_BUCKETS_S) {
      const expected = READ_OK.filter((ms) => ms / 1000 <= le).length;
      expect(value(m, `${h}_bucket`, { ...read, le: String(le) }), `le=${le}`).toBe(expected);
    }
    expect(value(m, `${h}_count`, read)).toBe(5);
    expect(value(m, `${h}_sum`, read)).toBeCloseTo(READ_OK.reduce((a, b) => a + b, 0) / 1000, 9);
    expect(value(m, `${h}_count`, { ...read, error_type: "tool_error" })).toBe(2);
    expect(value(m, `${h}_count`, { ...read, error_type: "-32603" })).toBe(1);
    expect(value(m, `${h}_count`, { ...read, mcp_method_name: "tools/list", gen_ai_tool_name: "" })).toBe(3);
    const create = {
      server: "memory",
      mcp_method_name: "tools/call",
      gen_ai_tool_name: "create",
      error_type: "timeout",
    };
    expect(value(m, `${h}_bucket`, { ...create, le: "30" })).toBe(0);
    expect(value(m, `${h}_bucket`, { ...create, le: "60" })).toBe(4);
    // The server's own request (sampling) is not a server operation, but it is a call.
    expect(m.get(h)?.samples.some((s) => s.labels.mcp_method_name === "sampling/createMessage")).toBe(false);

    const calls = (server: string, outcome: string, direction = "c2s") =>
      value(m, "mcpscope_calls_total", { server, direction, outcome });
    expect([calls("files", "ok"), calls("files", "tool_error"), calls("files", "server_error")]).toEqual([
      8, 2, 1,
    ]);
    expect([calls("memory", "timeout"), calls("memory", "ok", "s2c")]).toEqual([4, 1]);

    expect(value(m, "mcp_server_up", { server: "files" })).toBe(1);
    expect(value(m, "mcp_server_up", { server: "memory" })).toBe(0);
    expect(value(m, "mcp_server_cpu_percent", { server: "files" })).toBe(12.5);
    expect(value(m, "mcp_server_memory_rss_bytes", { server: "files" })).toBe(1048576);
    expect(value(m, "mcpscope_dropped_rows", {})).toBe(14);
    expect(value(m, "mcpscope_database_size_bytes", {})).toBeGreaterThan(4096);
    expect(value(m, "mcpscope_rollup_backlog_calls", {})).toBe(WORKLOAD.length + 1);
    expect(value(m, "mcpscope_metrics_label_overflow_total", {})).toBe(0);
  });

  it("counters only grow across scrapes", async () => {
    const before = await scrape();
    recordCalls(dir, [call({ durationMs: 2 }), call({ durationMs: 5000, outcome: "timeout" })]);
    const after = await scrape();
    let compared = 0;
    for (const name of ["mcp_server_operation_duration_seconds", "mcpscope_calls_total"]) {
      for (const s of before.get(name)?.samples ?? []) {
        const next = after
          .get(name)
          ?.samples.find((x) => x.name === s.name && JSON.stringify(x.labels) === JSON.stringify(s.labels));
        expect(next?.value).toBeGreaterThanOrEqual(s.value);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(50);
    expect(value(after, "mcpscope_calls_total", { server: "files", direction: "c2s", outcome: "ok" })).toBe(
      9,
    );
  });
});

describe("label cardinality", () => {
  it("caps label sets: new tools go to __other__, then everything new to one series; nothing is lost", () => {
    const metrics = new OperationMetrics(3);
    const calls: FeedCall[] = Array.from({ length: 40 }, (_, i) => ({
      id: i + 1,
      server: `s${Math.floor(i / 2)}`,
      direction: "c2s",
      sessionId: "x",
      requestId: String(i),
      method: "tools/call",
      target: `tool-${i}`,
      startedAt: 0,
      durationMs: 1,
      outcome: "ok",
      errorCode: null,
      errorMessage: null,
      protocolVersion: null,
      traceparent: null,
      tracestate: null,
    }));
    metrics.observe(calls);
    // 3 label sets, 10 per-server __other__ sets (the reserve), one all-__other__ set.
    expect(metrics.histograms.size).toBe(14);
    expect(metrics.calls.size).toBe(4);
    const m = parsePrometheusText(
      renderPrometheus(
        metrics,
        { databaseBytes: 0, droppedRows: 0, rollupBacklog: 0, up: null, cpuPercent: null, rssBytes: null },
        { otlp: null },
      ),
    );
    const counts =
      m.get("mcp_server_operation_duration_seconds")?.samples.filter((s) => s.name.endsWith("_count")) ?? [];
    expect(counts.reduce((n, s) => n + s.value, 0)).toBe(40);
    expect(counts.some((s) => s.labels.server === OTHER && s.labels.gen_ai_tool_name === OTHER)).toBe(true);
    // 37 histogram observations past the cap, and 34 calls of servers s3…s19 for the counter.
    expect(value(m, "mcpscope_metrics_label_overflow_total", {})).toBe(37 + 34);
    expect(m.has("mcp_server_up")).toBe(false);
  });

  it("past the cap, a request that is not a tool call keeps an empty tool label", () => {
    const metrics = new OperationMetrics(3);
    const call = (i: number, server: string, method: string, target: string | null): FeedCall => ({
      id: i,
      server,
      direction: "c2s",
      sessionId: server,
      requestId: String(i),
      method,
      target,
      startedAt: 0,
      durationMs: 1,
      outcome: "ok",
      errorCode: null,
      errorMessage: null,
      protocolVersion: null,
      traceparent: null,
      tracestate: null,
    });
    metrics.observe([1, 2, 3, 4].map((i) => call(i, "names", "tools/call", `tool-${i}`)));
    metrics.observe([call(5, "burner", "initialize", null), call(6, "burner", "tools/list", null)]);
    const m = parsePrometheusText(
      renderPrometheus(
        metrics,
        { databaseBytes: 0, droppedRows: 0, rollupBacklog: 0, up: null, cpuPercent: null, rssBytes: null },
        { otlp: null },
      ),
    );
    const counts =
      m.get("mcp_server_operation_duration_seconds")?.samples.filter((s) => s.name.endsWith("_count")) ?? [];
    const burner = counts.filter((s) => s.labels.server === "burner");
    expect(burner.map((s) => [s.labels.mcp_method_name, s.labels.gen_ai_tool_name, s.value])).toEqual([
      ["initialize", "", 1],
      ["tools/list", "", 1],
    ]);
    // Only the fourth tool was relabelled.
    expect(counts.filter((s) => s.labels.gen_ai_tool_name === OTHER).map((s) => s.value)).toEqual([1]);
    expect(value(m, "mcpscope_metrics_label_overflow_total", {})).toBe(1);
  });
});

describe("the test's Prometheus parser", () => {
  const ok = '# HELP a_total A.\n# TYPE a_total counter\na_total{x="1"} 2\n';
  it("accepts valid text and rejects what the format forbids", () => {
    expect(parsePrometheusText(ok).get("a_total")?.samples[0]?.value).toBe(2);
    expect(parsePrometheusText('g{v="a\\"b\\\\c\\nd"} +Inf\n').get("g")?.samples[0]?.labels.v).toBe(
      'a"b\\c\nd',
    );
    for (const bad of [
      ok.trimEnd(),
      `${ok}# TYPE a_total counter\n`,
      `${ok}b 1\na_total{x="2"} 3\n`,
      `${ok}a_total{x="1"} 3\n`,
      'a{x="1",x="2"} 1\n',
      'a{__x="1"} 1\n',
      'a{x="\\t"} 1\n',
      "a 1,5\n",
      "# TYPE c counter\nc -1\n",
      '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_count 1\nh_sum 0\n',
      '# TYPE h histogram\nh_bucket{le="1"} 1\nh_count 1\nh_sum 0\n',
    ]) {
      expect(() => parsePrometheusText(bad), JSON.stringify(bad)).toThrow(PromParseError);
    }
  });
});
