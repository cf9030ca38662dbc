/**
 * The `events` key of `<dataDir>/settings.json`: how long each category is kept, as durations
 * (`{"events": {"retention": {"audit": "365d", "error": "14d"}}}`). Read again at each retention pass.
 */
import { EVENT_CATEGORIES, type EventCategory } from "../../../shared/events.js";
import { keepValid, problemLine, readSettingsDocument, type SettingsProblem } from "../settings-document.js";
import { parseDuration } from "../time.js";

const DAY = 86_400_000;

export interface EventRetentionRead {
  /** Days per category that settings.json overrides. */
  days: Partial<Record<EventCategory, number>>;
  problem: string | null;
  /** false while settings.json has not been read (it does not parse): retention waits. */
  chosen: boolean;
}

function durationMs(text: unknown): number {
  try {
    return typeof text === "string" ? parseDuration(text) : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

function checkEvents(value: unknown): SettingsProblem[] {
  const isObject = (v: unknown) => typeof v === "object" && v !== null && !Array.isArray(v);
  if (!isObject(value)) return [{ path: [], message: "is not an object" }];
  const retention = (value as { retention?: unknown }).retention;
  if (retention === undefined) return [];
  if (!isObject(retention)) return [{ path: ["retention"], message: "is not an object of durations" }];
  for (const [key, text] of Object.entries(retention as Record<string, unknown>)) {
    if (!(EVENT_CATEGORIES as readonly string[]).includes(key))
      return [
        {
          path: ["retention", key],
          message: `unknown category, ignored: use ${EVENT_CATEGORIES.join(", ")}`,
        },
      ];
    if (!(durationMs(text) > 0))
      return [{ path: ["retention", key], message: 'is not a duration: use one like "30d"' }];
  }
  return [];
}

export function parseEventRetention(value: unknown): EventRetentionRead {
  const valid = keepValid<{ retention?: Record<string, string> }>(
    "events",
    value === null ? undefined : value,
    checkEvents,
  );
  const days: Partial<Record<EventCategory, number>> = {};
  for (const [key, text] of Object.entries(valid.value?.retention ?? {}))
    days[key as EventCategory] = durationMs(text) / DAY;
  return { days, problem: problemLine(valid.problems), chosen: true };
}

export function readEventRetention(dataDir: string): EventRetentionRead {
  const { document, problem } = readSettingsDocument(dataDir);
  if (!document) return { days: {}, problem, chosen: false };
  const read = parseEventRetention(document.events);
  const problems = [problem, read.problem].filter(Boolean);
  return { ...read, problem: problems.length ? problems.join("; ") : null };
}
