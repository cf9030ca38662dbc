/**
 * The specification's `LoggingSystem` on the engine's side: level (minimum per server, from the
 * settings), format (structured records, JSON-lines files), rotation (retention in SQLite, rotated
 * files) and storage (search, patterns, the live tail). It runs the periodic work: template mining every
 * few seconds, retention every ten minutes, the optional files every second. It also owns mcpscope's own
 * pino logger, which writes into the same table.
 */

import type {
  LogPatternsDocument,
  LogPatternsQuery,
  LogRecord,
  LogsQuery,
  LogsTailPage,
  LogsTailQuery,
} from "../../../shared/logs.js";
import type { LogEvent } from "../../../shared/monitoring.js";
import { BatchWriter } from "../store/batch-writer.js";
import { type Db, openDb } from "../store/db.js";
import { indexPendingLogs } from "./fts-index.js";
import { LogFileSink } from "./log-file-sink.js";
import { lastLogId, logsAfter } from "./log-queries.js";
import { LogReader } from "./log-reader.js";
import { LogRecorder } from "./log-recorder.js";
import { LogSettingsSource } from "./log-settings.js";
import { applyRetention, type RetentionResult } from "./retention.js";
import { createSelfLogger, SELF_SERVER, type SelfLogger } from "./self-logger.js";
import { TemplateAnalyzer } from "./template-analyzer.js";

