/**
 * Logs in the API: the stored record, the search and patterns queries, and the `logs` part of the
 * settings file. Types are inferred from the zod schemas that validate them at every boundary.
 */
import { z } from "zod";
import { LOG_LEVELS } from "./levels.js";
import { PageLimitSchema, TimeSpecSchema } from "./units.js";

export const LogLevelSchema = z.enum(LOG_LEVELS);

/** `stderr`: the server's stderr; `mcp`: `notifications/message`; `mcpscope`: mcpscope's own logs. */
export const LOG_SOURCES = ["stderr", "mcp", "mcpscope"] as const;
/** The server name mcpscope's own log records are stored under. */
export const SELF_SERVER = "mcpscope";
export const LogSourceSchema = z.enum(LOG_SOURCES);
export type LogSource = z.infer<typeof LogSourceSchema>;

/** One stored log record (masked, capped). `fields` is null when the record had none. */
export const LogRecordSchema = z.lazy(() =>
  z.object({
    id: z.number().int(),
    time: z.string(),
    level: LogLevelSchema,
    server: z.string(),
    session: z.string().nullable(),
    source: LogSourceSchema,
    logger: z.string().nullable(),
    message: z.string(),
    fields: z.record(z.string(), z.unknown()).nullable(),
    /** The request the record belongs to, where the protocol makes it knowable. */
    requestId: z.string().nullable(),
  }),
);
export type LogRecord = z.infer<typeof LogRecordSchema>;

export const LogsQuerySchema = z
  .object({
    since: TimeSpecSchema.optional(),
    until: TimeSpecSchema.optional(),
    server: z.string().optional(),
    /** This level and above. */
    level: LogLevelSchema.optional(),
    /** Full text: words (all must match), `"a phrase"`, `word*` for a prefix. Quoted safely. */
    text: z.string().max(1000).optional(),
    session: z.string().optional(),
    /** Only records with an id below this one (paging back). */
    beforeId: z.number().int().positive().optional(),
    limit: PageLimitSchema.optional(),
  })
  .strict();
export type LogsQuery = z.infer<typeof LogsQuerySchema>;

/**
 * The live tail, polled: records stored after a cursor, oldest first. Without `after` the answer is only
 * the cursor where the tail begins now (the newest record, or with text the newest one indexed), so a
 * front shows the backlog with `logs.search` below it and follows from it.
 */
export const LogsTailQuerySchema = z.lazy(() =>
  LogsQuerySchema.pick({
    server: true,
    level: true,
    text: true,
    session: true,
    limit: true,
  })
    .extend({ after: z.number().int().min(0).optional() })
    .strict(),
);
export type LogsTailQuery = z.infer<typeof LogsTailQuerySchema>;

export const LogsTailPageSchema = z.lazy(() =>
  z.object({
    /** Matching records after the cursor, oldest first. */
    records: z.array(LogRecordSchema),
    /** Where the next page starts: past the records looked at, matching or not. */
    cursor: z.number().int(),
    /** A full page came back: ask again at once rather than after the poll interval. */
    more: z.boolean(),
  }),
);
export type LogsTailPage = z.infer<typeof LogsTailPageSchema>;

export const LogPatternsQuerySchema = z.lazy(() =>
  z
    .object({
      since: TimeSpecSchema.optional(),
      until: TimeSpecSchema.optional(),
      server: z.string().optional(),
      /** Templates whose most severe line is this level or above. */
      level: LogLevelSchema.optional(),
      limit: PageLimitSchema.optional(),
    })
    .strict(),
);
export type LogPatternsQuery = z.infer<typeof LogPatternsQuerySchema>;

/** A log template mined by Drain: variable parts are `<*>`. `count` is since the template first appeared. */
export const LogTemplateSchema = z.lazy(() =>
  z.object({
    id: z.number().int(),
    server: z.string(),
    template: z.string(),
    /** The most severe level among its lines. */
    level: LogLevelSchema,
    count: z.number().int(),
    firstSeen: z.string(),
    lastSeen: z.string(),
    example: z.string(),
  }),
);
export type LogTemplate = z.infer<typeof LogTemplateSchema>;

export const LevelCountsSchema = z.object(
  Object.fromEntries(LOG_LEVELS.map((l) => [l, z.number().int()])) as Record<
    (typeof LOG_LEVELS)[number],
    z.ZodNumber
  >,
);
export type LevelCounts = z.infer<typeof LevelCountsSchema>;

/** What `logs.patterns` returns and `mcpscope logs patterns --json` prints. */
export const LogPatternsDocumentSchema = z.lazy(() =>
  z.object({
    since: z.string(),
    until: z.string(),
    /** Templates last seen in the range, most frequent first. */
    patterns: z.array(LogTemplateSchema),
    /** Lines per level over the range. */
    levels: LevelCountsSchema,
    /** Lines per level per bucket (`bucketMinutes` wide; 1 for ranges up to a day). */
    bucketMinutes: z.number().int(),
    timeline: z.array(z.object({ start: z.string() }).extend(LevelCountsSchema.shape)),
    /** Templates stored in all, any range and server: an empty answer tells filters from nothing mined. */
    storedTemplates: z.number().int(),
    /** Records stored but not mined yet (present when some are): the templates lag by these. */
    unmined: z.number().int().optional(),
  }),
);
export type LogPatternsDocument = z.infer<typeof LogPatternsDocumentSchema>;
