/** The order the Events view keeps its list in: the engine's and the CLI's. */
import type { EventRecord } from "../../shared/events.js";

/**
 * Merges two lists of events, newest first by time (then id, as the engine and the CLI list them), without
 * duplicates, keeping the newest `cap`. An event stored late (a log template mined minutes after its first
 * line) takes its place by time, not at the top.
 */
export function mergeEvents(
  current: readonly EventRecord[],
  incoming: readonly EventRecord[],
  cap: number,
): EventRecord[] {
  const byId = new Map<number, EventRecord>();
  for (const e of current) byId.set(e.id, e);
  for (const e of incoming) byId.set(e.id, e);
  return [...byId.values()].sort((a, b) => b.time.localeCompare(a.time) || b.id - a.id).slice(0, cap);
}
