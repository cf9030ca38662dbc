import { defineStore } from "pinia";
import { computed, reactive, ref, shallowRef, watch } from "vue";
import type { CallsQuery } from "../../../shared/api.js";
import type { CallDetail, CallSummary, Outcome } from "../../../shared/domain.js";
import { errorMessage, useApi, useConnectionStore } from "./connection.js";

/** How many calls one request asks for. */
export const PAGE_SIZE = 200;
/** How many calls the renderer keeps in memory; the oldest are dropped beyond this. */
export const MAX_CALLS = 2000;

export interface CallFilters {
  server: string;
  outcome: Outcome | "";
}

/** Merges two lists of calls into one, newest (highest id) first, without duplicates, capped. */
export function mergeNewestFirst(
  current: readonly CallSummary[],
  incoming: readonly CallSummary[],
): CallSummary[] {
  if (incoming.length === 0) return current.slice(0, MAX_CALLS);
  const byId = new Map<number, CallSummary>();
  for (const call of current) byId.set(call.id, call);
  for (const call of incoming) byId.set(call.id, call);
  return [...byId.values()].sort((a, b) => b.id - a.id).slice(0, MAX_CALLS);
}

/**
 * The calls in view: the newest page of `calls.list` for the current filters, kept live by `calls.new`
 * events, plus the selected call's detail (`calls.get`).
 */
export const useCallsStore = defineStore("calls", () => {
  const { client } = useApi();
  const connection = useConnectionStore();

  const calls = shallowRef<CallSummary[]>([]);
  const filters = reactive<CallFilters>({ server: "", outcome: "" });
  const loaded = ref(false);
  const loading = ref(false);
  const error = ref<string | null>(null);
  const hasOlder = ref(false);
  const loadingOlder = ref(false);
  /** Servers seen in live events, so that the server filter offers them before servers.list is refreshed. */
  const seenServers = ref<string[]>([]);

  const selectedId = ref<number | null>(null);
  const selected = shallowRef<CallDetail | null>(null);
  const detailLoading = ref(false);
  const detailError = ref<string | null>(null);

  const filtered = computed(() => filters.server !== "" || filters.outcome !== "");

  let generation = 0;
  let detailGeneration = 0;
  /** Events that arrive while a load is in flight, merged into its result. */
  let pending: CallSummary[] | null = null;
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

  async function load(): Promise<void> {
    const mine = ++generation;
    loading.value = true;
    pending = [];
    try {
      const page = await client.call("calls.list", query());
      if (mine !== generation) return;
      calls.value = mergeNewestFirst([], [...page, ...pending]);
      hasOlder.value = page.length === PAGE_SIZE;
      error.value = null;
    } catch (e) {
      if (mine !== generation) return;
      error.value = `Could not load calls: ${errorMessage(e)}`;
    } finally {
      if (mine === generation) {
        pending = null;
        loading.value = false;
        loaded.value = true;
      }
    }
  }

  async function loadOlder(): Promise<void> {
    const oldest = calls.value.at(-1);
    if (!oldest || !hasOlder.value || loadingOlder.value || calls.value.length >= MAX_CALLS) return;
    const mine = generation;
    loadingOlder.value = true;
    try {
      const page = await client.call("calls.list", { ...query(), beforeId: oldest.id });
      if (mine !== generation) return;
      calls.value = mergeNewestFirst(calls.value, page);
      hasOlder.value = page.length === PAGE_SIZE && calls.value.length < MAX_CALLS;
    } catch (e) {
      error.value = `Could not load older calls: ${errorMessage(e)}`;
    } finally {
      loadingOlder.value = false;
    }
  }

  function receive(batch: CallSummary[]): void {
    if (!Array.isArray(batch) || batch.length === 0) return;
    const servers = new Set(seenServers.value);
    for (const call of batch) servers.add(call.server);
    if (servers.size !== seenServers.value.length) seenServers.value = [...servers];
    const wanted = batch.filter(matches);
    if (wanted.length === 0) return;
    if (pending) pending.push(...wanted);
    else calls.value = mergeNewestFirst(calls.value, wanted);
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
      if (error.value || pending) {
        void load();
        return;
      }
      void client.call("calls.list", query()).then(
        (page) => {
          if (!pending) calls.value = mergeNewestFirst(calls.value, page.filter(matches));
        },
        () => {},
      );
    });
    watch(filters, () => void load());
    void load();
  }

  return {
    calls,
    filters,
    filtered,
    loaded,
    loading,
    error,
    hasOlder,
    loadingOlder,
    seenServers,
    selectedId,
    selected,
    detailLoading,
    detailError,
    start,
    load,
    loadOlder,
    select,
  };
});
