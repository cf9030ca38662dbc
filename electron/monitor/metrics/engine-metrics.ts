/**
 * The engine's metrics, wired in one place: the collector folding rollups, and the live exporters
 * (`/metrics` text, optional OTLP) fed by the calls stored after the engine started.
 */
import { CallFeed } from "../export/call-feed.js";
import { OperationMetrics } from "../export/operation-metrics.js";
import { OtlpExporter, type OtlpOptions } from "../export/otlp.js";
import { renderPrometheus } from "../export/prometheus.js";
import { readStoreGauges } from "../export/store-gauges.js";
import type { Db } from "../store/db.js";
import { VERSION } from "../version.js";
import { MetricsCollector, type MetricsSettings } from "./collector.js";
import type { RetentionSettings } from "./retention.js";

export interface EngineMetricsOptions {
  /** The collector's clock (its retention passes and metric windows); default `Date.now`. */
  now?: () => number;
  /** Collector settings (interval, retention); `false` leaves folding to another engine. */
  collector?: Partial<MetricsSettings> | false;
  /** Retention periods read at each pass (null skips it); else the collector settings' own. */
  retention?: () => RetentionSettings | null;
  /** Cap on distinct label sets per metric (default 2000). */
  maxLabelSets?: number;
  /** Send spans and metrics over OTLP/HTTP; off when absent. */
  otlp?: OtlpOptions;
}

export interface EngineMetrics {
  readonly collector: MetricsCollector;
  readonly otlp: OtlpExporter | null;
  /** The Prometheus text exposition of `/metrics`. */
  prometheus(): string;
  /** The exporters go on from the newest call now stored (after a restore replaced the database). */
  rewind(): void;
  stop(): Promise<void>;
}

export function startEngineMetrics(db: Db, options: EngineMetricsOptions = {}): EngineMetrics {
  const collector = new MetricsCollector(db, options.collector || {}, {
    ...(options.retention ? { retention: options.retention } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  if (options.collector !== false) collector.start();
  const feed = new CallFeed(db);
  const operations = new OperationMetrics(options.maxLabelSets);
  feed.subscribe((calls) => operations.observe(calls));
  const otlp = options.otlp
    ? new OtlpExporter(options.otlp, feed, operations, { name: "mcpscope", version: VERSION })
    : null;
  otlp?.start();

  return {
    collector,
    otlp,
    prometheus() {
      feed.pull(100_000);
      const exporter = otlp
        ? { queued: otlp.queued, dropped: otlp.dropped, failedExports: otlp.failedExports }
        : null;
      return renderPrometheus(operations, readStoreGauges(db), { otlp: exporter });
    },
    rewind() {
      feed.rewind();
    },
    async stop() {
      await Promise.all([collector.stop(), otlp?.stop()]);
    },
  };
}
