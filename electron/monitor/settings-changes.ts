/**
 * What changed between two versions of settings.json, key by key: the dotted key path and its value
 * before and after, masked (the file may hold secrets, e.g. an alert channel's token), so that an audit
 * record can say "storage.retention.audit went from 365d to 1d" rather than only that the file changed.
 */
import { canonicalJson } from "./audit/audit-record.js";
import { maskValue } from "./pipeline/mask.js";

export interface SettingChange {
  key: string;
  /** The value before (masked), or null when the key was not set. */
  from: unknown;
  /** The value after (masked), or null when the key was removed. */
  to: unknown;
}

/** At most this many changes are listed; `settingsChanges` says how many there were in all. */
export const CHANGES_LISTED = 50;

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * The keys whose values differ, each leaf (or array, or a value replacing an object) once. Values are
 * masked as parts of their documents, so a secret is recognised by the name it is kept under.
 */
export function settingsChanges(
  before: unknown,
  after: unknown,
): { changes: SettingChange[]; total: number } {
  const maskedBefore = maskValue(before);
  const maskedAfter = maskValue(after);
  const changes: SettingChange[] = [];
  let total = 0;
  const walk = (a: unknown, b: unknown, ma: unknown, mb: unknown, path: string) => {
    // A section added or removed is its keys added or removed, each named.
    if (
      (isObject(a) || a === undefined) &&
      (isObject(b) || b === undefined) &&
      (isObject(a) || isObject(b))
    ) {
      const from = (a ?? {}) as Record<string, unknown>;
      const to = (b ?? {}) as Record<string, unknown>;
      const keys = [...new Set([...Object.keys(from), ...Object.keys(to)])].sort();
      for (const key of keys)
        walk(
          from[key],
          to[key],
          isObject(ma) ? ma[key] : undefined,
          isObject(mb) ? mb[key] : undefined,
          path ? `${path}.${key}` : key,
        );
      return;
    }
    if (canonicalJson(a) === canonicalJson(b)) return;
    total++;
    if (changes.length < CHANGES_LISTED)
      changes.push({
        key: path || "(whole file)",
        from: a === undefined ? null : ma,
        to: b === undefined ? null : mb,
      });
  };
  walk(before, after, maskedBefore, maskedAfter, "");
  return { changes, total };
}

/** `storage.retention.audit 365d → 1d, logs.minLevel → debug`: the changes in one line. */
export function describeChanges(changes: SettingChange[], total: number): string {
  const value = (v: unknown) =>
    v === null || v === undefined ? "(unset)" : typeof v === "string" ? v : canonicalJson(v);
  const shown = changes.slice(0, 5).map((c) => `${c.key} ${value(c.from)} → ${value(c.to)}`);
  return `${shown.join(", ")}${total > shown.length ? ` and ${total - shown.length} more` : ""}`;
}
