/**
 * The `events` key of `<dataDir>/settings.json`: how long each category is kept, as durations
 * (`{"events": {"retention": {"audit": "365d", "error": "14d"}}}`). Read again at each retention pass.
 */
import { durationMs, positiveDurationSettingProblem } from "../../../shared/durations.js";
import { EVENT_CATEGORIES, type EventCategory } from "../../../shared/events.js";
import { keepValid, problemLine, readSettingsDocument, type SettingsProblem } from "../settings-document.js";

const DAY = 86_400_000;

export interface EventRetentionRead {
  /** Days per category that settings.json overrides. */
  days: Partial<Record<EventCategory, number>>;
  problem: string | null;
  /** false while settings.json has not been read (it does not parse): retention waits. */
  chosen: boolean;
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
    if (typeof text !== "string")
      return [{ path: ["retention", key], message: 'is not a duration: use one like "30d"' }];
    const problem = positiveDurationSettingProblem(text);
    if (problem) return [{ path: ["retention", key], message: problem }];
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
  for (const [key, text] of Object.entries(valid.value?.retention ?? {})) {
    const ms = durationMs(text);
    if (ms !== null && ms > 0) days[key as EventCategory] = ms / DAY;
  }
  return { days, problem: problemLine(valid.problems), chosen: true };
}

export function readEventRetention(dataDir: string): EventRetentionRead {
  const { document, problem } = readSettingsDocument(dataDir);
  if (!document) return { days: {}, problem, chosen: false };
  const read = parseEventRetention(document.events);
  const problems = [problem, read.problem].filter(Boolean);
  return { ...read, problem: problems.length ? problems.join("; ") : null };
}
