/**
 * The patterns document: Drain templates last seen in a range (most frequent first) and the lines per
 * level in that range: in total exactly, and per time bucket from the per-minute counts.
 */
import { LOG_LEVELS, type LogLevel } from "../../../shared/levels.js";
import type {
  LevelCounts,
  LogPatternsDocument,
  LogPatternsQuery,
  LogTemplate,
} from "../../../shared/logs.js";
import type { Db, SqlValue } from "../store/db.js";
import { resolveRange, type TimeRange } from "../store/queries.js";
import { iso } from "../time.js";
import { tokenize, WILDCARD } from "./drain.js";
import { levelsFrom } from "./log-queries.js";

/** Bucket widths in minutes; the smallest that keeps the timeline at most MAX_BUCKETS long is used. */
const BUCKETS = [1, 5, 15, 60, 360, 1440];
const MAX_BUCKETS = 1500; // a day and a minute in one-minute buckets

const zeroCounts = (): LevelCounts => Object.fromEntries(LOG_LEVELS.map((l) => [l, 0])) as LevelCounts;

export function patternsDocument(db: Db, query: LogPatternsQuery, now = Date.now()): LogPatternsDocument {
  // Read as every listing's range is: a LAST SEEN pasted into --until keeps the lines seen at it.
  return patternsInRange(db, resolveRange(query.since, query.until, "24h", now), query);
}

/** The same over a range already resolved: a report's, whose end is an instant that belongs to the next. */
export function patternsInRange(
  db: Db,
  range: TimeRange,
  query: Omit<LogPatternsQuery, "since" | "until">,
): LogPatternsDocument {
  const where = ["last_seen >= ?", "first_seen <= ?"];
  const params: SqlValue[] = [range.since, range.until];
  if (query.server) {
    where.push("server = ?");
    params.push(query.server);
  }
  if (query.level && query.level !== "debug") {
    const levels = levelsFrom(query.level);
    where.push(`level IN (${levels.map(() => "?").join(", ")})`);
    params.push(...levels);
  }
  const patterns = db
    .prepare(
      `SELECT id, server, template, level, count, first_seen, last_seen, example FROM log_templates
       WHERE ${where.join(" AND ")} ORDER BY count DESC, id LIMIT ?`,
    )
    .all(...params, query.limit ?? 100)
    .map((row) => ({
      id: Number(row.id),
      server: String(row.server),
      template: String(row.template),
      level: row.level as LogLevel,
      count: Number(row.count),
      firstSeen: iso(Number(row.first_seen)),
      lastSeen: iso(Number(row.last_seen)),
      example: String(row.example),
    }));

  const first = Math.floor(range.since / 60_000);
  const last = Math.floor(range.until / 60_000);
  const bucketMinutes = BUCKETS.find((b) => (last - first + 1) / b <= MAX_BUCKETS) ?? 1440;
  const countParams: SqlValue[] = [bucketMinutes, bucketMinutes, first, last];
  let serverClause = "";
  if (query.server) {
    serverClause = " AND server = ?";
    countParams.push(query.server);
  }
  const levels = levelTotals(db, range, query.server);
  const buckets = new Map<number, LevelCounts>();
  for (const row of db
    .prepare(
      `SELECT (minute / ?) * ? AS bucket, level, sum(count) AS n FROM log_minutes
       WHERE minute >= ? AND minute <= ?${serverClause} GROUP BY bucket, level ORDER BY bucket`,
    )
    .iterate(...countParams)) {
    const level = row.level as LogLevel;
    if (!LOG_LEVELS.includes(level)) continue;
    const n = Number(row.n);
    const start = Number(row.bucket);
    let counts = buckets.get(start);
    if (!counts) {
      counts = zeroCounts();
      buckets.set(start, counts);
    }
    counts[level] += n;
  }
  return {
    since: iso(range.since),
    until: iso(range.until),
    patterns,
    levels,
    bucketMinutes,
    storedTemplates: Number(db.prepare("SELECT count(*) AS n FROM log_templates").get()?.n ?? 0),
    timeline: [...buckets].map(([start, counts]) => ({ start: iso(start * 60_000), ...counts })),
  };
}

/**
 * Lines per level in [since, until), exactly: whole minutes from the per-minute counts, the partial minutes
 * at either end from the records themselves, so back-to-back ranges never count a line twice.
 */
export function levelTotals(db: Db, range: { since: number; until: number }, server?: string): LevelCounts {
  const levels = zeroCounts();
  const add = (rows: Iterable<Record<string, unknown>>) => {
    for (const row of rows) {
      const level = row.level as LogLevel;
      if (LOG_LEVELS.includes(level)) levels[level] += Number(row.n);
    }
  };
  const serverClause = server === undefined ? "" : " AND server = ?";
  const serverParam = server === undefined ? [] : [server];
  const raw = (from: number, to: number) => {
    if (from < to)
      add(
        db
          .prepare(
            `SELECT level, count(*) AS n FROM logs WHERE time >= ? AND time < ?${serverClause} GROUP BY level`,
          )
          .iterate(from, to, ...serverParam),
      );
  };
  const firstWhole = Math.ceil(range.since / 60_000);
  const endWhole = Math.floor(range.until / 60_000);
  if (firstWhole >= endWhole) {
    raw(range.since, range.until);
    return levels;
  }
  raw(range.since, firstWhole * 60_000);
  add(
    db
      .prepare(
        `SELECT level, sum(count) AS n FROM log_minutes WHERE minute >= ? AND minute < ?${serverClause} GROUP BY level`,
      )
      .iterate(firstWhole, endWhole, ...serverParam),
  );
  raw(endWhole * 60_000, range.until);
  return levels;
}

/**
 * How many of a server's stored lines in [since, until) each of its templates covers: a line is counted
 * under a template when its tokens (as the miner reads them) match the template's, a `<*>` matching any
 * token. Templates keep an all-time count only; this is the count for a period. The overflow template
 * (past the template limit) matches nothing here.
 */
export function templateLinesIn(
  db: Db,
  server: string,
  templates: readonly Pick<LogTemplate, "id" | "template">[],
  range: { since: number; until: number },
): Map<number, number> {
  const counts = new Map(templates.map((t) => [t.id, 0]));
  const byLength = new Map<number, { id: number; tokens: string[] }[]>();
  for (const t of templates) {
    const tokens = t.template.split(" ");
    const list = byLength.get(tokens.length) ?? [];
    list.push({ id: t.id, tokens });
    byLength.set(tokens.length, list);
  }
  const rows = db
    .prepare("SELECT message FROM logs WHERE server = ? AND time >= ? AND time < ?")
    .iterate(server, range.since, range.until);
  for (const row of rows) {
    const tokens = tokenize(String(row.message));
    const match = byLength
      .get(tokens.length)
      ?.find((t) => t.tokens.every((token, i) => token === WILDCARD || token === tokens[i]));
    if (match) counts.set(match.id, (counts.get(match.id) ?? 0) + 1);
  }
  return counts;
}
