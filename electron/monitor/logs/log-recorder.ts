/**
 * The one write path for log records, whatever their source (a server's stderr, MCP
 * `notifications/message`, mcpscope's own pino logs, `MonitoringSystem.logEvent()`): the server's
 * minimum level from the settings is applied, the text is masked and capped, and the row is queued on
 * a batch writer. Indexing (FTS), per-minute level counts and size accounting happen in the database
 * (triggers of the logs migration), so every writer gets them.
 */
import { type LogLevel, levelRank } from "../../../shared/levels.js";
import type { LogSource } from "../../../shared/logs.js";
import { capturePayload, captureText, DEFAULT_CAPTURE_LIMIT } from "../pipeline/capture.js";
import type { BatchWriter } from "../store/batch-writer.js";
import { type LogSettingsSource, minLevelFor } from "./log-settings.js";

export interface LogInput {
  time: number;
  level: LogLevel;
  server: string;
  session: string | null;
  source: LogSource;
  logger: string | null;
  message: string;
  fields: unknown;
  requestId: string | null;
  /** Bytes of the message as the server wrote it that were left out before it got here (a cut line). */
  omittedBytes?: number;
}

export class LogRecorder {
  /** Records below their server's minimum level, not stored. */
  filtered = 0;

  constructor(
    private readonly writer: BatchWriter,
    private readonly settings: LogSettingsSource | null,
    private readonly captureLimit = DEFAULT_CAPTURE_LIMIT,
  ) {}

  /** Queues the record; false if the server's minimum level filtered it out. `found` collects secret kinds. */
  record(log: LogInput, found?: Set<string>): boolean {
    if (this.settings) {
      const min = minLevelFor(this.settings.current(), log.server);
      if (min !== "debug" && levelRank(log.level) < levelRank(min)) {
        this.filtered++;
        return false;
      }
    }
    this.writer.enqueue("logs", {
      time: log.time,
      level: log.level,
      server: log.server,
      session_id: log.session,
      source: log.source,
      logger: log.logger === null ? null : captureText(log.logger, 256, found),
      message: captureText(log.message, this.captureLimit, found, log.omittedBytes),
      fields:
        log.fields === null || log.fields === undefined
          ? null
          : capturePayload(log.fields, this.captureLimit, found),
      request_id: log.requestId === null ? null : captureText(log.requestId, 256, found),
    });
    return true;
  }
}
