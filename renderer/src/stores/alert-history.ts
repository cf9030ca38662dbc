import { defineStore } from "pinia";
import { computed, reactive, ref, shallowRef, watch } from "vue";
import type { AlertHistoryEntry } from "../../../shared/alerts.js";
import { errorMessage, useApi, useConnectionStore } from "./connection.js";

/** Entries one request asks for. */
export const HISTORY_PAGE = 200;
/** Entries kept in memory (a virtual list draws only those in view); older ones are not loaded. */
export const MAX_HISTORY = 20_000;
const REFRESH_GAP_MS = 1000;

export interface HistoryFilters {
  rule: string;
  server: string;
  /** One alert's changes (from "Open history" or a link), or "". */
  alertId: string;
}

/** Merges two lists of entries, newest (highest id) first, without duplicates, capped. */
export function mergeHistory(
  current: readonly AlertHistoryEntry[],
  incoming: readonly AlertHistoryEntry[],
): AlertHistoryEntry[] {
  if (incoming.length === 0) return current.slice(0, MAX_HISTORY);
  const byId = new Map<number, AlertHistoryEntry>();
  for (const e of current) byId.set(e.id, e);
  for (const e of incoming) byId.set(e.id, e);
  return [...byId.values()].sort((a, b) => b.id - a.id).slice(0, MAX_HISTORY);
}

/**
 * The alerts' state changes (`alerts.history`), newest first, filtered by rule, server or one alert,
 * paged back with `beforeId`; new changes are fetched when a snapshot says alerts moved.
 */
export const useAlertHistoryStore = defineStore("alert-history", () => {
  const { client } = useApi();
  const connection = useConnectionStore();

  const filters = reactive<HistoryFilters>({ rule: "", server: "", alertId: "" });
  const entries = shallowRef<AlertHistoryEntry[]>([]);
  const loaded = ref(false);
  const loading = ref(false);
  const error = ref<string | null>(null);
  const hasOlder = ref(false);
  const loadingOlder = ref(false);
  const filtered = computed(() => filters.rule !== "" || filters.server !== "" || filters.alertId !== "");

  let generation = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let started = false;

  function query(): { rule?: string; server?: string; alertId?: string; limit: number } {
    return {
      limit: HISTORY_PAGE,
      ...(filters.rule ? { rule: filters.rule } : {}),
      ...(filters.server ? { server: filters.server } : {}),
      ...(filters.alertId ? { alertId: filters.alertId } : {}),
    };
  }

  async function load(): Promise<void> {
    const mine = ++generation;
    loading.value = true;
    try {
      const page = await client.call("alerts.history", query());
      if (mine !== generation) return;
      entries.value = page;
      hasOlder.value = page.length === HISTORY_PAGE;
      error.value = null;
    } catch (e) {
      if (mine === generation) error.value = `Could not load the alert history: ${errorMessage(e)}`;
    } finally {
      if (mine === generation) {
        loading.value = false;
        loaded.value = true;
      }
    }
  }

  /** The next page back, below the oldest entry loaded. */
  async function loadOlder(): Promise<void> {
    const oldest = entries.value.at(-1);
    if (!oldest || !hasOlder.value || loadingOlder.value || entries.value.length >= MAX_HISTORY) return;
    const mine = generation;
    loadingOlder.value = true;
    try {
      const page = await client.call("alerts.history", { ...query(), beforeId: oldest.id });
      if (mine !== generation) return;
      entries.value = mergeHistory(entries.value, page);
      hasOlder.value = page.length === HISTORY_PAGE && entries.value.length < MAX_HISTORY;
    } catch (e) {
      error.value = `Could not load older history: ${errorMessage(e)}`;
    } finally {
      loadingOlder.value = false;
    }
  }

  /** Fetches the newest page again and merges it in (alerts changed state). */
  async function refreshNewest(): Promise<void> {
    const mine = generation;
    try {
      const page = await client.call("alerts.history", query());
      if (mine !== generation) return;
      entries.value = mergeHistory(entries.value, page);
    } catch {
      // The next change or a reload tries again; the list on screen stays as it was.
    }
  }

  function schedule(): void {
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      void refreshNewest();
    }, REFRESH_GAP_MS);
  }

  function showAlert(alertId: string): void {
    filters.rule = "";
    filters.server = "";
    filters.alertId = alertId;
  }

  function clearFilters(): void {
    filters.rule = "";
    filters.server = "";
    filters.alertId = "";
  }

  /** Loads the first page and follows changes; safe to call more than once. */
  function start(): void {
    if (started) return;
    started = true;
    client.on("alerts.changed", schedule);
    connection.onReconnect(() => void load());
    watch(filters, () => void load(), { deep: true });
    void load();
  }

  return {
    filters,
    entries,
    loaded,
    loading,
    error,
    hasOlder,
    loadingOlder,
    filtered,
    start,
    load,
    loadOlder,
    showAlert,
    clearFilters,
  };
});
