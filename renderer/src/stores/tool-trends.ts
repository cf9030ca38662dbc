import { type Ref, shallowRef } from "vue";
import { rangeBounds, rangeQuery, type TimeRange } from "../time-range.js";
import type { ToolRow } from "../tool-stats.js";
import { useApi } from "./connection.js";

const STEPS_MIN = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 10080];
/** A sparkline has at most about this many points. */
const TREND_POINTS = 40;
/** Requests in flight at once (a long tool list must not flood the engine). */
const CONCURRENCY = 4;

/** A step (`5m`, `1h`, …) that gives a sparkline at most TREND_POINTS points over the range. */
export function trendStep(range: TimeRange, now = Date.now()): string {
  const [since, until] = rangeBounds(range, now);
  const minutes = (until - since) / 60_000;
  const step = STEPS_MIN.find((s) => minutes / s <= TREND_POINTS) ?? 10080;
  return step % 1440 === 0 ? `${step / 1440}d` : step % 60 === 0 ? `${step / 60}h` : `${step}m`;
}

/**
 * Calls per bucket for each tool row (`metrics.series` with `server` and `tool`), for the Tools view's
 * sparklines: fetched a few at a time; the previous values stay until new ones arrive.
 */
export function useToolTrends(range: Ref<TimeRange>) {
  const { client } = useApi();
  /** row key → calls per bucket, oldest first */
  const trends = shallowRef<ReadonlyMap<string, readonly number[]>>(new Map());
  let generation = 0;

  async function load(rows: readonly ToolRow[]): Promise<void> {
    const mine = ++generation;
    const query = { ...rangeQuery(range.value), step: trendStep(range.value) };
    const queue = [...rows];
    const next = new Map(trends.value);
    let pending = 0;
    const flush = () => {
      if (mine === generation) trends.value = new Map(next);
    };
    async function worker(): Promise<void> {
      for (let row = queue.shift(); row && mine === generation; row = queue.shift()) {
        try {
          const doc = await client.call("metrics.series", { ...query, server: row.server, tool: row.tool });
          next.set(
            row.key,
            doc.points.map((p) => p.calls),
          );
        } catch {
          next.delete(row.key);
        }
        // Publish in batches so that a long list does not re-render once per tool.
        if (++pending % 8 === 0) flush();
      }
    }
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    flush();
  }

  return { trends, load };
}
