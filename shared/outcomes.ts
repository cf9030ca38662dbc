/**
 * Outcomes and directions, and which of them count in a server's figures: plain values with no schema
 * library, so that the wrapper's observer thread (which folds nothing but stores calls) and the fold can
 * read them without loading zod. domain.ts builds the schemas from them.
 */

/** Every request ends in exactly one outcome (docs/architecture.md). */
export const OUTCOMES = [
  "ok",
  "tool_error",
  "client_error",
  "server_error",
  "timeout",
  "cancelled",
  "disconnected",
] as const;
export type Outcome = (typeof OUTCOMES)[number];
/**
 * What a calls listing can be narrowed to (the API's `outcome` filter, `mcpscope calls --outcome`, the
 * Calls view): one outcome, or `running`, the calls with none yet — a task-augmented call whose task still
 * works (calls are stored once answered, so it is the only call stored before its end).
 */
export const OUTCOME_FILTERS = [...OUTCOMES, "running"] as const;
export type OutcomeFilter = (typeof OUTCOME_FILTERS)[number];
/** The outcome filter that matches the calls still working. */
export const RUNNING_FILTER = "running" satisfies OutcomeFilter;
/**
 * The outcomes that count as errors in every figure (stats, charts, rollups, reports, alert signals,
 * `/metrics`' `error.type`). `ok` is not one, nor is `cancelled`: the client's own stop, as gRPC's
 * CANCELLED and HTTP's 499 are kept out of error ratios, is counted and shown as cancelled instead.
 */
export const ERROR_OUTCOMES = [
  "tool_error",
  "client_error",
  "server_error",
  "timeout",
  "disconnected",
] as const satisfies Outcome[];
const ERRORS: ReadonlySet<string> = new Set(ERROR_OUTCOMES);
/** Whether a call with this outcome counts as an error (see ERROR_OUTCOMES). */
export function isErrorOutcome(outcome: string): boolean {
  return ERRORS.has(outcome);
}
/** How many of `outcomes` (counts by outcome) are errors. */
export function errorCount(outcomes: Readonly<Record<string, number>>): number {
  let n = 0;
  for (const [outcome, count] of Object.entries(outcomes)) if (ERRORS.has(outcome)) n += count;
  return n;
}

/** Which side sent the request: client→server (`c2s`) or server→client (`s2c`, e.g. sampling). */
export const DIRECTIONS = ["c2s", "s2c"] as const;
export type Direction = (typeof DIRECTIONS)[number];
/**
 * The direction of the requests a server's own figures are about (calls, errors, error rate, latency in
 * stats, charts, rollups, reports, alert signals and `/metrics`): those it served. A request the server
 * sent its client (sampling, elicitation, roots) waits on the client, its user or its model, so it is
 * counted apart (`requests_to_client` in stats) and never in the server's figures.
 */
export const SERVED_DIRECTION = "c2s" satisfies Direction;
/** A request's direction in words, as every view says it. */
export function directionText(direction: Direction): string {
  return direction === "c2s" ? "client → server" : "server → client";
}
/**
 * A call's operation where lists mix both directions: a request the server sent its client says so, so
 * that its outcome (a user declining sampling) is not read as the server's.
 */
export function operationText(call: { method: string; target: string | null; direction: Direction }): string {
  const op = call.target ? `${call.method} ${call.target}` : call.method;
  return call.direction === "s2c" ? `${op} (${directionText(call.direction)})` : op;
}
/** Whether a request sent in `direction` counts in its server's figures (see SERVED_DIRECTION). */
export function isServed(direction: string): boolean {
  return direction === SERVED_DIRECTION;
}
