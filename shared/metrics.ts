/**
 * Metrics over time in the API: `metrics.series` gives calls, errors and latency percentiles per time
 * bucket (the Overview's and the Tools view's charts). Types are inferred from the zod schemas.
 */
import { z } from "zod";
import { TimeSpecSchema } from "./units.js";

/** A bucket width: whole minutes, hours, days or weeks (`1m`, `5m`, `1h`, `1d`); rollups are per minute. */
export const StepSchema = z
  .string()
  .regex(/^[1-9]\d{0,5}[mhdw]$/, "a step is a whole number of minutes, hours, days or weeks: 1m, 5m, 1h, 1d");

/**
 * The range a read counted when retention had deleted the detail an edge needed: that edge was widened
 * to the whole bucket of the finest resolution still kept.
 */
export const CountedRangeSchema = z.lazy(() =>
  z.object({
    since: z.string(),
    /**
     * Exclusive where this edge was widened (it then differs from the `until` asked); otherwise the `until`
     * asked, included as every range is.
     */
    until: z.string(),
    resolution: z.enum(["minute", "hour", "day"]),
  }),
);
export type CountedRange = z.infer<typeof CountedRangeSchema>;

/** One line telling a reader what was counted instead of the range asked for. */
export function countedNote(counted: CountedRange, time: (iso: string) => string = (t) => t): string {
  const kept = { minute: "per-minute", hour: "hourly", day: "daily" }[counted.resolution];
  return `only ${kept} detail is kept here: counted ${time(counted.since)} to ${time(counted.until)} (whole ${counted.resolution === "day" ? "UTC day" : counted.resolution}s at the edges)`;
}

export const MetricsSeriesQuerySchema = z.lazy(() =>
  z
    .object({
      since: TimeSpecSchema.optional(),
      until: TimeSpecSchema.optional(),
      server: z.string().optional(),
      /** Only `tools/call` of this tool (with `server`, of that server's tool). */
      tool: z.string().optional(),
      /** Default: chosen from the range so that there are at most ~300 points. */
      step: StepSchema.optional(),
    })
    .strict(),
);
export type MetricsSeriesQuery = z.infer<typeof MetricsSeriesQuerySchema>;

/** Calls, failures and latency percentiles (ms; null when there are no calls). */
export const SeriesTotalSchema = z.object({
  calls: z.number().int(),
  /** Calls that ended in an error (see ERROR_OUTCOMES in shared/domain.ts). */
  errors: z.number().int(),
  p50: z.number().nullable(),
  p95: z.number().nullable(),
  p99: z.number().nullable(),
});
export type SeriesTotal = z.infer<typeof SeriesTotalSchema>;

/** One bucket [time, time + step). */
export const SeriesPointSchema = z.lazy(() => SeriesTotalSchema.extend({ time: z.string() }));
export type SeriesPoint = z.infer<typeof SeriesPointSchema>;

/**
 * What `metrics.series` returns. Buckets are aligned to UTC multiples of the step, so the first one may
 * start before `since` and the last one end after `until`; those two hold only the calls in the range
 * (read as `stats` reads it), so the points and the total agree with `stats` over the same range. A
 * bucket whose data retention has already deleted at every resolution the step allows is left out (a
 * gap, not a zero); the default step is never finer than the detail still kept at `since`.
 */
export const MetricsSeriesSchema = z.lazy(() =>
  z.object({
    since: z.string(),
    until: z.string(),
    /** Present when retention made an edge widen (see CountedRangeSchema). */
    counted: CountedRangeSchema.optional(),
    step_ms: z.number().int().positive(),
    points: z.array(SeriesPointSchema),
    /** Over every point: the percentiles of all their calls together (not an average of the buckets'). */
    total: SeriesTotalSchema,
  }),
);
export type MetricsSeries = z.infer<typeof MetricsSeriesSchema>;
