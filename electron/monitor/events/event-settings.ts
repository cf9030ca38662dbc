/**
 * The `events` key of `<dataDir>/settings.json`: how long each category is kept, as durations
 * (`{"events": {"retention": {"audit": "365d", "error": "14d"}}}`). Read again at each retention pass.
 */
import { readFileSync } from "node:fs";
import { EVENT_CATEGORIES, type EventCategory } from "../../../shared/events.js";
import { settingsPath } from "../logs/log-settings.js";
import { parseDuration } from "../time.js";

const DAY = 86_400_000;

export interface EventRetentionRead {
  /** Days per category that settings.json overrides. */
  days: Partial<Record<EventCategory, number>>;
  problem: string | null;
}

export function parseEventRetention(value: unknown): EventRetentionRead {
  if (value === undefined || value === null) return { days: {}, problem: null };
  const retention = (value as { retention?: unknown }).retention;
  if (retention === undefined) return { days: {}, problem: null };
  if (typeof retention !== "object" || retention === null || Array.isArray(retention)) {
    return { days: {}, problem: "settings.json: events.retention must be an object; using defaults" };
  }
  const days: Partial<Record<EventCategory, number>> = {};
  for (const [key, text] of Object.entries(retention)) {
    if (!(EVENT_CATEGORIES as readonly string[]).includes(key)) {
      return { days: {}, problem: `settings.json: events.retention.${key}: not a category; using defaults` };
    }
    let ms = Number.NaN;
    try {
      ms = typeof text === "string" ? parseDuration(text) : Number.NaN;
    } catch {}
    if (!(ms > 0)) {
      return {
        days: {},
        problem: `settings.json: events.retention.${key}: expected a duration like "30d"; using defaults`,
      };
    }
    days[key as EventCategory] = ms / DAY;
  }
  return { days, problem: null };
}

export function readEventRetention(dataDir: string): EventRetentionRead {
  let text: string;
  try {
    text = readFileSync(settingsPath(dataDir), "utf8");
  } catch {
    return { days: {}, problem: null };
  }
  try {
    return parseEventRetention((JSON.parse(text) as { events?: unknown }).events);
  } catch (error) {
    return {
      days: {},
      problem: `settings.json is not valid JSON (${(error as Error).message}); using defaults`,
    };
  }
}
