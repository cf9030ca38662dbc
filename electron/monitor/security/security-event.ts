/** A `security` or `audit` event written inside the caller's transaction (tool pins, poisoning, approvals). */
import type { Db } from "../store/db.js";

export interface SecurityEventRow {
  time: number;
  category: "security" | "audit";
  type: string;
  severity: "info" | "low" | "medium" | "high" | "critical";
  server: string | null;
  session_id: string | null;
  message: string;
  details: string | null;
}

export function insertEvent(db: Db, row: SecurityEventRow): void {
  db.prepare(
    "INSERT INTO events (time, category, type, severity, server, session_id, message, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
  ).run(row.time, row.category, row.type, row.severity, row.server, row.session_id, row.message, row.details);
}
