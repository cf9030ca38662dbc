/**
 * Mines stored log records into Drain templates, one miner per server, and keeps them in
 * `log_templates`. It reads records after a cursor kept in the database (`log_analysis`), so whoever runs
 * it (the engine every few seconds, `mcpscope logs patterns` on demand) continues where the last run
 * stopped. Mining happens outside any transaction; the results are written in one short transaction that
 * first checks nobody else advanced the cursor meanwhile (if someone did, this run is dropped and the
 * miners reload). A template that appears for the first time is reported as a `log.new_template` event.
 */
import { type LogLevel, levelRank } from "../../../shared/levels.js";
import { insertEvent } from "../events/tracker.js";
import { captureText } from "../pipeline/capture.js";
import type { Db } from "../store/db.js";
import { type Cluster, Drain, type DrainOptions, templateText, WILDCARD } from "./drain.js";

export interface AnalyzerOptions {
  /** Records mined per transaction (default 2000). */
  batchRows?: number;
  drain?: DrainOptions;
}

interface State {
  cursor: number;
  generation: number;
}

class CursorMoved extends Error {}

export class TemplateAnalyzer {
  private readonly miners = new Map<string, Drain>();
  private state: State = { cursor: -1, generation: -1 };
  private readonly batchRows: number;

  constructor(
    private readonly db: Db,
    private readonly options: AnalyzerOptions = {},
  ) {
    this.batchRows = options.batchRows ?? 2000;
  }

  /** Mines up to one batch of new records; returns how many it mined (0: caught up, or lost a race). */
  step(): number {
    const stored = readState(this.db);
    if (stored.cursor !== this.state.cursor || stored.generation !== this.state.generation)
      this.reload(stored);
    const rows = this.db
      .prepare("SELECT id, time, level, server, message FROM logs WHERE id > ? ORDER BY id LIMIT ?")
      .all(this.state.cursor, this.batchRows);
    if (rows.length === 0) return 0;
    const touched = new Map<Cluster, string>();
    const created: Array<{ server: string; cluster: Cluster }> = [];
    for (const row of rows) {
      const server = String(row.server);
      const { cluster, created: isNew } = this.miner(server).add(String(row.message), {
        level: row.level as LogLevel,
        time: Number(row.time),
        id: Number(row.id),
      });
      touched.set(cluster, server);
      if (isNew) created.push({ server, cluster });
    }
    const last = Number(rows[rows.length - 1]?.id);
    try {
      this.db.transaction(() => {
        const now = readState(this.db);
        if (now.cursor !== this.state.cursor || now.generation !== this.state.generation)
          throw new CursorMoved();
        for (const [cluster, server] of touched) this.save(server, cluster);
        for (const { server, cluster } of created) this.report(server, cluster);
        this.db
          .prepare(
            "INSERT INTO log_analysis (key, value) VALUES ('cursor', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
          )
          .run(last);
      });
      this.state = { ...this.state, cursor: last };
      return rows.length;
    } catch (error) {
      this.state = { cursor: -1, generation: -1 }; // the miners no longer match the database: reload
      if (error instanceof CursorMoved) return 0;
      throw error;
    }
  }

  /** Mines until caught up or `maxRows` were mined; returns how many. */
  catchUp(maxRows = Number.POSITIVE_INFINITY): number {
    let total = 0;
    while (total < maxRows) {
      const n = this.step();
      if (n === 0) break;
      total += n;
    }
    return total;
  }

  /** Deletes templates of `server` (or every server) not seen since `cutoff`. */
  prune(cutoff: number, server?: string): number {
    return this.db.transaction(() => {
      const result = server
        ? this.db.prepare("DELETE FROM log_templates WHERE server = ? AND last_seen < ?").run(server, cutoff)
        : this.db.prepare("DELETE FROM log_templates WHERE last_seen < ?").run(cutoff);
      const deleted = Number(result.changes);
      if (deleted > 0)
        this.db
          .prepare(
            "INSERT INTO log_analysis (key, value) VALUES ('generation', 1) ON CONFLICT (key) DO UPDATE SET value = value + 1",
          )
          .run();
      return deleted;
    });
  }

