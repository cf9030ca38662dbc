/**
 * The optional OTLP/HTTP exporter (JSON): one span per request to `<endpoint>/v1/traces`, and the
 * cumulative operation-duration histogram to `<endpoint>/v1/metrics`. Spans wait in a bounded queue
 * (overflow is dropped and counted), leave in batches, one request at a time, and are retried with
 * exponential backoff on network errors, 429, 502, 503 and 504. Nothing here blocks the engine: reads
 * are one indexed query per flush, sends are asynchronous, and every timer is unref'd.
 */
import { maskText } from "../discovery/mask-config.js";
import { splitUrlCredentials } from "../url-credentials.js";
import type { CallFeed, FeedCall } from "./call-feed.js";
import type { OperationMetrics } from "./operation-metrics.js";
import { metricsPayload, type OtlpSpan, type Scope, spanFromCall, tracesPayload } from "./otlp-payload.js";

export interface OtlpOptions {
  /**
   * Base URL, e.g. http://127.0.0.1:4318; `/v1/traces` and `/v1/metrics` are appended to its path. A
   * `user:password@` in it is sent as HTTP Basic auth (see `otlpEndpoint`).
   */
  endpoint: string;
  headers?: Record<string, string>;
  /** Told, in a line without credentials, each time an export is given up (the caller rate-limits). */
  report?: (line: string) => void;
  /** How often new calls are read and spans sent, ms (default 2 s). */
  flushIntervalMs?: number;
  /** How often the histogram is sent, ms (default 60 s, OpenTelemetry's default). */
  metricsIntervalMs?: number;
  /** Spans held at most (default 2048); past it new spans are dropped and counted. */
  maxQueue?: number;
  /** Spans per request (default 512). */
  maxBatch?: number;
  /** Attempts after the first (default 5). */
  maxRetries?: number;
  /** First backoff, doubled each retry with jitter, capped at 30 s (default 1 s). */
  retryBaseMs?: number;
  /** Per request (default 10 s). */
  timeoutMs?: number;
}

const RETRYABLE = new Set([429, 502, 503, 504]);
const MAX_BACKOFF_MS = 30_000;
const SHUTDOWN_GRACE_MS = 2000;

/**
 * The endpoint as the exporter sends to it: the URL without `user:password@` (fetch refuses such URLs)
 * and those credentials as an `Authorization: Basic` header, as curl and other exporters send them.
 * `shown` is what may be printed or logged: it never carries the password.
 */
export function otlpEndpoint(
  text: string,
  headers: Record<string, string> = {},
): { url: URL; headers: Record<string, string>; shown: string } {
  const split = splitUrlCredentials(new URL(text), headers);
  const bare = maskText(split.url.href.replace(/\/+$/, ""));
  return { ...split, shown: split.headers === headers ? bare : `${bare} (Basic auth from the URL)` };
}

/** `<base path>/v1/traces`, keeping the base URL's query after it. */
function signalUrl(base: URL, path: string): URL {
  const url = new URL(base.href);
  url.pathname = `${url.pathname.replace(/\/+$/, "")}${path}`;
  return url;
}

function failureReason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } } | null)?.cause;
  if (error instanceof Error && error.name === "TimeoutError") return "timed out";
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}
export class OtlpExporter {
  sentSpans = 0;
  dropped = 0;
  failedExports = 0;
  retries = 0;
  private queue: { server: string; span: OtlpSpan }[] = [];
  private sending: Promise<void> | null = null;
  private timers: NodeJS.Timeout[] = [];
  private closing = false;
  private readonly abort = new AbortController();
  private readonly o: Required<Omit<OtlpOptions, "headers" | "endpoint" | "report">> & {
    headers: Record<string, string>;
    endpoint: URL;
  };

