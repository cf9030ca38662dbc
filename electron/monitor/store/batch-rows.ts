/** The rows the batch writer inserts itself (calls, logs, events): their columns and prepared inserts. */
import type { Db, SqlValue, Statement } from "./db.js";

export type TableName = "calls" | "logs" | "events";

const COLUMNS: Record<TableName, string[]> = {
  calls: [
    "session_id",
    "server",
    "direction",
    "request_id",
    "method",
    "target",
    "started_at",
    "duration_ms",
    "outcome",
    "error_code",
    "error_message",
    "bytes_in",
    "bytes_out",
    "progress_count",
    "rounds",
    "http_status",
    "request",
    "response",
    "task_id",
    "task_state",
    "task_updates",
  ],
  logs: ["time", "level", "server", "session_id", "source", "logger", "message", "fields", "request_id"],
  events: ["time", "category", "type", "severity", "server", "session_id", "message", "details"],
};

export class RowInserts {
  private readonly statements = new Map<TableName, Statement>();

  /** One row through the table's insert, prepared once per connection. */
  insert(db: Db, table: TableName, row: Record<string, SqlValue>): void {
    let statement = this.statements.get(table);
    if (!statement) {
      const columns = COLUMNS[table];
      statement = db.prepare(
        `INSERT INTO ${table} (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`,
      );
      this.statements.set(table, statement);
    }
    const columns = COLUMNS[table];
    const values = new Array<SqlValue>(columns.length);
    for (let i = 0; i < columns.length; i++) values[i] = row[columns[i] as string] ?? null;
    statement.run(...values);
  }

  /** The connection is closed: its statements go with it. */
  reset(): void {
    this.statements.clear();
  }
}