export interface LoggingSystemOptions {
  dataDir: string;
  /** The engine's connection: reads, mining, retention. */
  db: Db;
  analysisIntervalMs?: number;
  retentionIntervalMs?: number;
  /** The first retention run, after start (default 30 s). */
  retentionDelayMs?: number;
  fileIntervalMs?: number;
  /** The clock retention deletes by; default `Date.now`. */
  now?: () => number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class LoggingSystem {
  readonly settings: LogSettingsSource;
  readonly logger: SelfLogger;
  readonly analyzer: TemplateAnalyzer;
  private readonly writer: BatchWriter;
  private readonly recorder: LogRecorder;
  private readonly files: LogFileSink;
  private readonly reader: LogReader;
  private readonly db: Db;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly busy = new Set<string>();
  private readonly warnedAt = new Map<string, number>();
  private readonly settingsReported = new Set<string>();
  private retention: Promise<RetentionResult | null> | null = null;
  private closed = false;

  constructor(private readonly options: LoggingSystemOptions) {
    this.db = options.db;
    const early: string[] = [];
    let logger: SelfLogger | null = null;
    this.settings = new LogSettingsSource(options.dataDir, (m) => (logger ? logger.warn(m) : early.push(m)));
    this.writer = new BatchWriter({
      open: () => openDb(options.db.path),
      afterBatch: (db) => indexPendingLogs(db),
    });
    this.recorder = new LogRecorder(this.writer, this.settings);
    this.logger = logger = createSelfLogger(this.recorder);
    for (const message of early) this.logger.warn(message);
    this.analyzer = new TemplateAnalyzer(this.db);
    this.reader = new LogReader(this.db, (kind, message) => this.warn(kind, message), this.analyzer);
    this.files = new LogFileSink(this.db, this.settings, (m) => this.warn("files", m));
  }

  /** Starts the periodic work (the engine calls it; tests may drive the steps themselves). */
  start(): void {
    const every = (ms: number, kind: string, run: () => Promise<unknown>) => {
      const timer = setInterval(() => void this.exclusive(kind, run), ms);
      timer.unref();
      this.timers.push(timer);
    };
    every(this.options.analysisIntervalMs ?? 2000, "analysis", () => this.analyze());
    every(this.options.fileIntervalMs ?? 1000, "files", async () => this.writeFiles());
    const first = setTimeout(
      () => void this.exclusive("retention", () => this.retain()),
      this.options.retentionDelayMs ?? 30_000,
    );
    first.unref();
    this.timers.push(first);
    every(this.options.retentionIntervalMs ?? 10 * 60_000, "retention", () => this.retain());
  }

  /** `MonitoringSystem.logEvent()` and mcpscope's own records: the same write path as captured logs. */
  logEvent(event: LogEvent): void {
    this.recorder.record({
      time: event.time ?? Date.now(),
      level: event.level,
      server: event.server ?? SELF_SERVER,
      session: null,
      source: "mcpscope",
      logger: event.logger ?? null,
      message: event.message,
      fields: event.fields ?? null,
      requestId: null,
    });
  }

  /** A warning in mcpscope's own log, at most once per kind every ten minutes. */
  warn(kind: string, message: string): void {
    const now = Date.now();
    if (now - (this.warnedAt.get(kind) ?? 0) < 10 * 60_000) return;
    this.warnedAt.set(kind, now);
    this.logger.warn({ kind }, message);
  }

  /**
   * A settings.json problem, logged the first time its text is seen: one section's problem never hides
   * another's, and a problem that comes back with the same text is not logged again.
   */
  settingsProblem(message: string): void {
    if (this.settingsReported.has(message)) return;
    if (this.settingsReported.size >= 1000) this.settingsReported.clear();
    this.settingsReported.add(message);
    this.logger.warn({ kind: "settings" }, message);
  }

  /** With text, first indexes what writers that do not index (the supervisor's) left behind. */
  search(query: LogsQuery): LogRecord[] {
    return this.reader.search(query);
  }

  /** Mines what is not mined yet (bounded), then reads the templates. */
  patterns(query: LogPatternsQuery): LogPatternsDocument {
    return this.reader.patterns(query);
  }

  /** One page of the live tail after a cursor, filtered (what `mcpscope logs --follow` polls). */
  tail(query: LogsTailQuery): LogsTailPage {
    return this.reader.tail(query);
  }

  after(lastId: number, limit = 500): LogRecord[] {
    return logsAfter(this.db, lastId, {}, limit);
  }

  lastId(): number {
    return lastLogId(this.db);
  }

  /** Indexes pending records (bounded), then mines up to 20 batches, yielding between them. */
  async analyze(): Promise<number> {
    let total = 0;
    this.index();
    try {
      for (let i = 0; i < 20 && !this.closed; i++) {
        const n = this.analyzer.step();
        if (n === 0) break;
        total += n;
        await sleep(0);
      }
    } catch (error) {
      this.warn("analysis", `log template mining failed: ${(error as Error).message}; retrying`);
    }
    return total;
  }

  async retain(): Promise<RetentionResult | null> {
    const settings = this.settings.chosenSettings();
    if (!settings) {
      this.warn("retention", "log retention waits until settings.json can be read");
      return null;
    }
    this.retention = applyRetention(this.db, settings, {
      now: (this.options.now ?? Date.now)(),
      analyzer: this.analyzer,
      stopped: () => this.closed,
    }).catch((error: Error) => {
      this.warn("retention", `log retention failed: ${error.message}; retrying in ten minutes`);
      return null;
    });
    return this.retention;
  }

  private index(): void {
    this.reader.index();
  }

  writeFiles(): number {
    let total = 0;
    try {
      for (let i = 0; i < 20 && !this.closed; i++) {
        const n = this.files.step();
        if (n === 0) break;
        total += n;
      }
    } catch (error) {
      this.warn("files", `cannot write the log files: ${(error as Error).message}`);
    }
    return total;
  }

  /** Resolves when the files' background compression is done (tests). */
  filesIdle(): Promise<void> {
    return this.files.idle();
  }

  /** Writes queued records of mcpscope's own now. */
  flush(): boolean {
    return this.writer.flush();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.timers) clearInterval(timer);
    await this.retention;
    await this.files.close();
    this.writer.close();
  }

  private async exclusive(kind: string, run: () => Promise<unknown>): Promise<void> {
    if (this.closed || this.busy.has(kind)) return;
    this.busy.add(kind);
    try {
      await run();
    } finally {
      this.busy.delete(kind);
    }
  }
}