  constructor(
    private readonly options: OtlpOptions,
    private readonly feed: CallFeed,
    private readonly metrics: OperationMetrics,
    private readonly scope: Scope,
    private readonly startedAt = Date.now(),
  ) {
    const target = otlpEndpoint(options.endpoint, options.headers);
    this.o = {
      flushIntervalMs: 2000,
      metricsIntervalMs: 60_000,
      maxQueue: 2048,
      maxBatch: 512,
      maxRetries: 5,
      retryBaseMs: 1000,
      timeoutMs: 10_000,
      ...options,
      headers: target.headers,
      endpoint: target.url,
    };
    feed.readTraceContext();
    feed.subscribe((calls) => this.enqueue(calls));
  }

  get queued(): number {
    return this.queue.length;
  }

  start(): void {
    const every = (ms: number, fn: () => void) => {
      const timer = setInterval(fn, ms);
      timer.unref();
      this.timers.push(timer);
    };
    every(this.o.flushIntervalMs, () => void this.flushSpans());
    every(this.o.metricsIntervalMs, () => void this.sendMetrics());
  }

  /** Reads new calls and sends every queued span (used by the timer, by shutdown and by tests). */
  async flushSpans(): Promise<void> {
    try {
      this.feed.pull();
    } catch {
      // A busy database: the next flush reads it.
    }
    if (!this.sending) {
      this.sending = this.drain().finally(() => {
        this.sending = null;
      });
    }
    await this.sending;
  }

  async sendMetrics(): Promise<boolean> {
    if (this.metrics.histograms.size === 0) return true;
    const body = metricsPayload(this.metrics, this.startedAt, Date.now(), this.scope);
    return this.post("/v1/metrics", body);
  }

  /** Stops the timers and sends what is left, for at most 2 s. */
  async stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    this.closing = true;
    const grace = new Promise<void>((resolve) => setTimeout(resolve, SHUTDOWN_GRACE_MS).unref());
    await Promise.race([Promise.all([this.flushSpans(), this.sendMetrics()]), grace]);
    this.abort.abort();
  }

  private enqueue(calls: FeedCall[]): void {
    for (const call of calls) {
      if (this.queue.length >= this.o.maxQueue) {
        this.dropped++;
        continue;
      }
      this.queue.push({ server: call.server, span: spanFromCall(call) });
    }
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.o.maxBatch);
      if (await this.post("/v1/traces", tracesPayload(batch, this.scope))) this.sentSpans += batch.length;
      else this.dropped += batch.length;
    }
  }

  /** POSTs with retries; false when given up (counted in `failedExports`). */
  private async post(path: string, body: unknown): Promise<boolean> {
    const text = JSON.stringify(body);
    const url = signalUrl(this.o.endpoint, path);
    let reason = "";
    for (let attempt = 0; ; attempt++) {
      let retryAfterMs = 0;
      try {
        const response = await fetch(url, {
          method: "POST",
          headers: { "Content-Type": "application/json", ...this.o.headers },
          body: text,
          signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.o.timeoutMs)]),
        });
        await response.arrayBuffer().catch(() => undefined);
        if (response.ok) return true;
        reason = `HTTP ${response.status}`;
        if (!RETRYABLE.has(response.status)) break;
        retryAfterMs = Number(response.headers.get("retry-after")) * 1000 || 0;
      } catch (error) {
        reason = failureReason(error);
        if (this.abort.signal.aborted) break;
      }
      if (attempt >= this.o.maxRetries || this.closing) break;
      this.retries++;
      const backoff = this.o.retryBaseMs * 2 ** attempt * (0.5 + Math.random());
      await new Promise((resolve) =>
        setTimeout(resolve, Math.min(MAX_BACKOFF_MS, Math.max(backoff, retryAfterMs))).unref(),
      );
    }
    this.failedExports++;
    this.options.report?.(
      `OTLP export to ${maskText(url.href)} failed (${reason}); ${this.failedExports} export(s) given up so far (mcpscope_otlp_failed_exports_total)`,
    );
    return false;
  }
}
