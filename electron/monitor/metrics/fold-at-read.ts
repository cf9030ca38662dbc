/**
 * Only an engine folds on a timer. With wrappers recording and no app or `mcpscope serve` open, the calls
 * stored after the high-water mark grow without bound, and every read of stats, series or a report would
 * count that raw tail call by call. So a command that reads rollups folds the backlog first when no engine
 * is running and the backlog is over a limit: the raw part of any read stays small. Folding is safe beside
 * an engine that starts meanwhile (the high-water mark keeps their work disjoint).
 */
import { runningEngines } from "../engine-presence.js";
import type { Db } from "../store/db.js";
import { foldOnce } from "./fold.js";
import { readState, STATE } from "./rollups.js";

/** Unfolded calls a read may count raw; past this, a read without a running engine folds first. */
export const UNFOLDED_READ_LIMIT = 20_000;
/** Backlogs at least this large take a second or more to fold: the command says why it waits. */
export const FOLD_NOTICE_CALLS = 200_000;
/** Calls folded per transaction: each holds the write lock for tens of ms, as the engine's do. */
const BATCH = 20_000;

/** The API methods whose answers come from rollups plus the unfolded tail. */
export const ROLLUP_READERS = [
  "servers.list",
  "stats.get",
  "metrics.series",
  "reports.generate",
  "reports.export",
  "reports.save",
] as const;

export function unfoldedCalls(db: Db): number {
  const top = Number(db.prepare("SELECT max(id) AS top FROM calls").get()?.top ?? 0);
  return Math.max(0, top - readState(db, STATE.folded));
}

export interface FoldAtReadOptions {
  limit?: number;
  /** Told once, before folding a backlog of at least FOLD_NOTICE_CALLS, how many calls are to fold. */
  folding?: (calls: number) => void;
  /** Told why folding stopped, when it failed. */
  failed?: (message: string) => void;
}

/**
 * Folds the backlog when no engine is running and it is over the limit; returns the calls folded. A fold
 * that fails (the database locked past the busy timeout, a full disk) stops folding and is told to
 * `failed`: the read answers all the same, counting what is left raw.
 */
export function foldBeforeRead(db: Db, dataDir: string, options: FoldAtReadOptions = {}): number {
  const backlog = unfoldedCalls(db);
  if (backlog <= (options.limit ?? UNFOLDED_READ_LIMIT) || runningEngines(dataDir).length > 0) return 0;
  if (backlog >= FOLD_NOTICE_CALLS) options.folding?.(backlog);
  let total = 0;
  try {
    for (;;) {
      const { folded } = foldOnce(db, BATCH);
      total += folded;
      if (folded < BATCH) return total;
    }
  } catch (error) {
    options.failed?.((error as Error).message);
    return total;
  }
}
