import { defineStore } from "pinia";
import { computed, reactive, ref, shallowRef, watch } from "vue";
import type { CallsQuery } from "../../../shared/api.js";
import {
  CALLS_EXPORT_MIME,
  type CallsExportFormat,
  type CallsExportQuery,
  callsExport,
  exportedCount,
} from "../../../shared/calls-export.js";
import {
  type CallDetail,
  type CallSummary,
  type OutcomeFilter,
  RUNNING_FILTER,
} from "../../../shared/domain.js";
import type { SaveResult } from "../../../shared/files.js";
import { exportFilename } from "../file-content.js";
import { mergeCalls } from "../list-order.js";
import { downloadBlob, inDesktopApp } from "../save-file.js";
import {
  ALL_TIME,
  isOpenEnded,
  rangeBounds,
  rangeQuery,
  rangeWindow,
  type TimeRange,
} from "../time-range.js";
import { errorMessage, useApi, useConnectionStore } from "./connection.js";
import { usePagedLiveList } from "./paged-live-list.js";
import { slideWithClock } from "./range-clock.js";

/** How many calls one request asks for. */
export const PAGE_SIZE = 200;
/** How many calls the renderer keeps in memory; the oldest are dropped beyond this. */
export const MAX_CALLS = 2000;

export interface CallFilters {
  server: string;
  /** A tool's exact name (its `tools/call` calls only). */
  tool: string;
  /** An outcome, or `running`: the calls with none yet (a task still working). */
  outcome: OutcomeFilter | "";
}

/**
 * The calls in view: the newest page of `calls.list` for the current filters and time range (all stored
 * calls by default), newest first by start time, older pages back through them down to MAX_CALLS, kept live
 * by `calls.new` events (a call written late takes its place by time) and, on a range relative to now,
 * rid of the calls that age out of it,
 * plus the selected call's detail (`calls.get`).
 */
export const useCallsStore = defineStore("calls", () => {
  const { client } = useApi();
  const connection = useConnectionStore();

  const filters = reactive<CallFilters>({ server: "", tool: "", outcome: "" });
  const range = ref<TimeRange>(ALL_TIME);
  const list = usePagedLiveList<CallSummary>({
    fetch: (before) =>
      client.call(
        "calls.list",
        before ? { ...query(), beforeId: before.id, beforeTime: before.startedAt } : query(),
      ),
    pageSize: PAGE_SIZE,
    max: MAX_CALLS,
    merge: mergeCalls,
    errors: { load: "Could not load calls", older: "Could not load older calls" },
    onLoad: (page) => noteTools(page),
  });
  /** Servers seen in live events, so that the server filter offers them before servers.list is refreshed. */
  const seenServers = ref<string[]>([]);
  /** Tools seen in loaded pages and live events, offered by the tool filter. */
  const seenTools = ref<string[]>([]);

  const selectedId = ref<number | null>(null);
  const selected = shallowRef<CallDetail | null>(null);
  const detailLoading = ref(false);
  const detailError = ref<string | null>(null);

  const filtered = computed(
    () =>
      filters.server !== "" || filters.tool !== "" || filters.outcome !== "" || range.value.preset !== "all",
  );

  let detailGeneration = 0;
  let started = false;

  function query(): CallsQuery {
    const q: CallsQuery = { ...rangeQuery(range.value), limit: PAGE_SIZE };
    if (filters.server) q.server = filters.server;
    if (filters.tool) q.tool = filters.tool;
    if (filters.outcome) q.outcome = filters.outcome;
    return q;
  }

  /** Whether the call started inside the range as of now (a relative range's start moves on). */
  function inRange(call: CallSummary): boolean {
    return Date.parse(call.startedAt) >= rangeBounds(range.value)[0];
  }

  function matches(call: CallSummary): boolean {
    if (!isOpenEnded(range.value)) return false;
    return (
      (filters.server === "" || call.server === filters.server) &&
      (filters.tool === "" || (call.method === "tools/call" && call.target === filters.tool)) &&
      (filters.outcome === "" ||
        (filters.outcome === RUNNING_FILTER ? call.outcome === null : call.outcome === filters.outcome)) &&
      inRange(call)
    );
  }

  function noteTools(batch: readonly CallSummary[]): void {
    const tools = new Set(seenTools.value);
    for (const call of batch) if (call.method === "tools/call" && call.target) tools.add(call.target);
    if (tools.size !== seenTools.value.length)
      seenTools.value = [...tools].sort((a, b) => a.localeCompare(b));
  }

  function receive(batch: CallSummary[]): void {
    if (!Array.isArray(batch) || batch.length === 0) return;
    const servers = new Set(seenServers.value);
    for (const call of batch) servers.add(call.server);
    if (servers.size !== seenServers.value.length) seenServers.value = [...servers];
    noteTools(batch);
    // A call is sent again when its task changes: one that no longer matches (its task ended, under the
    // `running` filter) leaves the list rather than stay as it was.
    const kept = batch.filter(matches);
    if (kept.length < batch.length) list.remove(new Set(batch.filter((c) => !matches(c)).map((c) => c.id)));
    list.receive(kept);
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

  /**
   * The export of every call the filters and range match (not only the pages loaded), in the window the
   * range covers now: CSV with the summary columns, JSON with each call as `calls.details` gives it (and
   * `mcpscope calls --json` prints it). In the desktop app the main process streams it into the file the
   * user picks (calls.save); in a browser the same pieces are made here and downloaded.
   */
  async function exportCalls(format: CallsExportFormat): Promise<SaveResult> {
    const filename = exportFilename("calls", format);
    const exported: CallsExportQuery = rangeWindow(range.value);
    if (filters.server) exported.server = filters.server;
    if (filters.tool) exported.tool = filters.tool;
    if (filters.outcome) exported.outcome = filters.outcome;
    if (inDesktopApp()) return client.call("calls.save", { filename, format, query: exported });
    const made = callsExport(format, exported, {
      list: (q) => client.call("calls.list", q),
      details: (q) => client.call("calls.details", q),
    });
    const pieces: string[] = [];
    for await (const piece of made.pieces) pieces.push(piece);
    downloadBlob(filename, new Blob(pieces, { type: CALLS_EXPORT_MIME[format] }));
    return { ok: true, message: `${filename}: ${exportedCount(made.count())}`, path: null };
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
    watch([filters, range], () => void list.load());
    slideWithClock(range, () => list.dropAged(inRange));
    void list.load();
  }

  return {
    calls: list.items,
    filters,
    range,
    filtered,
    loaded: list.loaded,
    loading: list.loading,
    error: list.error,
    hasOlder: list.hasOlder,
    capped: list.capped,
    loadingOlder: list.loadingOlder,
    seenServers,
    seenTools,
    selectedId,
    selected,
    detailLoading,
    detailError,
    start,
    load: list.load,
    loadOlder: list.loadOlder,
    select,
    exportCalls,
  };
});
