/**
 * A report: one document over a period and a scope, built by the engine from the store, with the previous
 * period of the same length for comparison. Every export format (JSON, Markdown, CSV, HTML, PDF) is
 * rendered from this one document, so they carry the same figures.
 */
import { z } from "zod";
import { LatencySchema, OutcomeCountsSchema } from "./domain.js";
import { ErrorGroupSchema } from "./events.js";
import { type FileContent, FileContentSchema, type SaveResult, SaveResultSchema } from "./files.js";
import { LevelCountsSchema, LogTemplateSchema } from "./logs.js";
import { CountedRangeSchema } from "./metrics.js";
import { TimeSpecSchema } from "./units.js";

/**
 * Bumped when a field changes meaning or type, or goes away; adding a field keeps the version.
 * 2: the previous period's call figures (`summary.calls|errors|activeServers.previous`,
 * `tools[].previousCalls`, which was always a number) are null when it holds no recorded call.
 */
export const REPORT_SCHEMA_VERSION = 2;

export const REPORT_FORMATS = ["html", "pdf", "md", "csv", "json"] as const;
export const ReportFormatSchema = z.enum(REPORT_FORMATS);
export type ReportFormat = z.infer<typeof ReportFormatSchema>;

/** The tables a CSV export can hold (one per file). */
export const REPORT_SECTIONS = [
  "summary",
  "servers",
  "downtimes",
  "tools",
  "slowest",
  "errors",
  "logs",
  "security",
  "alerts",
] as const;
export const ReportSectionSchema = z.enum(REPORT_SECTIONS);
export type ReportSection = z.infer<typeof ReportSectionSchema>;

/** A calendar-free period back from `until`: a day, a week (7 days) or a month (30 days). */
export const REPORT_PERIODS = { day: "24h", week: "7d", month: "30d" } as const;
export const ReportPeriodSchema = z.enum(["day", "week", "month"]);

export const PAPER_SIZES = ["a4", "letter"] as const;

export const ReportQuerySchema = z
  .object({
    /** A duration back from `until` (`7d`) or an ISO time; default a week. */
    since: TimeSpecSchema.optional(),
    until: TimeSpecSchema.optional(),
    /** Instead of `since`: a day, a week or a month back from `until`. */
    period: ReportPeriodSchema.optional(),
    /** Only these servers (by name). */
    servers: z.array(z.string().min(1).max(500)).max(200).optional(),
    /** Only the servers of this client (`cursor`, `claude-desktop`, …): see reports/client-scope.ts. */
    client: z.string().min(1).max(100).optional(),
  })
  .strict();
export type ReportQuery = z.infer<typeof ReportQuerySchema>;

export const ReportExportInputSchema = z.lazy(() =>
  ReportQuerySchema.extend({
    format: ReportFormatSchema,
    /** CSV only: which table (default servers). */
    section: ReportSectionSchema.optional(),
    /** PDF only. */
    paper: z.enum(PAPER_SIZES).optional(),
  }).strict(),
);
export type ReportExportInput = z.infer<typeof ReportExportInputSchema>;

/** A rendered file: text, or base64 for binary formats (PDF). */
export const ReportFileSchema = FileContentSchema;
export type ReportFile = FileContent;

export const ReportSaveResultSchema = SaveResultSchema;
export type ReportSaveResult = SaveResult;

/**
 * A figure and the same figure over the previous period: null when it cannot be known, and a call figure's
 * `previous` null when the previous period holds no recorded call (nothing to compare with, not 0).
 */
export const ComparedSchema = z.lazy(() =>
  z.object({ value: z.number().nullable(), previous: z.number().nullable() }),
);
export type Compared = z.infer<typeof ComparedSchema>;

const DowntimeSchema = z.object({ start: z.string(), durationMs: z.number(), ongoing: z.boolean() });

export const ReportServerSchema = z.lazy(() =>
  z.object({
    server: z.string(),
    calls: z.number().int(),
    errors: z.number().int(),
    /** null when the server had no calls in the period (no rate, no latency), as in the summary. */
    errorRate: z.number().nullable(),
    latency: LatencySchema.nullable(),
    /** From health checks; null when the server was not probed in the period. */
    availability: z
      .object({
        checks: z.number().int(),
        uptimePct: z.number(),
        downtimes: z.array(DowntimeSchema),
        longestDowntimeMs: z.number(),
      })
      .nullable(),
    crashes: z.number().int(),
    restarts: z.number().int(),
    /** From resource samples; null when none were taken. */
    resources: z
      .object({
        cpuMeanPct: z.number().nullable(),
        cpuMaxPct: z.number().nullable(),
        rssMaxBytes: z.number(),
      })
      .nullable(),
    clients: z.array(z.string()),
    protocolVersions: z.array(z.string()),
  }),
);
export type ReportServer = z.infer<typeof ReportServerSchema>;

export const ReportToolSchema = z.lazy(() =>
  z.object({
    server: z.string(),
    tool: z.string(),
    calls: z.number().int(),
    errors: z.number().int(),
    outcomes: OutcomeCountsSchema,
    /** null for a tool called in the previous period only (0 calls now). */
    latency: LatencySchema.nullable(),
    /** null when the previous period holds no recorded call in the report's scope: nothing to compare with. */
    previousCalls: z.number().int().nullable(),
    previousP95: z.number().nullable(),
  }),
);
export type ReportTool = z.infer<typeof ReportToolSchema>;

export const SlowCallSchema = z.lazy(() =>
  z.object({
    id: z.number().int(),
    server: z.string(),
    method: z.string(),
    target: z.string().nullable(),
    outcome: z.string(),
    startedAt: z.string(),
    durationMs: z.number(),
  }),
);

