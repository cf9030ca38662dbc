/**
 * An event type as `events --type`, the Events view and an alert rule's `type` take it: `session.start`
 * names that type; a trailing `*` names the types that start with what precedes it (`session.*`,
 * `wrapper.st*`), as in a shell. Both match case as written, as the types are stored, so a listing and
 * an alert rule given the same pattern count the same events.
 */
import type { SqlValue } from "../store/db.js";

export function eventTypeMatch(pattern: string, column = "type"): { where: string; params: SqlValue[] } {
  if (!pattern.endsWith("*")) return { where: `${column} = ?`, params: [pattern] };
  const prefix = pattern.slice(0, -1);
  // length() counts characters as substr() does; a length from JS would count UTF-16 units.
  return { where: `substr(${column}, 1, length(?)) = ?`, params: [prefix, prefix] };
}
