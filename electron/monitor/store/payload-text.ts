/**
 * Dropping the request and response text of the oldest calls while keeping the call rows (their
 * outcome, timing and sizes still count): retention of payload text, and the first thing the size cap
 * gives up. A cursor on `started_at` lets a pass go on from where its last batch ended, instead of
 * scanning again over the calls it already emptied.
 */
import type { Db } from "./db.js";

export const OLDEST = -Number.MAX_VALUE;

export interface DroppedText {
  rows: number;
  /** Bytes of text dropped. */
  bytes: number;
  /** Where the next batch starts. */
  next: number;
}

/** Empties the text of at most `limit` calls started in [from, until), oldest first. */
export function dropPayloadText(db: Db, from: number, until: number, limit: number): DroppedText {
  const rows = db
    .prepare(
      `SELECT id, started_at, coalesce(length(request), 0) + coalesce(length(response), 0) AS b FROM calls
       WHERE started_at >= ? AND started_at < ? AND (request IS NOT NULL OR response IS NOT NULL)
       ORDER BY started_at LIMIT ?`,
    )
    .all(from, until, limit);
  const last = rows[rows.length - 1];
  if (!last) return { rows: 0, bytes: 0, next: from };
  db.exec(
    `UPDATE calls SET request = NULL, response = NULL WHERE id IN (${rows.map((r) => Number(r.id)).join(",")})`,
  );
  return {
    rows: rows.length,
    bytes: rows.reduce((n, r) => n + Number(r.b), 0),
    next: Number(last.started_at),
  };
}
