/**
 * What `logs.search` and `logs.patterns` answer over a database, wherever they are served: the engine
 * (through its LoggingSystem, with the analyzer it mines with) and a CLI command in process.
 */
import type { LogPatternsDocument, LogPatternsQuery, LogRecord, LogsQuery } from "../../../shared/logs.js";
import type { Db } from "../store/db.js";
import { catchUpIndex } from "./fts-index.js";
import { patternsDocument } from "./log-patterns.js";
import { searchLogs } from "./log-queries.js";
import { TemplateAnalyzer } from "./template-analyzer.js";

export class LogReader {
  private analyzerInstance: TemplateAnalyzer | null;

  constructor(
    private readonly db: Db,
    private readonly warn: (kind: string, message: string) => void = () => {},
    analyzer?: TemplateAnalyzer,
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

  /** Mines what is not mined yet (bounded), then reads the templates. */
  patterns(query: LogPatternsQuery): LogPatternsDocument {
    try {
      this.analyzer.catchUp(20_000);
    } catch (error) {
      this.warn("analysis", `log template mining failed: ${(error as Error).message}`);
    }
    return patternsDocument(this.db, query);
  }

  index(): void {
    try {
      catchUpIndex(this.db, 10_000, 50_000);
    } catch (error) {
      this.warn("index", `full-text indexing failed: ${(error as Error).message}; retrying`);
    }
  }
}
