/**
 * How views on a range relative to now ("the last 15 min") move on with the clock: every RANGE_TICK_MS,
 * whether or not anything new arrived. Aggregates (the Overview, Tools) query again on the tick; the
 * lists (Calls, Events, Logs) drop the rows that aged out, which needs no query and keeps the rows the
 * user is reading where they are.
 */
import type { Ref } from "vue";
import { isSliding, type TimeRange } from "../time-range.js";

/** How often a relative range moves on. */
export const RANGE_TICK_MS = 30_000;

/** Calls `slide` every RANGE_TICK_MS while `range` is relative to now. Lives as long as the page. */
export function slideWithClock(range: Ref<TimeRange>, slide: () => void): void {
  setInterval(() => {
    if (isSliding(range.value)) slide();
  }, RANGE_TICK_MS);
}
