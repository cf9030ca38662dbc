/**
 * Domain types shared by the engine, the CLI and the renderer. Each type is inferred from its zod
 * schema so that what crosses a process boundary is validated against the same definition.
 */
import { z } from "zod";
import { CountedRangeSchema } from "./metrics.js";
import { DIRECTIONS, OUTCOME_FILTERS, OUTCOMES } from "./outcomes.js";
import { TASK_STATES } from "./tasks.js";

export {
  ERROR_OUTCOMES,
  errorCount,
  isErrorOutcome,
  OUTCOME_FILTERS,
  OUTCOMES,
  type OutcomeFilter,
  RUNNING_FILTER,
} from "./outcomes.js";
export const OutcomeSchema = z.enum(OUTCOMES);
export type Outcome = z.infer<typeof OutcomeSchema>;
/** A calls listing's outcome filter: an outcome, or `running` (OUTCOME_FILTERS). */
export const OutcomeFilterSchema = z.enum(OUTCOME_FILTERS);
/**
 * The outcomes in which the server replied: it was alive, whatever it said. A request the proxy could
 * not deliver (the upstream unreachable, TLS failing, a gateway's 502) ends `disconnected`, a gateway's
 * 504 `timeout`: the server said nothing.
 */
export const ANSWERED_OUTCOMES = [
  "ok",
  "tool_error",
  "client_error",
  "server_error",
] as const satisfies Outcome[];
/**
 * HTTP statuses that refuse the client (401 unauthorized, 403 forbidden): the server is reachable but
 * will not serve these credentials, so such calls are stored as `client_error` and do not count as
 * answered (a server that refuses every call is not `active`).
 */
export const REFUSED_HTTP_STATUSES = [401, 403] as const;

export { directionText, isServed, operationText, SERVED_DIRECTION } from "./outcomes.js";
export const DirectionSchema = z.enum(DIRECTIONS);
export type Direction = z.infer<typeof DirectionSchema>;

/** The protocol era a session speaks: session based (≤ 2025-11-25) or stateless (2026-07-28). */
export const EraSchema = z.enum(["session", "stateless", "unknown"]);
export type Era = z.infer<typeof EraSchema>;

/**
 * The task a task-augmented request created (MCP 2025-11-25 tasks): its id and the state last seen
 * (`unfinished`: the session ended before the task did).
 */
export const CallTaskSchema = z.lazy(() => z.object({ id: z.string(), state: z.enum(TASK_STATES) }));
export type CallTask = z.infer<typeof CallTaskSchema>;

/** One request, as listed (payloads omitted). */
export const CallSummarySchema = z.object({
  id: z.number().int(),
  server: z.string(),
  sessionId: z.string(),
  direction: DirectionSchema,
  requestId: z.string(),
  method: z.string(),
  target: z.string().nullable(),
  /** null while its task runs (`task.state` working or input_required): it has no outcome yet. */
  outcome: OutcomeSchema.nullable(),
  startedAt: z.string(),
  /** Until its end; for a call that created a task, until the task's end as the wrapper saw it. */
  durationMs: z.number(),
  errorCode: z.number().int().nullable(),
  errorMessage: z.string().nullable(),
  bytesIn: z.number().int(),
  bytesOut: z.number().int(),
  rounds: z.number().int(),
  /** `notifications/progress` the request's progress token got while it was pending. */
  progressCount: z.number().int(),
  /** The task the request created; null for a call that created none. */
  task: CallTaskSchema.nullable(),
});
export type CallSummary = z.infer<typeof CallSummarySchema>;

/** One call with its masked, capped request and response text. */
export const CallDetailSchema = z.lazy(() =>
  CallSummarySchema.extend({
    request: z.string().nullable(),
    response: z.string().nullable(),
    protocolVersion: z.string().nullable(),
    clientName: z.string().nullable(),
    clientVersion: z.string().nullable(),
    /** The server's own name and version in its session's handshake (`serverInfo`). */
    serverName: z.string().nullable(),
    serverVersion: z.string().nullable(),
    /** The MCP client whose config entry launched the call's session (`run --client`); null: started by hand. */
    client: z.string().nullable(),
    /** The HTTP status of the exchange that carried the request (Streamable HTTP, SSE); null over stdio. */
    httpStatus: z.number().int().nullable(),
    /** Its task's status changes as the wrapper saw them, oldest first (the first and the latest 31 kept). */
    taskUpdates: z.array(
      z.object({ at: z.string(), state: z.enum(TASK_STATES), message: z.string().nullable() }),
    ),
  }),
);
export type CallDetail = z.infer<typeof CallDetailSchema>;

