/**
 * What `logs.search`, `logs.tail` and `logs.patterns` answer over a database, wherever they are served:
 * the engine (through its LoggingSystem, with the analyzer it mines with) and a CLI command in process.
 */
import type {
  LogPatternsDocument,
  LogPatternsQuery,
  LogRecord,
  LogsQuery,
  LogsTailPage,
  LogsTailQuery,
} from "../../../shared/logs.js";
import type { Db } from "../store/db.js";
import { catchUpIndex, indexedUpTo } from "./fts-index.js";
import { patternsDocument } from "./log-patterns.js";
import { type LogFilter, lastLogId, logsAfter, searchLogs } from "./log-queries.js";
import { TemplateAnalyzer } from "./template-analyzer.js";

/** Records a command in the terminal mines before answering (no engine may be running to mine them). */
export const CLI_MINE_AT_MOST = 200_000;

/** A tail page when the query names no limit. */
const TAIL_PAGE = 500;

export class LogReader {
  private analyzerInstance: TemplateAnalyzer | null;

  constructor(
    private readonly db: Db,
    private readonly warn: (kind: string, message: string) => void = () => {},
    analyzer?: TemplateAnalyzer,
    /** Records one patterns question mines at most before answering (the engine also mines on a timer). */
    private readonly mineAtMost = 20_000,
  ) {
    this.analyzerInstance = analyzer ?? null;
  }

  get analyzer(): TemplateAnalyzer {
    this.analyzerInstance ??= new TemplateAnalyzer(this.db);
    return this.analyzerInstance;
  }

  /** With text, first indexes what writers that do not index (the supervisor's) left behind. */
  search(query: LogsQuery): LogRecord[] {
    if (query.text) this.index();
    return searchLogs(this.db, query);
  }

  /**
   * One page of the live tail. The cursor moves past records that do not match, so a filtered tail does
   * not scan them again; with text it stops at the last indexed record, which later records cannot match yet.
   */
  tail(query: LogsTailQuery): LogsTailPage {
    const filter: LogFilter = {
      server: query.server,
      level: query.level,
      text: query.text,
      session: query.session,
    };
    const upTo = this.tailEnd(filter);
    if (query.after === undefined) return { records: [], cursor: upTo, more: false };
    const limit = query.limit ?? TAIL_PAGE;
    const records = logsAfter(this.db, query.after, filter, limit, upTo);
    const last = records[records.length - 1];
    const more = records.length === limit && last !== undefined;
    return { records, cursor: more ? last.id : upTo, more };
  }

  /** Mines what is not mined yet (bounded), then reads the templates; says how many records wait. */
  patterns(query: LogPatternsQuery): LogPatternsDocument {
    try {
      this.analyzer.catchUp(this.mineAtMost);
    } catch (error) {
      this.warn("analysis", `log template mining failed: ${(error as Error).message}`);
    }
    const doc = patternsDocument(this.db, query);
    const unmined = this.unmined();
    return unmined > 0 ? { ...doc, unmined } : doc;
  }

  index(): void {
    try {
      catchUpIndex(this.db, 10_000, 50_000);
    } catch (error) {
      this.warn("index", `full-text indexing failed: ${(error as Error).message}; retrying`);
    }
  }

  /** The last id a tail may move past: the last record, or with text the last one indexed. */
  private tailEnd(filter: LogFilter): number {
    if (!filter.text) return lastLogId(this.db);
    this.index();
    return Math.min(lastLogId(this.db), indexedUpTo(this.db));
  }

  private unmined(): number {
    const row = this.db
      .prepare(
        "SELECT count(*) AS n FROM logs WHERE id > (SELECT coalesce(max(value), 0) FROM log_analysis WHERE key = 'cursor')",
      )
      .get();
    return Number(row?.n ?? 0);
  }
}
