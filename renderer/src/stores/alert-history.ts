import { defineStore } from "pinia";
import { computed, reactive, watch } from "vue";
import type { AlertHistoryEntry } from "../../../shared/alerts.js";
import { useApi, useConnectionStore } from "./connection.js";
import { usePagedLiveList } from "./paged-live-list.js";

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

/**
 * The alerts' state changes (`alerts.history`), newest first, filtered by rule, server or one alert,
 * paged back with `beforeId`; new changes are fetched when a snapshot says alerts moved.
 */
export const useAlertHistoryStore = defineStore("alert-history", () => {
  const { client } = useApi();
  const connection = useConnectionStore();

  const filters = reactive<HistoryFilters>({ rule: "", server: "", alertId: "" });
  const list = usePagedLiveList<AlertHistoryEntry>({
    fetch: (before) => client.call("alerts.history", before ? { ...query(), beforeId: before.id } : query()),
    pageSize: HISTORY_PAGE,
    max: MAX_HISTORY,
    errors: { load: "Could not load the alert history", older: "Could not load older history" },
  });
  const filtered = computed(() => filters.rule !== "" || filters.server !== "" || filters.alertId !== "");

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

  function schedule(): void {
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      void list.refreshNewest();
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
    connection.onReconnect(() => void list.load());
    watch(filters, () => void list.load(), { deep: true });
    void list.load();
  }

  return {
    filters,
    entries: list.items,
    loaded: list.loaded,
    loading: list.loading,
    error: list.error,
    hasOlder: list.hasOlder,
    loadingOlder: list.loadingOlder,
    filtered,
    start,
    load: list.load,
    loadOlder: list.loadOlder,
    showAlert,
    clearFilters,
  };
});
