/**
 * Paging back through a list ordered newest first by (time, id): the rows listed after a cursor row. The
 * cursor's time comes with the request when the front holds the row, so a cursor the size cap or retention
 * has since deleted still pages on; without it the time is looked up, and a cursor no longer stored is
 * refused rather than guessed at.
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
  let time = beforeTime === undefined ? undefined : Date.parse(beforeTime);
  if (time === undefined) {
    const row = db.prepare(`SELECT ${on.timeColumn} AS t FROM ${on.table} WHERE id = ?`).get(beforeId);
    if (!row) throw MonitoringError.input(`${on.noun} ${beforeId} is no longer stored`);
    time = Number(row.t);
  }
  const prefix = on.alias ? `${on.alias}.` : "";
  const [t, id] = [`${prefix}${on.timeColumn}`, `${prefix}id`];
  return { where: `(${t} < ? OR (${t} = ? AND ${id} < ?))`, params: [time, time, beforeId] };
}
