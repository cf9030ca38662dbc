/**
 * Log retention per server: by age (records older than `maxAge`) and by size (the oldest records go
 * until the server's logs fit `maxBytes`). Deletes run in small transactions (`batchRows` records) with
 * a pause between them, so wrappers writing at the same time wait at most one small batch. The newest
 * record in the table is never deleted: ids then never restart, and cursors that follow ids stay valid.
 * Sizes come from `log_usage`, kept exact by the logs triggers (text bytes plus a fixed per-row
 * overhead for the row, its indexes and its full-text postings).
 */
import { recordAdminAction } from "../audit/audit-log.js";
import type { Db } from "../store/db.js";
import { type LogSettings, retentionFor } from "./log-settings.js";
import type { TemplateAnalyzer } from "./template-analyzer.js";

export interface RetentionOptions {
  batchRows?: number;
  pauseMs?: number;
  now?: number;
  /** Prunes templates through the analyzer, so its miners learn about it. */
  analyzer?: TemplateAnalyzer;
  /** Checked between batches. */
  stopped?: () => boolean;
}

export interface RetentionResult {
  deletedByAge: number;
  deletedBySize: number;
  batches: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Records deleted per transaction. A batch of 2,000 holds the write lock about 100 ms on a 1M-line store
 * (its rows, three indexes, postings and usage; bench/metrics-logs/logs.mjs), and a pause follows.
 */
export const RETENTION_BATCH_ROWS = 2000;

/** Applies retention, then records one admin audit record if anything was deleted (fail-open). */
export async function applyRetention(
  db: Db,
  settings: LogSettings,
  options: RetentionOptions = {},
): Promise<RetentionResult> {
  const result = await deleteByRetention(db, settings, options);
  if (result.deletedByAge + result.deletedBySize > 0) {
    try {
      recordAdminAction(db, {
        action: "retention_delete",
        actor: "retention",
        target: "logs",
        details: { deletedByAge: result.deletedByAge, deletedBySize: result.deletedBySize },
        time: options.now,
      });
    } catch {
      // The deletion is done; a failing audit write must not fail retention.
    }
  }
  return result;
}

async function deleteByRetention(
  db: Db,
  settings: LogSettings,
  options: RetentionOptions,
): Promise<RetentionResult> {
  const batchRows = options.batchRows ?? RETENTION_BATCH_ROWS;
  const pauseMs = options.pauseMs ?? 50;
  const now = options.now ?? Date.now();
  const result: RetentionResult = { deletedByAge: 0, deletedBySize: 0, batches: 0 };
  const maxId = Number(db.prepare("SELECT max(id) AS id FROM logs").get()?.id ?? 0);
  const servers = db
    .prepare("SELECT server FROM log_usage UNION SELECT DISTINCT server FROM log_templates")
    .all()
    .map((r) => String(r.server));
  const stopped = () => options.stopped?.() ?? false;

  const batch = async (run: () => number): Promise<number> => {
    if (result.batches > 0 && pauseMs > 0) await sleep(pauseMs);
    result.batches++;
    return db.transaction(run);
  };

  const deleteOldest = db.prepare(
    `DELETE FROM logs WHERE id IN (
       SELECT id FROM logs WHERE server = ? AND time < ? AND id < ? ORDER BY time LIMIT ?)`,
  );
  for (const server of servers) {
    if (stopped()) break;
    const limits = retentionFor(settings, server);
    const cutoff = now - limits.maxAgeMs;
    for (;;) {
      if (stopped()) return result;
      const n = await batch(() => Number(deleteOldest.run(server, cutoff, maxId, batchRows).changes));
      result.deletedByAge += n;
      if (n < batchRows) break;
    }
    for (;;) {
      if (stopped()) return result;
      const usage = db.prepare("SELECT rows, bytes FROM log_usage WHERE server = ?").get(server);
      const rows = Number(usage?.rows ?? 0);
      const bytes = Number(usage?.bytes ?? 0);
      if (bytes <= limits.maxBytes || rows === 0) break;
      const excessRows = Math.ceil((bytes - limits.maxBytes) / (bytes / rows));
      const n = await batch(() =>
        Number(
          deleteOldest.run(server, Number.MAX_VALUE, maxId, Math.max(1, Math.min(batchRows, excessRows)))
            .changes,
        ),
      );
      result.deletedBySize += n;
      if (n === 0) break;
    }
    // Per-minute level counts and templates outlive their lines, but not the age limit.
    await batch(() => {
      db.prepare(
        `DELETE FROM log_minutes WHERE (minute, server, level) IN (
           SELECT minute, server, level FROM log_minutes WHERE server = ? AND minute < ? LIMIT ?)`,
      ).run(server, Math.floor(cutoff / 60_000), batchRows * 10);
      return 0;
    });
    if (options.analyzer) options.analyzer.prune(cutoff, server);
    else db.prepare("DELETE FROM log_templates WHERE server = ? AND last_seen < ?").run(server, cutoff);
  }
  // Counts of servers that have no records left: past the longest age any server keeps.
  const longest = Math.max(
    settings.retention.default.maxAgeMs,
    ...Object.values(settings.retention.servers).map((l) => l.maxAgeMs ?? 0),
  );
  for (;;) {
    if (stopped()) return result;
    const n = await batch(() =>
      Number(
        db
          .prepare(
            `DELETE FROM log_minutes WHERE (minute, server, level) IN (
               SELECT minute, server, level FROM log_minutes WHERE minute < ? LIMIT ?)`,
          )
          .run(Math.floor((now - longest) / 60_000), batchRows).changes,
      ),
    );
    if (n < batchRows) break;
  }
  db.prepare("DELETE FROM log_usage WHERE rows <= 0").run();
  return result;
}
