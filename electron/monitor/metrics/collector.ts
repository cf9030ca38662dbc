/**
 * The specification's `MetricsCollector`: every collection interval it folds the calls wrappers stored
 * into minute, hour and day rollups, and now and then deletes what is past its retention period, in short
 * transactions with the event loop free in between. Several engines may run collectors on one database
 * (the app and `mcpscope serve`): the high-water mark in the database keeps their work disjoint.
 */
import { setImmediate as yieldToLoop } from "node:timers/promises";
import { recordAdminAction } from "../audit/audit-log.js";
import { MonitoringError } from "../errors.js";
import type { Db } from "../store/db.js";
import { foldOnce } from "./fold.js";
import { unfoldedCalls } from "./fold-at-read.js";
import { FoldThread } from "./fold-thread.js";
import { type MetricSet, metricSet } from "./metric-set.js";
import { DEFAULT_RETENTION, type RetentionSettings, retentionStep } from "./retention.js";

export interface MetricsSettings {
  /** How often new calls are folded into rollups, ms (default 15 s). */
  collectionIntervalMs: number;
  /** How long raw calls, minutes, hours and days are kept (defaults 7 d, 7 d, 90 d, 2 years). */
  retention: RetentionSettings;
  /** How often retention runs, ms (default 10 min). */
  retentionIntervalMs: number;
  /**
   * Calls folded per transaction at first and at least (default 1000): below that a transaction's
   * per-series work outweighs its calls, and on a machine too busy to fold this many in the target time,
   * smaller ones would fold too few a second to keep up while freeing the lock little sooner.
   */
  foldBatch: number;
}

export const DEFAULT_METRICS_SETTINGS: MetricsSettings = {
  collectionIntervalMs: 15_000,
  retention: DEFAULT_RETENTION,
  retentionIntervalMs: 600_000,
  foldBatch: 1000,
};

/**
 * Folding sizes its batches so that each step takes about this much wall time: wrappers wait for the write
 * lock while a batch's rows are written (on a busy machine the fold worker, below the engine in priority,
 * waits for a core while holding it too, so wall time is what they wait), and on the engine's thread its
 * feeds and requests wait for the whole step. Larger batches fold more calls a second (each writes the
 * minute, hour and day row of every series it touches once, however many calls it adds to them), so they
 * grow while they stay under it, and shrink in proportion when one takes longer. On the fold worker only
 * the write transaction counts: reading and grouping the calls holds no lock and no one waits for it.
 */
const TARGET_TRANSACTION_MS = 40;
/** At most this many calls a batch: its rows and sketches stay a few MiB. */
const MAX_FOLD_BATCH = 50_000;
/**
 * How often a collector that checkpoints itself does (a checkpoint after every transaction would cost a
 * fifth more CPU per call; SQLite's own threshold is 4096 pages).
 */
const CHECKPOINT_EVERY_MS = 500;
/** After a run that had a backlog to fold, the next comes this soon (not a whole interval later). */
const BUSY_INTERVAL_MS = 1000;

export interface CollectorOptions {
  now?: () => number;
  /**
   * The retention periods at each pass (a hand edit of settings.json applies without a restart), or
   * null to skip the pass: settings.json cannot be read and the user's periods are not known.
   */
  retention?: () => RetentionSettings | null;
  onProblem?: (error: MonitoringError) => void;
  /**
   * Whether this collector's connection checkpoints the WAL itself, between fold transactions, instead
   * of SQLite doing it inside whichever commit crosses the threshold (the fold worker's connection, which
   * writes most of the WAL: a checkpoint there would lengthen its transactions' wall time).
   */
  checkpoint?: boolean;
  /**
   * Whether this collector runs on a thread of its own (the fold worker): batches are then sized by their
   * write transaction alone, not by the whole step.
   */
  background?: boolean;
  /**
   * Where the fold worker's bundle is (default: beside this bundle), or false: the timer's runs fold on
   * this thread. Without the bundle they do too. `collect` and `catchUp` always fold on this thread.
   */
  worker?: URL | false;
}

export class MetricsCollector {
  readonly collectionIntervalMs: number;
  readonly retentionPeriod: RetentionSettings;
  /** The last set `collectMetrics()` returned. */
  metrics: MetricSet | null = null;
  /** Calls this collector folded (another engine's collector may fold the rest). */
  folded = 0;
  failures = 0;
  private readonly settings: MetricsSettings;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | null = null;
  private firstTimer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  private lastRetention = 0;
  private soonTimer: NodeJS.Timeout | null = null;
  /** Calls per fold transaction, adapted to `TARGET_TRANSACTION_MS`. */
  private batch: number;
  /** The longest fold transaction so far, wall time in ms (writers wait that long for the lock at most). */
  longestTransactionMs = 0;
  private readonly thread: FoldThread | null;
  private checkpointed = Number.NEGATIVE_INFINITY;

  constructor(
    readonly storage: Db,
    settings: Partial<MetricsSettings> = {},
    private readonly options: CollectorOptions = {},
  ) {
    this.settings = { ...DEFAULT_METRICS_SETTINGS, ...settings };
    this.collectionIntervalMs = this.settings.collectionIntervalMs;
    this.retentionPeriod = this.settings.retention;
    this.now = options.now ?? Date.now;
    this.batch = this.settings.foldBatch;
    if (options.checkpoint) storage.exec("PRAGMA wal_autocheckpoint = 0");
    this.thread =
      options.worker === false
        ? null
        : new FoldThread(
            options.worker ?? new URL("./fold-worker.mjs", import.meta.url),
            { dbPath: storage.path, foldBatch: this.settings.foldBatch },
            (message) => options.onProblem?.(MonitoringError.collection(message)),
          );
  }

