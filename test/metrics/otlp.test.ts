import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseOtlpEndpoint } from "../../electron/cli/commands/serve.js";
import { createEngine, type MetricsEngine } from "../../electron/monitor/engine.js";
import { DURATION_BUCKETS_S } from "../../electron/monitor/export/operation-metrics.js";
import { parseTraceparent } from "../../electron/monitor/export/otlp-payload.js";
import { type Json, receiver } from "./otlp-receiver.js";
import { recordCalls, type TestCall } from "./workload.js";

const PARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
const T0 = Date.UTC(2026, 10, 25, 12, 0, 0, 250);

function calls(): TestCall[] {
  const request = (meta: object | null, name: string) => ({
    jsonrpc: "2.0",
    id: 7,
    method: "tools/call",
    params: { name, arguments: { path: "/tmp/a" }, ...(meta ? { _meta: meta } : {}) },
  });
  // Long enough to be stored compressed: its traceparent is read from the decompressed text.
  const long = request({ traceparent: PARENT, tracestate: "congo=t61rcWkgMzE" }, "read_file");
  long.params.arguments = { path: "/tmp/a", content: "lorem ipsum ".repeat(200) } as { path: string };
  return [
    {
      server: "files",
      method: "tools/call",
      target: "read_file",
      outcome: "ok",
      startedAt: T0,
      durationMs: 12.5,
      requestId: "7",
      request: long,
    },
    {
      server: "files",
      method: "tools/call",
      target: "write_file",
      outcome: "tool_error",
      startedAt: T0 + 1000,
      durationMs: 3,
      requestId: "8",
      request: request(
        { traceparent: "00-00000000000000000000000000000000-b7ad6b7169203331-01" },
        "write_file",
      ),
    },
    {
      server: "memory",
      method: "resources/read",
      target: "memory://graph",
      outcome: "server_error",
      errorCode: -32603,
      startedAt: T0 + 2000,
      durationMs: 250,
      requestId: "9",
    },
  ];
}

let dir: string;
let engine: MetricsEngine | undefined;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "mcpscope-otlp-"));
});
afterEach(async () => {
  await engine?.close();
  engine = undefined;
  await rm(dir, { recursive: true, force: true });
});

async function start(endpoint: string, extra: object = {}): Promise<MetricsEngine> {
  engine = await createEngine({
    dataDir: dir,
    inventory: false,
    metrics: {
      collector: false,
      otlp: { endpoint, flushIntervalMs: 60_000, metricsIntervalMs: 60_000, retryBaseMs: 10, ...extra },
    },
  });
  return engine;
}

const attrs = (span: Json) =>
  Object.fromEntries(span.attributes.map((a: Json) => [a.key, a.value.stringValue ?? a.value.intValue]));

