/**
 * `MonitoringSystem`: the library facade over a data dir's store, for a Node program that embeds
 * mcpscope rather than running its engine: collect metrics, log and track events through the same
 * masking write path as captured ones, read the current alerts, build a report. Each method is the
 * engine's own unit (store/queries.ts, logs/log-recorder.ts, events/tracker.ts, alerts/alert-queries.ts,
 * reports/build.ts), so its answers are the API's.
 */

import type { AlertInstance } from "../../shared/alerts.js";
import type { StatsDocument } from "../../shared/domain.js";
import type { LogEvent, SystemEvent } from "../../shared/monitoring.js";
import type { Report } from "../../shared/report.js";
import { storedAlerts } from "./alerts/stored-alerts.js";
import { MonitoringError } from "./errors.js";
import { EventTracker, type TrackedEvent } from "./events/tracker.js";
import { indexPendingLogs } from "./logs/fts-index.js";
import { LogRecorder } from "./logs/log-recorder.js";
import { LogSettingsSource } from "./logs/log-settings.js";
import { statsDocument } from "./metrics/stats-document.js";
import { databasePath } from "./paths.js";
import { buildReport } from "./reports/build.js";
import { BatchWriter } from "./store/batch-writer.js";
import { type Db, openDb } from "./store/db.js";
import { resolveRange } from "./store/queries.js";

export class MonitoringSystem {
  private readonly writer: BatchWriter;
  private readonly logs: LogRecorder;
  private readonly events: EventTracker;
  private problems: string[] = [];

  private constructor(
    private readonly db: Db,
    private readonly dataDir: string,
  ) {
    this.writer = new BatchWriter({
      open: () => openDb(db.path),
      onProblem: (m) => this.problems.push(m),
      afterBatch: (db) => indexPendingLogs(db),
    });
    this.events = new EventTracker(this.writer);
    this.logs = new LogRecorder(this.writer, new LogSettingsSource(dataDir, (m) => this.problems.push(m)));
  }

  static open(dataDir: string): MonitoringSystem {
    return new MonitoringSystem(openDb(databasePath(dataDir)), dataDir);
  }

  /** Calls, errors and latency per server and operation over `since` (default the last hour). */
  collectMetrics(since = "1h", until?: string): StatsDocument {
    try {
      return statsDocument(this.db, resolveRange(since, until, "1h"));
    } catch (error) {
      if (error instanceof MonitoringError) throw error;
      throw MonitoringError.collection(`cannot read metrics: ${(error as Error).message}`, error);
    }
  }

  /**
   * Writes a structured log record through the same path as captured logs (logs/log-recorder.ts): the
   * server's minimum level, masking, caps, batching; then indexing, counts and template mining.
   */
  logEvent(event: LogEvent): void {
    this.logs.record({
      time: event.time ?? Date.now(),
      level: event.level,
      server: event.server ?? "mcpscope",
      session: null,
      source: "mcpscope",
      logger: event.logger ?? null,
      message: event.message,
      fields: event.fields ?? null,
      requestId: null,
    });
  }

  /** Emits an event through the one tracker (events/tracker.ts): masked, capped, with correlation. */
  trackEvent(event: SystemEvent | TrackedEvent): void {
    this.events.track(event);
  }

  /**
   * Pending and firing alerts as the engine last stored them, silences and inhibition applied as of now,
   * in the shape `alerts.list` returns (alerts/alert-queries.ts). Never changes an alert's state: the
   * engine that holds the evaluation lease does that.
   */
  checkAlerts(): AlertInstance[] {
    try {
      return storedAlerts({
        dataDir: this.dataDir,
        db: this.db,
        event: (e) => this.events.track(e),
        audit: () => {},
        warn: (m) => this.problems.push(m),
      }).queries.list();
    } catch (error) {
      throw new MonitoringError("alert", `cannot read alerts: ${(error as Error).message}`, true, {
        cause: error,
      });
    }
  }

  /** The report of a period (reports/build.ts): what `mcpscope report` and the Reports view render. */
  generateReport(since = "24h", until?: string): Promise<Report> {
    return buildReport(this.db, { since, until });
  }

  /** Writes what is queued; throws a storage error if the database refused it. */
  flush(): void {
    if (!this.writer.flush()) {
      throw MonitoringError.storage(this.problems.at(-1) ?? "cannot write to the database", undefined, true);
    }
  }

  close(): void {
    this.writer.close();
    this.db.close();
  }
}