export const ReportAlertSchema = z.lazy(() =>
  z.object({
    alertId: z.string(),
    rule: z.string(),
    severity: z.string(),
    summary: z.string(),
    firedAt: z.string(),
    resolvedAt: z.string().nullable(),
    durationMs: z.number().nullable(),
  }),
);

export const SeriesBucketSchema = z.lazy(() =>
  z.object({
    time: z.string(),
    calls: z.number().int(),
    errors: z.number().int(),
    p95: z.number().nullable(),
  }),
);

export const ReportSchema = z.lazy(() =>
  z.object({
    schemaVersion: z.literal(REPORT_SCHEMA_VERSION),
    generatedAt: z.string(),
    /** What made it: `mcpscope 0.1.0`, so a reader of a file sent on knows which version's definitions apply. */
    generator: z.string().optional(),
    /** [since, until], as `mcpscope stats` reads it. */
    since: z.string(),
    until: z.string(),
    /** The same length just before the range counted (`counted.since` when widened). */
    previous: z.object({
      since: z.string(),
      until: z.string(),
      /** Present when retention made the previous period's start widen: the range its calls were counted over. */
      counted: CountedRangeSchema.optional(),
    }),
    /** Present when retention made an edge of [since, until] widen (see CountedRangeSchema). */
    counted: CountedRangeSchema.optional(),
    scope: z.object({
      /** null: every server. */
      servers: z.array(z.string()).nullable(),
      client: z.string().nullable(),
      /**
       * A client scope's server names and how each was counted (reports/client-scope.ts): calls are counted
       * per name, so a name other clients also launched brings their calls in, and a name only they launched
       * is left out. Absent for other scopes.
       */
      clientServers: z
        .array(
          z.object({
            server: z.string(),
            /** In the client's config when the report was made. */
            configured: z.boolean(),
            counted: z.boolean(),
            /** Other clients that launched sessions of this name in the period or the previous one. */
            otherClients: z.array(z.string()),
          }),
        )
        .optional(),
    }),
    summary: z.object({
      calls: ComparedSchema,
      errors: ComparedSchema,
      errorRate: ComparedSchema,
      p50: ComparedSchema,
      p95: ComparedSchema,
      p99: ComparedSchema,
      activeServers: ComparedSchema,
      /** Mean uptime % over probed servers. */
      availabilityPct: ComparedSchema,
      alertsFired: ComparedSchema,
      securityFindings: ComparedSchema,
    }),
    /** Calls, errors and p95 per time bucket, for the charts. */
    series: z.object({ stepMs: z.number().int(), buckets: z.array(SeriesBucketSchema) }),
    servers: z.array(ReportServerSchema),
    tools: z.array(ReportToolSchema),
    slowest: z.array(SlowCallSchema),
    errors: z.array(ErrorGroupSchema),
    logs: z.object({
      levels: LevelCountsSchema,
      total: z.number().int(),
      /** Templates first seen in the period. */
      newTemplates: z.array(LogTemplateSchema),
    }),
    security: z.object({
      definitionChanges: z.number().int(),
      approvals: z.number().int(),
      poisoningFindings: z.number().int(),
      secretFindings: z.number().int(),
      events: z.array(
        z.object({ time: z.string(), type: z.string(), server: z.string().nullable(), message: z.string() }),
      ),
      audit: z.object({ ok: z.boolean(), records: z.number().int(), problem: z.string().nullable() }),
    }),
    alerts: z.object({
      fired: z.number().int(),
      resolved: z.number().int(),
      meanTimeToResolveMs: z.number().nullable(),
      items: z.array(ReportAlertSchema),
      deliveries: z.array(
        z.object({
          channel: z.string(),
          delivered: z.number().int(),
          failed: z.number().int(),
          pending: z.number().int(),
        }),
      ),
    }),
    data: z.object({
      databaseBytes: z.number().int(),
      dropped: z.number().int(),
      source: z.enum(["raw", "rollups", "none"]),
      /** How latency percentiles were computed. */
      accuracy: z.enum(["exact", "within 1%"]),
      /**
       * The earliest session, call or rollup the store holds (null: none). A period that ends before it
       * was not recorded: its summary counts are null, not 0; one that starts before it is partly recorded.
       */
      recordedFrom: z.string().nullable().optional(),
    }),
  }),
);
export type Report = z.infer<typeof ReportSchema>;

/**
 * `mcpscope-report-2026-12-01_to_2026-12-07.pdf`: the period's first and last day in local time (the
 * zone `--since 2026-12-01` is read in and schedules run in, so a local day's report names one day), the
 * last no later than the report was made (a period still running is not named as if it were over).
 */
export function reportFilename(
  report: Pick<Report, "since" | "until"> & { generatedAt?: string },
  format: ReportFormat,
  section?: ReportSection,
): string {
  const day = (time: number) => {
    const d = new Date(time);
    const two = (n: number) => String(n).padStart(2, "0");
    return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`;
  };
  const end = Math.min(Date.parse(report.until), Date.parse(report.generatedAt ?? report.until));
  const last = Math.max(Date.parse(report.since), end - 1);
  const part = format === "csv" ? `-${section ?? "servers"}` : "";
  return `mcpscope-report-${day(Date.parse(report.since))}_to_${day(last)}${part}.${format}`;
}

export const REPORT_MIME_TYPES: Record<ReportFormat, string> = {
  html: "text/html; charset=utf-8",
  pdf: "application/pdf",
  md: "text/markdown; charset=utf-8",
  csv: "text/csv; charset=utf-8",
  json: "application/json",
};
