/**
 * Cumulative counters since the engine started, fed by new calls: the operation-duration histogram
 * (fixed buckets, for Prometheus and OTLP) and calls by outcome. Label sets are capped: past the cap a new
 * tool is counted as `__other__`, and past a small reserve for those, everything new goes to one all-
 * `__other__` series; every observation relabelled that way is counted in `overflowObservations`.
 */
import { isErrorOutcome } from "../../../shared/domain.js";
import type { FeedCall } from "./call-feed.js";

/** Upper bounds in seconds: sub-millisecond pings to multi-minute tool runs. */
export const DURATION_BUCKETS_S = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300,
];
export const OTHER = "__other__";
export const DEFAULT_MAX_LABEL_SETS = 2000;

export interface OperationLabels {
  server: string;
  method: string;
  /** The tool of a `tools/call`, else "". */
  tool: string;
  /** "" when ok; the JSON-RPC error code for JSON-RPC errors; else the outcome (tool_error, timeout…). */
  errorType: string;
}

export interface HistogramSeries {
  labels: OperationLabels;
  /** Per bucket (not cumulative), the last one for values above every bound. */
  counts: number[];
  count: number;
  /** Seconds. */
  sum: number;
}

export interface CallCounter {
  labels: { server: string; direction: string; outcome: string };
  value: number;
}

/** `error.type` as the MCP semantic conventions define it. */
export function errorType(outcome: string, errorCode: number | null): string {
  if (!isErrorOutcome(outcome)) return "";
  if ((outcome === "client_error" || outcome === "server_error") && errorCode !== null)
    return String(errorCode);
  return outcome;
}

export class OperationMetrics {
  readonly histograms = new Map<string, HistogramSeries>();
  readonly calls = new Map<string, CallCounter>();
  /** Observations (histogram or counter) whose labels were replaced by `__other__` because of the cap. */
  overflowObservations = 0;
  private readonly reserve: number;

  constructor(readonly maxLabelSets = DEFAULT_MAX_LABEL_SETS) {
    this.reserve = Math.max(10, Math.ceil(maxLabelSets / 10));
  }

  observe(calls: FeedCall[]): void {
    for (const call of calls) {
      this.count(call);
      // The server's operation duration: requests the client sent to the server.
      if (call.direction === "c2s") this.time(call);
    }
  }

  private time(call: FeedCall): void {
    let labels: OperationLabels = {
      server: call.server,
      method: call.method,
      tool: call.method === "tools/call" ? (call.target ?? "") : "",
      errorType: errorType(call.outcome, call.errorCode),
    };
    let key = histogramKey(labels);
    let series = this.histograms.get(key);
    if (!series) {
      if (this.histograms.size >= this.maxLabelSets) {
        const asked = key;
        // Only a tool call has a tool to fold; any other new operation takes a reserve set as it is.
        if (labels.tool !== "") {
          labels = { ...labels, tool: OTHER };
          key = histogramKey(labels);
        }
        if (!this.histograms.has(key) && this.histograms.size >= this.maxLabelSets + this.reserve) {
          labels = { server: OTHER, method: OTHER, tool: OTHER, errorType: OTHER };
          key = histogramKey(labels);
        }
        if (key !== asked) this.overflowObservations++;
        series = this.histograms.get(key);
      }
      if (!series) {
        series = { labels, counts: new Array(DURATION_BUCKETS_S.length + 1).fill(0), count: 0, sum: 0 };
        this.histograms.set(key, series);
      }
    }
    const seconds = call.durationMs / 1000;
    let i = 0;
    while (i < DURATION_BUCKETS_S.length && seconds > (DURATION_BUCKETS_S[i] ?? 0)) i++;
    series.counts[i] = (series.counts[i] ?? 0) + 1;
    series.count++;
    series.sum += seconds;
  }

  private count(call: FeedCall): void {
    let labels = { server: call.server, direction: call.direction, outcome: call.outcome };
    let key = `${labels.server}\u0000${labels.direction}\u0000${labels.outcome}`;
    let counter = this.calls.get(key);
    if (!counter && this.calls.size >= this.maxLabelSets) {
      this.overflowObservations++;
      labels = { ...labels, server: OTHER };
      key = `${OTHER}\u0000${labels.direction}\u0000${labels.outcome}`;
      counter = this.calls.get(key);
    }
    if (!counter) {
      counter = { labels, value: 0 };
      this.calls.set(key, counter);
    }
    counter.value++;
  }
}

function histogramKey(l: OperationLabels): string {
  return `${l.server}\u0000${l.method}\u0000${l.tool}\u0000${l.errorType}`;
}
