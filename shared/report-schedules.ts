/**
 * Scheduled reports: the `reports.schedules` key of `<dataDir>/settings.json`, set in the app, with the
 * CLI or by hand, and the record of every run (when, what, where it went, how it went).
 *
 *   "reports": { "schedules": [{ "name": "weekly", "period": "week", "at": "08:00", "weekday": "mon",
 *     "formats": ["html", "pdf"], "folder": "~/reports", "channels": ["team-mail"] }] }
 */
import { z } from "zod";
import { ReportFormatSchema, ReportPeriodSchema } from "./report.js";

export const WEEKDAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;

export const ReportScheduleSchema = z.lazy(() =>
  z
    .object({
      /** Names the schedule in the run log and in delivered file names. */
      name: z
        .string()
        .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, "letters, digits, '.', '_' or '-', at most 64"),
      /** How often it runs; each run covers the time since the previous due time (schedule-time.ts). */
      period: ReportPeriodSchema,
      /** Local time of day, `HH:MM` (24-hour). */
      at: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "a local time as HH:MM"),
      /** Weekly schedules: the day (default Monday). */
      weekday: z.enum(WEEKDAYS).optional(),
      /** Monthly schedules: the day of the month, 1 to 28 so that every month has it (default 1). */
      dayOfMonth: z.number().int().min(1).max(28).optional(),
      formats: z.array(ReportFormatSchema).min(1).max(5).default(["html"]),
      /** Scope: only these servers, or only the servers of one client. */
      servers: z.array(z.string().min(1).max(500)).max(200).optional(),
      client: z.string().min(1).max(100).optional(),
      /** A folder the files are written to (created if missing; `~` is the home folder). */
      folder: z.string().min(1).max(4096).optional(),
      /** Alert channels (alerts.yaml) the report is sent through, by name. */
      channels: z.array(z.string().min(1).max(100)).max(20).default([]),
      enabled: z.boolean().default(true),
    })
    .strict()
    .refine((s) => s.folder !== undefined || s.channels.length > 0, {
      message: "give a folder or at least one channel to deliver to",
    }),
);
export type ReportSchedule = z.infer<typeof ReportScheduleSchema>;
export type ReportScheduleInput = z.input<typeof ReportScheduleSchema>;

export const ReportScheduleInfoSchema = z.lazy(() =>
  z.object({
    schedule: ReportScheduleSchema,
    /** ISO time of the next run; null when disabled. */
    nextRunAt: z.string().nullable(),
  }),
);

export const ReportSchedulesSchema = z.lazy(() =>
  z.object({
    schedules: z.array(ReportScheduleInfoSchema),
    /** What is wrong with the settings file (the schedules then are those that could be read). */
    problem: z.string().nullable(),
  }),
);
export type ReportSchedules = z.infer<typeof ReportSchedulesSchema>;

export const ReportDestinationSchema = z.lazy(() =>
  z.object({
    kind: z.enum(["folder", "channel"]),
    /** The file written, or the channel's name. */
    target: z.string(),
    status: z.enum(["pending", "delivered", "failed"]),
    error: z.string().nullable(),
    /** The outbox row of a channel delivery (its attempts are in `alerts.deliveries`). */
    deliveryId: z.number().int().nullable(),
    attempts: z.number().int(),
  }),
);
export type ReportDestination = z.infer<typeof ReportDestinationSchema>;

export const ReportRunSchema = z.lazy(() =>
  z.object({
    id: z.number().int(),
    schedule: z.string(),
    /** The scheduled time this run is for (the report ends there). */
    dueAt: z.string(),
    startedAt: z.string(),
    since: z.string(),
    until: z.string(),
    formats: z.array(ReportFormatSchema),
    /** pending while a channel delivery waits for a retry; partial when some destinations failed. */
    outcome: z.enum(["pending", "delivered", "partial", "failed"]),
    /** Why the report itself could not be made (then nothing was delivered). */
    error: z.string().nullable(),
    destinations: z.array(ReportDestinationSchema),
  }),
);
export type ReportRun = z.infer<typeof ReportRunSchema>;

export const ReportRunsQuerySchema = z.lazy(() =>
  z
    .object({
      schedule: z.string().min(1).max(64).optional(),
      limit: z.number().int().min(1).max(500).default(50),
    })
    .strict(),
);
