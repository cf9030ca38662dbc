/**
 * Call rollups: one row per (resolution, bucket, series) with the count, bytes and a DDSketch of latency,
 * where a series is one (server, method, target, outcome) (tables `rollup_series` and `call_rollups`,
 * migrations 3 and 5). Rows hold no strings and the table is WITHOUT ROWID, so a time range of one
 * resolution is read from contiguous pages. This file holds their vocabulary and the state folding keeps
 * in the database (`fold.ts` folds calls into them).
 */
import { isErrorOutcome } from "../../../shared/outcomes.js";
import type { Db } from "../store/db.js";

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;
/** Bucket widths in ms, finest first. Buckets are aligned to UTC. */
export const RESOLUTIONS = [MINUTE, HOUR, DAY] as const;

/** Keys of `metrics_state`. */
export const STATE = {
  /** The highest calls.id folded into rollups. */
  folded: "rollup_hwm",
  /** Raw calls (folded ones) are complete from this time on; older ones were deleted. */
  rawFrom: "raw_complete_from",
  minutesFrom: "minutes_complete_from",
  hoursFrom: "hours_complete_from",
  /** Buckets from this time on hold every call in their server summaries (see `SUMMARY_METHOD`). */
  summariesFrom: "summaries_complete_from",
  /** Buckets from this time on hold every call in the all-servers and operation summaries too. */
  totalsFrom: "totals_complete_from",
  /**
   * A new random value whenever rollup rows are deleted (retention, the size cap) or changed outside a fold
   * (a call corrected after it was folded, metrics/call-correction.ts): a cache of merged buckets read at
   * the old value is dropped (metrics/bucket-cache.ts), and a fold planned before it plans again.
   */
  generation: "rollups_generation",
} as const;

/**
 * The method of a server's summary series: every call of the server, whatever its operation, in two
 * series by outcome (`error` for the errors, `ok` for every other call, `cancelled` included). Charts of a
 * server or of everything read these, a few rows per bucket, instead of a row per operation and outcome.
 * Readers of operations skip them. Buckets folded before `cancelled` stopped being an error keep theirs
 * under `error`.
 */
export const SUMMARY_METHOD = "*";
export const SUMMARY_FAILED = "error";
export const SUMMARY_PASSED = "ok";

/** The summary series (`ok` or `error`) a call of `outcome` is folded into. */
export function summaryOutcome(outcome: string): string {
  return isErrorOutcome(outcome) ? SUMMARY_FAILED : SUMMARY_PASSED;
}

/** Whether a series' calls are errors: an operation's of an error outcome, or a summary's `error`. */
export function failedSeries(outcome: string): boolean {
  return outcome === SUMMARY_FAILED || isErrorOutcome(outcome);
}
/**
 * The server of the all-servers summary series: the server summaries of every server merged, two rows per
 * bucket (`ok`, `error`) for the Overview's chart however many servers there are.
 */
export const ALL_SERVERS = "*";
/**
 * The outcome of an operation's summary series: every call of one (server, method, target) whatever its
 * outcome, so that its latency over a range merges one sketch per bucket instead of one per outcome.
 */
export const ANY_OUTCOME = "*";

/** Whether a series is one of the summaries (server, all-servers or operation), not an (operation, outcome). */
export function isSummary(method: string, outcome: string): boolean {
  return method === SUMMARY_METHOD || outcome === ANY_OUTCOME;
}

const TARGETED = new Set(["tools/call", "prompts/get", "resources/read"]);

/** An operation's target: the tool, prompt or resource for the three methods that have one, else null. */
export function operationTarget(method: string, target: string | null): string | null {
  return TARGETED.has(method) ? target : null;
}

export function bucketStart(time: number, resolution: number): number {
  return Math.floor(time / resolution) * resolution;
}

export function readState(db: Db, key: string, fallback = 0): number {
  const row = db.prepare("SELECT value FROM metrics_state WHERE key = ?").get(key);
  return row ? Number(row.value) : fallback;
}

/** Marks every cached bucket of every connection stale; call in the transaction that deletes rollups. */
export function renewRollupGeneration(db: Db): void {
  writeState(db, STATE.generation, Math.floor(Math.random() * 2 ** 48) + 1);
}

export function writeState(db: Db, key: string, value: number): void {
  db.prepare(
    "INSERT INTO metrics_state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
  ).run(key, value);
}
