/**
 * The `metrics` key of `<dataDir>/settings.json`: the collection interval and how long each resolution is
 * kept. The interval is read when the engine starts, retention at each pass. A missing key means its
 * default; so does an invalid one, named in the problem message, while every valid key applies.
 */
import { z } from "zod";
import { keepValid, problemLine, readSettingsDocument, schemaCheck } from "../settings-document.js";
import { PositiveDurationSetting as Duration } from "../settings-values.js";
import { parseDuration } from "../time.js";
import type { MetricsSettings } from "./collector.js";
import { DEFAULT_RETENTION, type RetentionSettings } from "./retention.js";

export const MetricsSettingsSchema = z
  .object({
    collectionInterval: Duration.optional(),
    retention: z
      .object({
        calls: Duration.optional(),
        minutes: Duration.optional(),
        hours: Duration.optional(),
        days: Duration.optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export interface MetricsSettingsRead {
  settings: Partial<MetricsSettings>;
  problem: string | null;
  /** false while settings.json has not been read (it does not parse): retention waits. */
  chosen: boolean;
}

export function parseMetricsSettings(value: unknown): MetricsSettingsRead {
  const valid = keepValid<z.infer<typeof MetricsSettingsSchema>>(
    "metrics",
    value,
    schemaCheck(MetricsSettingsSchema),
  );
  const { collectionInterval, retention } = valid.value ?? {};
  const settings: Partial<MetricsSettings> = {};
  if (collectionInterval) settings.collectionIntervalMs = parseDuration(collectionInterval);
  if (retention) {
    settings.retention = {
      rawCallsMs: retention.calls ? parseDuration(retention.calls) : DEFAULT_RETENTION.rawCallsMs,
      minutesMs: retention.minutes ? parseDuration(retention.minutes) : DEFAULT_RETENTION.minutesMs,
      hoursMs: retention.hours ? parseDuration(retention.hours) : DEFAULT_RETENTION.hoursMs,
      daysMs: retention.days ? parseDuration(retention.days) : DEFAULT_RETENTION.daysMs,
    };
  }
  return { settings, problem: problemLine(valid.problems), chosen: true };
}

export function readMetricsSettings(dataDir: string): MetricsSettingsRead {
  const { document, problem } = readSettingsDocument(dataDir);
  if (!document) return { settings: {}, problem, chosen: false };
  const read = parseMetricsSettings(document.metrics);
  const problems = [problem, read.problem].filter(Boolean);
  return { ...read, problem: problems.length ? problems.join("; ") : null };
}

/**
 * The retention periods settings.json sets now, or null while it has never been read. `warn` hears the
 * problem of each read, so that an edit made while the engine runs is reported, not only applied.
 */
export function readMetricsRetention(
  dataDir: string,
  warn: (problem: string) => void = () => {},
): RetentionSettings | null {
  const read = readMetricsSettings(dataDir);
  if (read.problem) warn(read.problem);
  return read.chosen ? { ...DEFAULT_RETENTION, ...read.settings.retention } : null;
}
