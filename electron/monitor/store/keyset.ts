/**
 * Paging back through a list ordered newest first by (time, id): the rows listed after a cursor row. Stored
 * times carry a fraction of a millisecond, but the fronts hold them as ISO text, which keeps whole
 * milliseconds only; so the cursor's stored time is read back whenever the row is still there, and the
 * request's time is only the fallback for a cursor the size cap or retention has since deleted. That time
 * names a whole millisecond, and which of its rows came before the cursor is no longer known (ids follow
 * the order rows were stored, not their times): all of them are listed again, so none is lost, and a front
 * that merges pages by id shows each once. Without either, the cursor is refused rather than guessed at.
 */
import { MonitoringError } from "../errors.js";
import type { Db, SqlValue } from "./db.js";

export interface KeysetTable {
  /** The table, its time column (epoch ms) and the alias the list query gives the table, if any. */
  table: string;
  timeColumn: string;
  alias?: string;
  /** What one row is called in the error: "call", "event". */
  noun: string;
}

export function keysetBefore(
  db: Db,
  on: KeysetTable,
  beforeId: number,
  beforeTime: string | undefined,
): { where: string; params: SqlValue[] } {
  const prefix = on.alias ? `${on.alias}.` : "";
  const [t, id] = [`${prefix}${on.timeColumn}`, `${prefix}id`];
  const row = db.prepare(`SELECT ${on.timeColumn} AS t FROM ${on.table} WHERE id = ?`).get(beforeId);
  if (row) {
    const time = Number(row.t);
    return { where: `(${t} < ? OR (${t} = ? AND ${id} < ?))`, params: [time, time, beforeId] };
  }
  const parsed = beforeTime === undefined ? Number.NaN : Date.parse(beforeTime);
  if (Number.isNaN(parsed)) throw MonitoringError.input(`${on.noun} ${beforeId} is no longer stored`);
  // ISO text truncates the stored time to its millisecond: every row of it may have followed the cursor.
  const ms = Math.floor(parsed);
  return { where: `${t} < ?`, params: [ms + 1] };
}
