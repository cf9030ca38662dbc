/**
 * Event tracking: the specification's system, security, user, error and audit events, error groups, tool
 * pins and session timelines, as the engine returns them.
 */
import { z } from "zod";
import { SESSION_END_REASONS, sessionEndReasonText } from "./session-end.js";
import { PageLimitSchema, TimeSpecSchema } from "./units.js";

export {
  type ProxySessionEndReason,
  SESSION_END_REASONS,
  type SessionEndReason,
  sessionEndReasonText,
  toSessionEndReason,
} from "./session-end.js";

export const EVENT_CATEGORIES = ["system", "security", "user", "error", "audit"] as const;
export const EventCategorySchema = z.enum(EVENT_CATEGORIES);
export type EventCategory = z.infer<typeof EventCategorySchema>;
/** Mildest first: a filter on one severity means it and those after it. */
export const EVENT_SEVERITIES = ["info", "low", "medium", "high", "critical"] as const;
export const EventSeveritySchema = z.enum(EVENT_SEVERITIES);
export type EventSeverity = z.infer<typeof EventSeveritySchema>;

export const EventRecordSchema = z.lazy(() =>
  z.object({
    id: z.number().int(),
    time: z.string(),
    category: EventCategorySchema,
    type: z.string(),
    severity: EventSeveritySchema,
    server: z.string().nullable(),
    session: z.string().nullable(),
    correlation: z.object({
      requestId: z.string().nullable(),
      traceId: z.string().nullable(),
      progressToken: z.string().nullable(),
      parentEvent: z.number().int().nullable(),
    }),
    message: z.string(),
    /** Masked. */
    details: z.unknown(),
  }),
);
export type EventRecord = z.infer<typeof EventRecordSchema>;

export const EventsQuerySchema = z.lazy(() =>
  z
    .object({
      since: TimeSpecSchema.optional(),
      until: TimeSpecSchema.optional(),
      category: EventCategorySchema.optional(),
      type: z.string().max(200).optional(),
      /** This severity and above. */
      severity: EventSeveritySchema.optional(),
      server: z.string().optional(),
      session: z.string().optional(),
      /** Paging back: only the events listed after this one (older by time, then by id). */
      beforeId: z.number().int().positive().optional(),
      /** The `beforeId` event's time, so paging goes on after that event is deleted. */
      beforeTime: z.iso.datetime().optional(),
      limit: PageLimitSchema.optional(),
    })
    .strict(),
);
export type EventsQuery = z.infer<typeof EventsQuerySchema>;

/** Errors grouped by fingerprint (type, server, method/target, error code, normalised message). */
export const ErrorGroupSchema = z.lazy(() =>
  z.object({
    fingerprint: z.string(),
    type: z.string(),
    server: z.string().nullable(),
    message: z.string(),
    count: z.number().int(),
    firstSeen: z.string(),
    lastSeen: z.string(),
  }),
);
export type ErrorGroup = z.infer<typeof ErrorGroupSchema>;

export const ErrorGroupsQuerySchema = z.lazy(() =>
  z
    .object({
      since: TimeSpecSchema.optional(),
      server: z.string().optional(),
      limit: PageLimitSchema.optional(),
    })
    .strict(),
);

/** One tool's pinned definition and, when it changed, the new one waiting for approval. */
export const ToolPinSchema = z.lazy(() =>
  z.object({
    server: z.string(),
    tool: z.string(),
    pinnedAt: z.string(),
    hash: z.string(),
    /** Masked JSON text of {name, description, inputSchema, outputSchema}. */
    definition: z.string(),
    status: z.enum(["pinned", "changed", "removed"]),
    pending: z
      .object({
        seenAt: z.string(),
        hash: z.string(),
        definition: z.string(),
        /** Set when the change cannot be shown, as it lies inside a masked value: says so (tool-pins.ts). */
        hiddenChange: z.string().nullable(),
      })
      .nullable(),
    /** Tool-poisoning findings on the current description, each naming its rule. */
    findings: z.array(z.object({ rule: z.string(), message: z.string() })),
  }),
);
export type ToolPin = z.infer<typeof ToolPinSchema>;

export const TimelineItemSchema = z.lazy(() =>
  z.object({
    time: z.string(),
    kind: z.enum(["call", "log", "event"]),
    id: z.number().int(),
    summary: z.string(),
    level: z.string().nullable(),
    detail: z.unknown(),
  }),
);
export type TimelineItem = z.infer<typeof TimelineItemSchema>;

export const SessionTimelineSchema = z.lazy(() =>
  z.object({
    session: z.object({
      id: z.string(),
      server: z.string(),
      startedAt: z.string(),
      endedAt: z.string().nullable(),
      /** null while the session is open. */
      endReason: z.enum(SESSION_END_REASONS).nullable(),
      exitCode: z.number().int().nullable(),
      exitSignal: z.string().nullable(),
      /** Calls of this session not recorded (not observed in full, or dropped on the way to storage). */
      dropped: z.number().int(),
      clientName: z.string().nullable(),
      clientVersion: z.string().nullable(),
      /** The server's own name and version in the handshake (`serverInfo`). */
      serverName: z.string().nullable(),
      serverVersion: z.string().nullable(),
      protocolVersion: z.string().nullable(),
      /** The MCP client whose config entry launched it (`run --client`); null when started by hand. */
      client: z.string().nullable(),
    }),
    items: z.array(TimelineItemSchema),
  }),
);
export type SessionTimeline = z.infer<typeof SessionTimelineSchema>;

/** How a session ended, in a few words ("still running", "exit code 0", "closed by the client…"). */
export function sessionEndText(
  session: Pick<SessionTimeline["session"], "endedAt" | "endReason" | "exitCode" | "exitSignal">,
): string {
  if (session.endedAt === null) return "still running";
  if (session.endReason !== null && session.endReason !== "exit")
    return sessionEndReasonText(session.endReason);
  if (session.exitSignal !== null) return `the server stopped on signal ${session.exitSignal}`;
  if (session.exitCode !== null) return `the server exited with code ${session.exitCode}`;
  return "no exit status";
}
