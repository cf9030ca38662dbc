import { defineStore } from "pinia";
import { computed, reactive, ref, shallowRef, watch } from "vue";
import type { CallsQuery } from "../../../shared/api.js";
import type { CallDetail, CallSummary, Outcome } from "../../../shared/domain.js";
import { errorMessage, useApi, useConnectionStore } from "./connection.js";
import { usePagedLiveList } from "./paged-live-list.js";

/** How many calls one request asks for. */
export const PAGE_SIZE = 200;
/** How many calls the renderer keeps in memory; the oldest are dropped beyond this. */
export const MAX_CALLS = 2000;

export interface CallFilters {
  server: string;
  outcome: Outcome | "";
}

/**
 * The calls in view: the newest page of `calls.list` for the current filters, kept live by `calls.new`
 * events, plus the selected call's detail (`calls.get`).
 */
export const useCallsStore = defineStore("calls", () => {
  const { client } = useApi();
  const connection = useConnectionStore();

  const filters = reactive<CallFilters>({ server: "", outcome: "" });
  const list = usePagedLiveList<CallSummary>({
    fetch: (beforeId) =>
      client.call("calls.list", beforeId === undefined ? query() : { ...query(), beforeId }),
    pageSize: PAGE_SIZE,
    max: MAX_CALLS,
    errors: { load: "Could not load calls", older: "Could not load older calls" },
  });
  /** Servers seen in live events, so that the server filter offers them before servers.list is refreshed. */
  const seenServers = ref<string[]>([]);

  const selectedId = ref<number | null>(null);
  const selected = shallowRef<CallDetail | null>(null);
  const detailLoading = ref(false);
  const detailError = ref<string | null>(null);

  const filtered = computed(() => filters.server !== "" || filters.outcome !== "");

  let detailGeneration = 0;
  let started = false;

  function query(): CallsQuery {
    const q: CallsQuery = { limit: PAGE_SIZE };
    if (filters.server) q.server = filters.server;
    if (filters.outcome) q.outcome = filters.outcome;
    return q;
  }

  function matches(call: CallSummary): boolean {
    return (
      (filters.server === "" || call.server === filters.server) &&
      (filters.outcome === "" || call.outcome === filters.outcome)
    );
  }

  function receive(batch: CallSummary[]): void {
    if (!Array.isArray(batch) || batch.length === 0) return;
    const servers = new Set(seenServers.value);
    for (const call of batch) servers.add(call.server);
    if (servers.size !== seenServers.value.length) seenServers.value = [...servers];
    list.receive(batch.filter(matches));
  }

  async function select(id: number | null): Promise<void> {
    const mine = ++detailGeneration;
    selectedId.value = id;
    detailError.value = null;
    if (id === null) {
      selected.value = null;
      detailLoading.value = false;
      return;
    }
    if (selected.value?.id !== id) selected.value = null;
    detailLoading.value = true;
    try {
      const detail = await client.call("calls.get", { id });
      if (mine !== detailGeneration) return;
      selected.value = detail;
      if (!detail) detailError.value = "This call is no longer stored (retention may have removed it).";
    } catch (e) {
      if (mine === detailGeneration) detailError.value = `Could not load the call: ${errorMessage(e)}`;
    } finally {
      if (mine === detailGeneration) detailLoading.value = false;
    }
  }

  /** Subscribes to live calls and loads the first page; safe to call more than once. */
  function start(): void {
    if (started) return;
    started = true;
    client.on("calls.new", receive);
    // Events sent while the link was down are lost: the newest page is fetched again and merged (or, if
    // the last load failed, loaded afresh).
    connection.onReconnect(() => {
      if (list.error.value || list.pending) void list.load();
      else void list.refreshNewest();
    });
    watch(filters, () => void list.load());
    void list.load();
  }

  return {
    calls: list.items,
    filters,
    filtered,
    loaded: list.loaded,
    loading: list.loading,
    error: list.error,
    hasOlder: list.hasOlder,
    loadingOlder: list.loadingOlder,
    seenServers,
    selectedId,
    selected,
    detailLoading,
    detailError,
    start,
    load: list.load,
    loadOlder: list.loadOlder,
    select,
  };
});