export const LatencySchema = z.lazy(() =>
  z.object({ p50: z.number(), p95: z.number(), p99: z.number(), max: z.number() }),
);
export type Latency = z.infer<typeof LatencySchema>;

export const OutcomeCountsSchema = z.lazy(() =>
  z.object(Object.fromEntries(OUTCOMES.map((o) => [o, z.number().int()])) as Record<Outcome, z.ZodNumber>),
);
export type OutcomeCounts = Record<Outcome, number>;

export const OperationStatsSchema = z.lazy(() =>
  z.object({
    method: z.string(),
    target: z.string().nullable(),
    calls: z.number().int(),
    errors: z.number().int(),
    outcomes: OutcomeCountsSchema,
    latency_ms: LatencySchema,
    bytes_in: z.number().int(),
    bytes_out: z.number().int(),
  }),
);
export type OperationStats = z.infer<typeof OperationStatsSchema>;

export const ServerStatsSchema = z.lazy(() =>
  z.object({
    server: z.string(),
    /** The requests the server served (its figures: calls, errors, error rate, latency). */
    calls: z.number().int(),
    errors: z.number().int(),
    error_rate: z.number(),
    operations: z.array(OperationStatsSchema),
    /**
     * The requests the server sent its client (sampling, elicitation, roots), per method, counted apart:
     * their time is the client's, their errors its answers. Present when there were any.
     */
    requests_to_client: z.array(OperationStatsSchema).optional(),
  }),
);
export type ServerStats = z.infer<typeof ServerStatsSchema>;

/** The document `mcpscope stats --json` prints and the `stats.get` method returns. */
export const StatsDocumentSchema = z.lazy(() =>
  z.object({
    since: z.string(),
    until: z.string(),
    /** Every call in the range (of the servers asked for), as a report's summary counts it; null: no calls. */
    latency_ms: LatencySchema.nullable(),
    servers: z.array(ServerStatsSchema),
    /** Present when retention made an edge widen (see CountedRangeSchema). */
    counted: CountedRangeSchema.optional(),
  }),
);
export type StatsDocument = z.infer<typeof StatsDocumentSchema>;

/** A server mcpscope has seen traffic from. */
export const ServerSummarySchema = z.lazy(() =>
  z.object({
    name: z.string(),
    firstSeen: z.string(),
    lastSeen: z.string(),
    sessions: z.number().int(),
    activeSessions: z.number().int(),
    calls: z.number().int(),
    lastCommand: z.string().nullable(),
    /** Calls it answered (ANSWERED_OUTCOMES, not refused with 401/403) in the servers' active window, up to a cap (see TrafficInfoSchema). */
    recentAnswered: z.number().int(),
  }),
);
export type ServerSummary = z.infer<typeof ServerSummarySchema>;

/**
 * What recorded a session, from its stored command: `mcpscope proxy` stores the upstream's URL (a
 * command line never starts with one), `mcpscope run` the command it launched.
 */
export function recordedVia(command: string | null): "run" | "proxy" {
  return command && /^https?:\/\//i.test(command) ? "proxy" : "run";
}

/** The engine's own health: where it stores, and what it had to drop. */
export const SystemInfoSchema = z.lazy(() =>
  z.object({
    version: z.string(),
    dataDir: z.string(),
    databaseBytes: z.number().int(),
    /** Observations the wrappers dropped, over every recorded session. */
    dropped: z.number().int(),
    /**
     * Writes the engine's own writer failed since the engine started: whole batches, database opens, and
     * the parts of a batch that failed alone (an audit link, a refused row) while its other rows were kept.
     */
    writeFailures: z.number().int(),
  }),
);
export type SystemInfo = z.infer<typeof SystemInfoSchema>;