  start(): void {
    if (this.timer || this.stopped) return;
    this.firstTimer = setTimeout(() => void this.tick(), Math.min(1000, this.collectionIntervalMs));
    this.firstTimer.unref();
    this.timer = setInterval(() => void this.tick(), this.collectionIntervalMs);
    this.timer.unref();
  }

  /** Stops the timer and waits for a running fold to finish its transaction. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.firstTimer) clearTimeout(this.firstTimer);
    if (this.soonTimer) clearTimeout(this.soonTimer);
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.thread?.close();
    await this.running;
  }

  /** Folds every call stored so far, synchronously; returns how many this collector folded. */
  collect(): number {
    let total = 0;
    for (let more = true; more; ) {
      const folded = this.foldStep();
      total += folded.folded;
      more = folded.more;
    }
    return total;
  }

  /**
   * Folds every call stored so far, in short transactions with the event loop free between them; returns
   * how many this collector folded. However large the backlog, one run clears it.
   */
  async catchUp(): Promise<number> {
    let total = 0;
    for (let more = true; more && !this.stopped; ) {
      const folded = this.foldStep();
      total += folded.folded;
      more = folded.more;
      if (more) await yieldToLoop();
    }
    return total;
  }

  /** One fold transaction, its size adapted to how long the last one took. */
  private foldStep(): { folded: number; more: boolean } {
    const batch = this.batch;
    const started = performance.now();
    const { folded, lockMs } = foldOnce(this.storage, batch);
    const took = this.options.background ? lockMs : performance.now() - started;
    this.longestTransactionMs = Math.max(this.longestTransactionMs, lockMs);
    this.folded += folded;
    if (this.options.checkpoint && !(performance.now() - this.checkpointed < CHECKPOINT_EVERY_MS)) {
      this.storage.exec("PRAGMA wal_checkpoint(PASSIVE)");
      this.checkpointed = performance.now();
    }
    const more = folded === batch;
    // The next one as large as this one's pace fits in the target, at most twice or half this one.
    if (more || took > TARGET_TRANSACTION_MS) {
      const fits = Math.round((batch * TARGET_TRANSACTION_MS) / Math.max(took, 1));
      this.batch = Math.min(
        MAX_FOLD_BATCH,
        Math.max(this.settings.foldBatch, batch >> 1, Math.min(batch * 2, fits)),
      );
    }
    return { folded, more };
  }

  /** Deletes everything past its retention period, synchronously; returns the rows deleted. */
  enforceRetention(): number {
    const period = this.options.retention ? this.options.retention() : this.retentionPeriod;
    if (!period) return 0;
    let total = 0;
    for (let n = 1; n > 0; total += n) n = retentionStep(this.storage, period, this.now());
    return total;
  }

  /**
   * The current metric set: per server, method and target over the last collection window (default),
   * counts by outcome, error rate and p50/p95/p99 from merged sketches.
   */
  collectMetrics(windowMs = this.collectionIntervalMs): MetricSet {
    try {
      const until = this.now();
      this.metrics = metricSet(this.storage, until - windowMs, until);
      return this.metrics;
    } catch (error) {
      throw MonitoringError.collection(`cannot read metrics: ${(error as Error).message}`, error);
    }
  }

  /** Calls stored but not folded yet. */
  backlog(): number {
    return unfoldedCalls(this.storage);
  }

  private async tick(): Promise<void> {
    if (this.running || this.stopped) return;
    this.running = this.work().finally(() => {
      this.running = null;
    });
    await this.running;
  }

  private async work(): Promise<void> {
    try {
      // On the fold worker when there is one (the engine's thread stays free), else here.
      const report = await this.thread?.catchUp();
      if (report) {
        this.folded += report.folded;
        this.longestTransactionMs = Math.max(this.longestTransactionMs, report.longestMs);
      }
      const folded = report ? report.folded : await this.catchUp();
      // Busy: come back soon, so that the calls waiting to be folded (which every read of recent
      // metrics scans raw) stay about a second's worth.
      if (folded > 0 && !this.stopped && !this.soonTimer && this.collectionIntervalMs > BUSY_INTERVAL_MS) {
        this.soonTimer = setTimeout(() => {
          this.soonTimer = null;
          void this.tick();
        }, BUSY_INTERVAL_MS);
        this.soonTimer.unref();
      }
      const now = this.now();
      if (now - this.lastRetention < this.settings.retentionIntervalMs) return;
      const period = this.options.retention ? this.options.retention() : this.retentionPeriod;
      if (!period) return;
      this.lastRetention = now;
      let deleted = 0;
      for (let n = 1; !this.stopped && n > 0; deleted += n) {
        n = retentionStep(this.storage, period, now);
        if (n > 0) await yieldToLoop();
      }
      // Deletion by retention is an administrative action: audited, one record per run that deleted.
      if (deleted > 0) {
        recordAdminAction(this.storage, {
          action: "retention_delete",
          actor: "retention",
          target: "metrics",
          details: { rows: deleted },
          time: now,
        });
      }
    } catch (error) {
      // Busy or locked by another writer for longer than the busy timeout: the next tick tries again.
      this.failures++;
      this.options.onProblem?.(
        MonitoringError.collection(`cannot fold calls into rollups: ${(error as Error).message}`, error),
      );
    }
  }
}
