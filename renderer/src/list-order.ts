/** The order the Events and Calls views keep their lists in: the engine's and the CLI's. */
import type { CallSummary } from "../../shared/domain.js";
import type { EventRecord } from "../../shared/events.js";

/**
 * A merge of two lists, newest first by time (then id, as the engine and the CLI list them), without
 * duplicates (the incoming copy wins), keeping the newest `cap`. A row stored late with an early time (a
 * call from a wrapper that wrote its batch after another's, a log template mined minutes after its first
 * line) takes its place by time, not at the top. `timeOf` gives an ISO 8601 time in UTC, which sorts as text.
 */
export function newestByTime<T extends { id: number }>(
  timeOf: (row: T) => string,
): (current: readonly T[], incoming: readonly T[], cap: number) => T[] {
  return (current, incoming, cap) => {
    const byId = new Map<number, T>();
    for (const row of current) byId.set(row.id, row);
    for (const row of incoming) byId.set(row.id, row);
    return [...byId.values()].sort((a, b) => timeOf(b).localeCompare(timeOf(a)) || b.id - a.id).slice(0, cap);
  };
}

/** Events newest first by time, then id; an event stored late takes its place by time. */
export const mergeEvents = newestByTime<EventRecord>((e) => e.time);

/** Calls newest first by start time, then id; a call written late by its wrapper takes its place by time. */
export const mergeCalls = newestByTime<CallSummary>((c) => c.startedAt);