describe("OTLP/HTTP exporter", () => {
  it("sends one span per request, parented by the request's traceparent", async () => {
    const rx = await receiver();
    const e = await start(`${rx.url}/`);
    recordCalls(dir, calls(), { protocolVersion: "2025-11-25" });
    await e.metrics.otlp?.flushSpans();
    await rx.close();

    expect(rx.got.map((r) => [r.path, r.type])).toEqual([["/v1/traces", "application/json"]]);
    const resources = rx.got[0]?.body.resourceSpans;
    const service = (r: Json) =>
      r.resource.attributes.find((a: Json) => a.key === "service.name").value.stringValue;
    expect(resources.map(service).sort()).toEqual(["files", "memory"]);
    const spans = resources.flatMap((r: Json) => r.scopeSpans[0].spans);
    const [read, write, resource] = [
      "tools/call read_file",
      "tools/call write_file",
      "resources/read memory://graph",
    ].map((name) => spans.find((s: Json) => s.name === name));

    expect(read.traceId).toBe("0af7651916cd43dd8448eb211c80319c");
    expect(read.parentSpanId).toBe("b7ad6b7169203331");
    expect(read.traceState).toBe("congo=t61rcWkgMzE");
    expect(read.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(read.kind).toBe(2);
    expect(read.startTimeUnixNano).toBe(`${T0}000000`);
    expect(BigInt(read.endTimeUnixNano) - BigInt(read.startTimeUnixNano)).toBe(12_500_000n);
    expect(read.status).toEqual({ code: 0 });
    const a = attrs(read);
    expect(a).toMatchObject({
      "mcp.method.name": "tools/call",
      "gen_ai.tool.name": "read_file",
      "jsonrpc.request.id": "7",
      "mcp.protocol.version": "2025-11-25",
    });
    expect(a["mcp.session.id"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(a["error.type"]).toBeUndefined();

    // An all-zero trace id is invalid: a new trace, no parent.
    expect(write.parentSpanId).toBeUndefined();
    expect(write.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(write.traceId).not.toBe(read.traceId);
    expect(attrs(write)["error.type"]).toBe("tool_error");
    expect(write.status.code).toBe(2);

    expect(attrs(resource)).toMatchObject({ "mcp.resource.uri": "memory://graph", "error.type": "-32603" });
    expect(e.metrics.otlp?.sentSpans).toBe(3);
  });

  it("sends the duration histogram with the semantic-convention name, in seconds", async () => {
    const rx = await receiver();
    const e = await start(rx.url);
    recordCalls(dir, calls());
    await e.metrics.otlp?.flushSpans();
    expect(await e.metrics.otlp?.sendMetrics()).toBe(true);
    await rx.close();
    const body = rx.got.find((r) => r.path === "/v1/metrics")?.body;
    const files = body.resourceMetrics.find(
      (r: Json) => r.resource.attributes[0].value.stringValue === "files",
    );
    const metric = files.scopeMetrics[0].metrics[0];
    expect(metric).toMatchObject({ name: "mcp.server.operation.duration", unit: "s" });
    expect(metric.histogram.aggregationTemporality).toBe(2);
    const point = metric.histogram.dataPoints.find((p: Json) => attrs(p)["gen_ai.tool.name"] === "read_file");
    expect(point.count).toBe("1");
    expect(point.sum).toBeCloseTo(0.0125, 9);
    expect(point.explicitBounds).toEqual(DURATION_BUCKETS_S);
    expect(point.bucketCounts.map(Number)).toEqual(
      DURATION_BUCKETS_S.map((le, i) =>
        Number(0.0125 <= le && 0.0125 > (DURATION_BUCKETS_S[i - 1] ?? 0)),
      ).concat(0),
    );
  });

  it("retries 503s with backoff and delivers once", async () => {
    const rx = await receiver([503, 503]);
    const e = await start(rx.url);
    recordCalls(dir, calls());
    await e.metrics.otlp?.flushSpans();
    await rx.close();
    expect(rx.got).toHaveLength(3);
    expect(rx.got[2]?.body).toEqual(rx.got[0]?.body);
    expect([e.metrics.otlp?.retries, e.metrics.otlp?.sentSpans, e.metrics.otlp?.dropped]).toEqual([2, 3, 0]);
  });

  it("with the endpoint down, drops from a bounded queue, counts it, and never waits long", async () => {
    const rx = await receiver();
    await rx.close();
    const e = await start(rx.url, { maxQueue: 2, maxRetries: 1 });
    recordCalls(dir, calls());
    const t = Date.now();
    await e.metrics.otlp?.flushSpans();
    expect(Date.now() - t).toBeLessThan(2000);
    // 1 dropped at the queue, 2 after the retry failed.
    expect([e.metrics.otlp?.dropped, e.metrics.otlp?.failedExports, e.metrics.otlp?.queued]).toEqual([
      3, 1, 0,
    ]);
    expect(e.metrics.prometheus()).toMatch(/^mcpscope_otlp_dropped_spans_total 3$/m);
  });

  it("sends a URL's user:password as Basic auth, never prints the password, keeps the query last", async () => {
    const rx = await receiver();
    const endpoint = rx.url.replace("http://", "http://otlp%40user:Pw%2Fx9K8j7h6@") + "/otel/?tenant=a";
    const parsed = parseOtlpEndpoint(endpoint);
    expect(parsed?.shown).not.toContain("Pw");
    expect(parsed?.shown).toContain("Basic auth");
    const e = await start(endpoint);
    recordCalls(dir, calls());
    await e.metrics.otlp?.flushSpans();
    await rx.close();
    expect(rx.got.map((r) => r.path)).toEqual(["/otel/v1/traces?tenant=a"]);
    expect(rx.got[0]?.authorization).toBe(`Basic ${Buffer.from("otlp@user:Pw/x9K8j7h6").toString("base64")}`);
    expect(e.metrics.otlp?.sentSpans).toBe(3);
  });

  it("counts a refused export in /metrics and says it once in mcpscope's log, without the password", async () => {
    const rx = await receiver([401, 401]);
    const e = await start(rx.url.replace("http://", "http://u:SecretPw5t4r3@"));
    recordCalls(dir, calls());
    await e.metrics.otlp?.flushSpans();
    recordCalls(
      dir,
      calls().map((c) => ({ ...c, requestId: `${c.requestId}b` })),
    );
    await e.metrics.otlp?.flushSpans();
    await rx.close();
    // 401 is not retried: one request per batch.
    expect(rx.got).toHaveLength(2);
    expect(e.metrics.prometheus()).toMatch(/^mcpscope_otlp_failed_exports_total 2$/m);
    await e.close();
    engine = undefined;
    const db = new DatabaseSync(join(dir, "mcpscope.db"));
    const lines = db
      .prepare("SELECT message FROM logs WHERE server = 'mcpscope' AND message LIKE '%OTLP%'")
      .all()
      .map((r) => String(r.message));
    db.close();
    expect(lines).toEqual([
      expect.stringMatching(/^OTLP export to http:\/\/127\.0\.0\.1:\d+\/v1\/traces failed \(HTTP 401\)/),
    ]);
    expect(lines[0]).not.toContain("SecretPw");
  });

  it("is off unless --otlp-endpoint names an http(s) URL", () => {
    expect(parseOtlpEndpoint(undefined)).toBeUndefined();
    expect(parseOtlpEndpoint("http://127.0.0.1:4318")).toEqual({
      endpoint: "http://127.0.0.1:4318",
      shown: "http://127.0.0.1:4318",
    });
    expect(() => parseOtlpEndpoint("localhost:4318")).toThrow(/http:\/\/ or https:\/\//);
    expect(() => parseOtlpEndpoint("not a url")).toThrow(/not a URL/);
  });

  it("accepts only valid W3C traceparent values", () => {
    expect(parseTraceparent(PARENT)).toEqual({
      traceId: "0af7651916cd43dd8448eb211c80319c",
      spanId: "b7ad6b7169203331",
    });
    for (const bad of [
      null,
      "",
      "ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
      `${PARENT}-extra`,
      "00-xyz",
    ]) {
      expect(parseTraceparent(bad)).toBeNull();
    }
    expect(parseTraceparent(`01${PARENT.slice(2)}-future`)?.traceId).toBe("0af7651916cd43dd8448eb211c80319c");
  });
});
