/**
 * The `/metrics` document of `mcpscope serve`. Counters and the histogram are cumulative since the engine
 * started (exact, from every call stored after that; they reset when the engine restarts, as Prometheus
 * expects of a process's counters); gauges are read from the store at scrape time.
 */
import { DURATION_BUCKETS_S, type OperationMetrics } from "./operation-metrics.js";
import { PromWriter } from "./prom-text.js";
import type { ServerGauge, StoreGauges } from "./store-gauges.js";

export interface ExporterGauges {
  /** Spans waiting in the OTLP exporter's queue, and what it had to drop (null when OTLP is off). */
  otlp: { queued: number; dropped: number; failedExports: number } | null;
}

export function renderPrometheus(
  metrics: OperationMetrics,
  store: StoreGauges,
  exporter: ExporterGauges,
): string {
  const w = new PromWriter();

  const duration = "mcp_server_operation_duration_seconds";
  w.family(
    duration,
    "histogram",
    "Duration of MCP requests sent to the server, as seen by mcpscope's wrapper.",
  );
  for (const s of metrics.histograms.values()) {
    const labels = {
      server: s.labels.server,
      mcp_method_name: s.labels.method,
      gen_ai_tool_name: s.labels.tool,
      error_type: s.labels.errorType,
    };
    let cumulative = 0;
    DURATION_BUCKETS_S.forEach((le, i) => {
      cumulative += s.counts[i] ?? 0;
      w.sample(`${duration}_bucket`, { ...labels, le: String(le) }, cumulative);
    });
    w.sample(`${duration}_bucket`, { ...labels, le: "+Inf" }, s.count);
    w.sample(`${duration}_sum`, labels, s.sum);
    w.sample(`${duration}_count`, labels, s.count);
  }

  w.family("mcpscope_calls_total", "counter", "Completed MCP requests by outcome, since the engine started.");
  for (const c of metrics.calls.values()) w.sample("mcpscope_calls_total", c.labels, c.value);

  perServer(w, "mcp_server_up", "1 if the latest health check found the server up or degraded.", store.up);
  perServer(
    w,
    "mcp_server_cpu_percent",
    "CPU of the server's process tree, percent of one core.",
    store.cpuPercent,
  );
  perServer(
    w,
    "mcp_server_memory_rss_bytes",
    "Resident memory of the server's process tree.",
    store.rssBytes,
  );

  w.family("mcpscope_database_size_bytes", "gauge", "Size of mcpscope's SQLite database and its WAL.");
  w.sample("mcpscope_database_size_bytes", {}, store.databaseBytes);
  w.family(
    "mcpscope_dropped_rows",
    "gauge",
    "Calls wrappers could not record (dropped from bounded queues, or not observed in full), over stored sessions.",
  );
  w.sample("mcpscope_dropped_rows", {}, store.droppedRows);
  w.family("mcpscope_rollup_backlog_calls", "gauge", "Calls stored but not yet folded into rollups.");
  w.sample("mcpscope_rollup_backlog_calls", {}, store.rollupBacklog);
  w.family("mcpscope_metrics_label_sets", "gauge", "Distinct label sets of the operation histogram.");
  w.sample("mcpscope_metrics_label_sets", {}, metrics.histograms.size);
  w.family(
    "mcpscope_metrics_label_overflow_total",
    "counter",
    `Observations counted under __other__ because the label-set cap (${metrics.maxLabelSets}) was reached.`,
  );
  w.sample("mcpscope_metrics_label_overflow_total", {}, metrics.overflowObservations);

  if (exporter.otlp) {
    w.family("mcpscope_otlp_queue_spans", "gauge", "Spans waiting to be sent to the OTLP endpoint.");
    w.sample("mcpscope_otlp_queue_spans", {}, exporter.otlp.queued);
    w.family(
      "mcpscope_otlp_dropped_spans_total",
      "counter",
      "Spans dropped: queue full or retries exhausted.",
    );
    w.sample("mcpscope_otlp_dropped_spans_total", {}, exporter.otlp.dropped);
    w.family("mcpscope_otlp_failed_exports_total", "counter", "OTLP requests given up after retries.");
    w.sample("mcpscope_otlp_failed_exports_total", {}, exporter.otlp.failedExports);
  }
  return w.text();
}

function perServer(w: PromWriter, name: string, help: string, values: ServerGauge[] | null): void {
  if (!values) return;
  w.family(name, "gauge", help);
  for (const v of values) w.sample(name, { server: v.server }, v.value);
}