  private miner(server: string): Drain {
    let miner = this.miners.get(server);
    if (!miner) {
      miner = new Drain(this.options.drain);
      this.miners.set(server, miner);
    }
    return miner;
  }

  private reload(state: State): void {
    this.miners.clear();
    const rows = this.db
      .prepare(
        "SELECT id, server, route, template, level, any_level, count, first_seen, last_seen, example, example_id FROM log_templates ORDER BY id",
      )
      .all();
    // A text stored at two levels was mined one template per level, whatever the upgrade marked it.
    const levels = new Map<string, Set<unknown>>();
    const shape = (row: (typeof rows)[number]) => `${row.server}\u0000${row.route}\u0000${row.template}`;
    for (const row of rows) {
      const seen = levels.get(shape(row)) ?? new Set();
      seen.add(row.level);
      levels.set(shape(row), seen);
    }
    for (const row of rows) {
      const route = String(row.route);
      this.miner(String(row.server)).load({
        id: Number(row.id),
        tokens: route === '["overflow"]' ? [WILDCARD] : String(row.template).split(" "),
        route,
        level: row.level as LogLevel,
        anyLevel: Number(row.any_level) === 1 && levels.get(shape(row))?.size === 1,
        count: Number(row.count),
        firstSeen: Number(row.first_seen),
        lastSeen: Number(row.last_seen),
        example: String(row.example),
        exampleId: row.example_id === null ? null : Number(row.example_id),
        dirty: false,
      });
    }
    this.state = state;
  }

  private save(server: string, cluster: Cluster): void {
    if (!cluster.dirty) return;
    const template = templateText(cluster);
    if (cluster.id === null) {
      const result = this.db
        .prepare(
          `INSERT INTO log_templates (server, route, template, level, count, first_seen, last_seen, example, example_id)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          server,
          cluster.route,
          template,
          cluster.level,
          cluster.count,
          cluster.firstSeen,
          cluster.lastSeen,
          cluster.example,
          cluster.exampleId,
        );
      cluster.id = Number(result.lastInsertRowid);
    } else {
      this.db
        .prepare(
          "UPDATE log_templates SET template = ?, level = ?, any_level = ?, count = ?, first_seen = ?, last_seen = ? WHERE id = ?",
        )
        .run(
          template,
          cluster.level,
          cluster.anyLevel ? 1 : 0,
          cluster.count,
          cluster.firstSeen,
          cluster.lastSeen,
          cluster.id,
        );
    }
    cluster.dirty = false;
  }

  private report(server: string, cluster: Cluster): void {
    const rank = levelRank(cluster.level);
    const template = templateText(cluster);
    // Through the one event path (masked, with correlation columns), inside the caller's transaction.
    insertEvent(this.db, {
      time: cluster.firstSeen,
      category: rank >= levelRank("error") ? "error" : "system",
      type: "log.new_template",
      severity:
        rank >= levelRank("critical")
          ? "high"
          : rank >= levelRank("error")
            ? "medium"
            : rank >= levelRank("warning")
              ? "low"
              : "info",
      server,
      session: null,
      message: `new log template on ${server} (${cluster.level}): ${template}`,
      details: {
        templateId: cluster.id,
        template: captureText(template, 2048),
        level: cluster.level,
        example: captureText(cluster.example, 2048),
        exampleLogId: cluster.exampleId,
      },
    });
  }
}

function readState(db: Db): State {
  const rows = db.prepare("SELECT key, value FROM log_analysis WHERE key IN ('cursor', 'generation')").all();
  const get = (key: string) => Number(rows.find((r) => r.key === key)?.value ?? 0);
  return { cursor: get("cursor"), generation: get("generation") };
}
