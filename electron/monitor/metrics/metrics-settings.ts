/**
 * The `metrics` key of `<dataDir>/settings.json`: the collection interval and how long each resolution is
 * kept. Read when the engine starts. A missing key means defaults; an invalid one means defaults plus one
 * problem message naming the key.
 */
import { readFileSync } from "node:fs";
import { z } from "zod";
import { settingsPath } from "../logs/log-settings.js";
import { parseDuration } from "../time.js";
import type { MetricsSettings } from "./collector.js";
import { DEFAULT_RETENTION } from "./retention.js";

const Duration = z.string().refine((v) => {
  try {
    return parseDuration(v) > 0;
  } catch {
    return false;
  }
}, "a duration like 15s, 5m, 24h or 7d");

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
}

export function parseMetricsSettings(value: unknown): MetricsSettingsRead {
  if (value === undefined) return { settings: {}, problem: null };
  const parsed = MetricsSettingsSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      settings: {},
      problem: `settings.json: metrics.${issue?.path.join(".") ?? ""}: ${issue?.message ?? "invalid"}; using defaults`,
    };
  }
  const { collectionInterval, retention } = parsed.data;
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
  return { settings, problem: null };
}

export function readMetricsSettings(dataDir: string): MetricsSettingsRead {
  let text: string;
  try {
    text = readFileSync(settingsPath(dataDir), "utf8");
  } catch {
    return { settings: {}, problem: null };
  }
  try {
    return parseMetricsSettings((JSON.parse(text) as { metrics?: unknown }).metrics);
  } catch (error) {
    return {
      settings: {},
      problem: `settings.json is not valid JSON (${(error as Error).message}); using default metrics settings`,
    };
  }
}
