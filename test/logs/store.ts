/** A real store in a temp data dir, and a direct way to put log rows in it (the triggers still run). */
import { indexPendingLogs } from "../../electron/monitor/logs/fts-index.js";
import { databasePath } from "../../electron/monitor/paths.js";
import { type Db, openDb } from "../../electron/monitor/store/db.js";
import type { LogLevel } from "../../shared/levels.js";
import { tempDir } from "../helpers/mcp.js";

export interface TestLog {
  time?: number;
  level?: LogLevel;
  server?: string;
  session?: string | null;
  source?: "stderr" | "mcp" | "mcpscope";
  logger?: string | null;
  message: string;
  fields?: string | null;
  requestId?: string | null;
}

export async function tempStore(): Promise<{ db: Db; dataDir: string; cleanup: () => Promise<void> }> {
  const dir = await tempDir("mcpscope-logs-");
  const db = openDb(databasePath(dir.path));
  return {
    db,
    dataDir: dir.path,
    cleanup: async () => {
      db.close();
      await dir.cleanup();
    },
  };
}

/** Inserts rows in one transaction; returns their ids. */
export function insertLogs(db: Db, logs: TestLog[]): number[] {
  const statement = db.prepare(
    "INSERT INTO logs (time, level, server, session_id, source, logger, message, fields, request_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
  );
  return db.transaction(() => {
    const ids = logs.map((l) =>
      Number(
        statement.run(
          l.time ?? Date.now(),
          l.level ?? "info",
          l.server ?? "files",
          l.session ?? "s1",
          l.source ?? "stderr",
          l.logger ?? null,
          l.message,
          l.fields ?? null,
          l.requestId ?? null,
        ).lastInsertRowid,
      ),
    );
    indexPendingLogs(db); // as every writer does at the end of its transaction
    return ids;
  });
}
