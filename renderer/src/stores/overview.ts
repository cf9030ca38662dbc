import { type Ref, ref, shallowRef, watch } from "vue";
import type { StatsDocument } from "../../../shared/domain.js";
import type { MetricsSeries } from "../../../shared/metrics.js";
import { rangeQuery, type TimeRange } from "../time-range.js";
import { errorMessage, useApi } from "./connection.js";
import { useLiveRefresh } from "./live-refresh.js";

/**
 * The Overview's data over a time range: per-operation stats (`stats.get`) for the cards and tables, and
 * calls, errors and p95 per bucket (`metrics.series`) for the charts; live while resumed.
 */
export function useOverview(range: Ref<TimeRange>) {
  const { client } = useApi();
  const stats = shallowRef<StatsDocument | null>(null);
  const series = shallowRef<MetricsSeries | null>(null);
  const loaded = ref(false);
  const error = ref<string | null>(null);
  const updatedAt = ref<number | null>(null);
  let generation = 0;

  async function load(): Promise<void> {
    const mine = ++generation;
    const query = rangeQuery(range.value);
    try {
      const [s, m] = await Promise.all([
        client.call("stats.get", query),
        client.call("metrics.series", query),
      ]);
      if (mine !== generation) return;
      stats.value = s;
      series.value = m;
      error.value = null;
      updatedAt.value = Date.now();
    } catch (e) {
      if (mine === generation) error.value = errorMessage(e);
    } finally {
      if (mine === generation) loaded.value = true;
    }
  }

  const live = useLiveRefresh(load);
  watch(range, () => void load(), { deep: true });

  return { stats, series, loaded, error, updatedAt, load, live };
}
