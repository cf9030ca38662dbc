/**
 * OTLP/HTTP JSON payloads (opentelemetry-proto's JSON mapping: hex trace and span ids, 64-bit integers as
 * strings, enums as numbers). One resource per monitored server (`service.name`); one SERVER span per
 * request the client sent (CLIENT for the server's own requests), named `{mcp.method.name} {target}`,
 * and the `mcp.server.operation.duration` histogram in seconds.
 */
import { randomBytes } from "node:crypto";
import type { FeedCall } from "./call-feed.js";
import { DURATION_BUCKETS_S, errorType, type OperationMetrics } from "./operation-metrics.js";

type AnyValue = { stringValue: string } | { intValue: string } | { doubleValue: number };
export interface KeyValue {
  key: string;
  value: AnyValue;
}

export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  traceState?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: KeyValue[];
  status: { code: number; message?: string };
}

const SPAN_KIND_SERVER = 2;
const SPAN_KIND_CLIENT = 3;
const STATUS_UNSET = 0;
const STATUS_ERROR = 2;
const TEMPORALITY_CUMULATIVE = 2;

/** A W3C `traceparent` (version 00 layout); null if absent or invalid. */
export function parseTraceparent(value: string | null): { traceId: string; spanId: string } | null {
  const match = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/.exec(value?.trim() ?? "");
  if (!match || match[1] === "ff" || (match[1] === "00" && match[5])) return null;
  const [traceId, spanId] = [match[2] as string, match[3] as string];
  if (/^0+$/.test(traceId) || /^0+$/.test(spanId)) return null;
  return { traceId, spanId };
}

export function unixNano(ms: number): string {
  return (BigInt(Math.round(ms * 1000)) * 1000n).toString();
}

const str = (key: string, value: string): KeyValue => ({ key, value: { stringValue: value } });

export function spanFromCall(call: FeedCall): OtlpSpan {
  const parent = parseTraceparent(call.traceparent);
  const error = errorType(call.outcome, call.errorCode);
  const attributes: KeyValue[] = [
    str("mcp.method.name", call.method),
    str("jsonrpc.request.id", call.requestId),
    str("mcp.session.id", call.sessionId),
    str("network.transport", "pipe"),
  ];
  if (call.target !== null) {
    if (call.method === "tools/call") {
      attributes.push(str("gen_ai.tool.name", call.target), str("gen_ai.operation.name", "execute_tool"));
    } else if (call.method === "prompts/get") attributes.push(str("gen_ai.prompt.name", call.target));
    else if (call.method === "resources/read") attributes.push(str("mcp.resource.uri", call.target));
  }
  if (call.protocolVersion) attributes.push(str("mcp.protocol.version", call.protocolVersion));
  if (error) attributes.push(str("error.type", error));
  if (call.errorCode !== null)
    attributes.push({ key: "rpc.jsonrpc.error_code", value: { intValue: String(call.errorCode) } });
  const span: OtlpSpan = {
    traceId: parent?.traceId ?? randomBytes(16).toString("hex"),
    spanId: randomBytes(8).toString("hex"),
    name: call.target !== null ? `${call.method} ${call.target}` : call.method,
    kind: call.direction === "s2c" ? SPAN_KIND_CLIENT : SPAN_KIND_SERVER,
    startTimeUnixNano: unixNano(call.startedAt),
    endTimeUnixNano: unixNano(call.startedAt + call.durationMs),
    attributes,
    status: error
      ? { code: STATUS_ERROR, message: (call.errorMessage ?? error).slice(0, 256) }
      : { code: STATUS_UNSET },
  };
  if (parent) span.parentSpanId = parent.spanId;
  if (parent && call.tracestate) span.traceState = call.tracestate;
  return span;
}

function group<T>(map: Map<string, T[]>, key: string): T[] {
  let list = map.get(key);
  if (!list) {
    list = [];
    map.set(key, list);
  }
  return list;
}

export interface Scope {
  name: string;
  version: string;
}

function resource(server: string) {
  return { attributes: [str("service.name", server), str("mcpscope.observed_by", "mcpscope run")] };
}

export function tracesPayload(spans: { server: string; span: OtlpSpan }[], scope: Scope) {
  const byServer = new Map<string, OtlpSpan[]>();
  for (const { server, span } of spans) group(byServer, server).push(span);
  return {
    resourceSpans: [...byServer].map(([server, list]) => ({
      resource: resource(server),
      scopeSpans: [{ scope, spans: list }],
    })),
  };
}

export function metricsPayload(metrics: OperationMetrics, startMs: number, nowMs: number, scope: Scope) {
  const byServer = new Map<string, unknown[]>();
  for (const s of metrics.histograms.values()) {
    const attributes = [str("mcp.method.name", s.labels.method)];
    if (s.labels.tool) attributes.push(str("gen_ai.tool.name", s.labels.tool));
    if (s.labels.errorType) attributes.push(str("error.type", s.labels.errorType));
    const point = {
      attributes,
      startTimeUnixNano: unixNano(startMs),
      timeUnixNano: unixNano(nowMs),
      count: String(s.count),
      sum: s.sum,
      bucketCounts: s.counts.map(String),
      explicitBounds: DURATION_BUCKETS_S,
    };
    group(byServer, s.labels.server).push(point);
  }
  return {
    resourceMetrics: [...byServer].map(([server, dataPoints]) => ({
      resource: resource(server),
      scopeMetrics: [
        {
          scope,
          metrics: [
            {
              name: "mcp.server.operation.duration",
              description: "Duration of MCP requests sent to the server, as seen by mcpscope's wrapper.",
              unit: "s",
              histogram: { aggregationTemporality: TEMPORALITY_CUMULATIVE, dataPoints },
            },
          ],
        },
      ],
    })),
  };
}
