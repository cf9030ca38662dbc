import { defineStore } from "pinia";
import { reactive, ref, shallowRef, watch } from "vue";
import type { LogRecord, LogsQuery } from "../../../shared/logs.js";
import {
  appendCapped,
  FrameBatcher,
  type LogFilter,
  MAX_TAIL_LINES,
  matchesFilter,
  queryTerms,
} from "../log-tail.js";
import { isOpenEnded, presetRange, rangeBounds, rangeQuery, type TimeRange } from "../time-range.js";
import { errorMessage, useApi, useConnectionStore } from "./connection.js";
import { slideWithClock } from "./range-clock.js";

/** Records one search asks for (the API's maximum). */
export const LOG_PAGE = 1000;
/** Records kept while paging back through a search. */
export const MAX_LOADED_LINES = 100_000;
/** Typing in the search box searches after this pause. */
const TYPING_MS = 300;

/**
 * The Logs view's records, oldest first: the newest page of `logs.search` for the filters and range,
 * older pages on demand, and — with the live tail on — every matching `logs.new` record appended, one
 * batch per animation frame, the newest MAX_TAIL_LINES kept. On a range relative to now, records that age
 * out of it are dropped.
 */
export const useLogsStore = defineStore("logs", () => {
  const { client } = useApi();
  const connection = useConnectionStore();

  const filters = reactive<LogFilter>({ text: "", level: "", server: "", session: "" });
  const range = ref<TimeRange>(presetRange("1h"));
  const records = shallowRef<LogRecord[]>([]);
  const loaded = ref(false);
  const loading = ref(false);
  const error = ref<string | null>(null);
  const hasOlder = ref(false);
  const loadingOlder = ref(false);
  const tail = ref(false);
  /** Changes whenever `records` is replaced rather than appended to (the list jumps to the end). */
  const resetKey = ref(0);
  /** Records dropped from the top by the tail's cap, or skipped while the page could not keep up. */
  const dropped = ref(0);
  const selectedId = ref<number | null>(null);
  /** Servers seen in results or pushes, for the server filter. */
  const seenServers = ref<string[]>([]);

  let generation = 0;
  /** Pushed records that arrive while a search is in flight, merged into its result. */
  let pending: LogRecord[] | null = null;
  let terms: string[] = [];
  let off: (() => void) | null = null;
  let typing: ReturnType<typeof setTimeout> | null = null;
  let started = false;
  let trimmedTotal = 0;
  const batcher = new FrameBatcher<LogRecord>(append, (run) => requestAnimationFrame(run));

  function query(): LogsQuery {
    const q: LogsQuery = { ...rangeQuery(range.value), limit: LOG_PAGE };
    if (filters.text.trim()) q.text = filters.text.trim();
    if (filters.level) q.level = filters.level;
    if (filters.server) q.server = filters.server;
    if (filters.session) q.session = filters.session;
    return q;
  }

  function noteServers(batch: readonly LogRecord[]): void {
    const names = new Set(seenServers.value);
    for (const r of batch) names.add(r.server);
    if (names.size !== seenServers.value.length)
      seenServers.value = [...names].sort((a, b) => a.localeCompare(b));
  }

  async function load(): Promise<void> {
    if (typing) clearTimeout(typing);
    typing = null;
    const mine = ++generation;
    loading.value = true;
    pending = [];
    batcher.clear();
    terms = queryTerms(filters.text);
    try {
      const page = await client.call("logs.search", query());
      if (mine !== generation) return;
      const oldestFirst = page.reverse();
      const newest = oldestFirst.at(-1)?.id ?? 0;
      const late = pending.filter((r) => r.id > newest && matchesFilter(r, filters, terms));
      records.value = appendCapped(oldestFirst, late, MAX_LOADED_LINES).items;
      hasOlder.value = page.length === LOG_PAGE;
      trimmedTotal = 0;
      batcher.dropped = 0;
      dropped.value = 0;
      error.value = null;
      noteServers(oldestFirst);
      if (selectedId.value !== null && !records.value.some((r) => r.id === selectedId.value))
        selectedId.value = null;
    } catch (e) {
      if (mine === generation) error.value = `Could not search the logs: ${errorMessage(e)}`;
    } finally {
      if (mine === generation) {
        pending = null;
        loading.value = false;
        loaded.value = true;
        resetKey.value++;
      }
    }
  }

  async function loadOlder(): Promise<void> {
    const oldest = records.value[0];
    if (!oldest || !hasOlder.value || loadingOlder.value || records.value.length >= MAX_LOADED_LINES) return;
    const mine = generation;
    loadingOlder.value = true;
    try {
      const page = await client.call("logs.search", { ...query(), beforeId: oldest.id });
      if (mine !== generation) return;
      records.value = page.reverse().concat(records.value);
      hasOlder.value = page.length === LOG_PAGE && records.value.length < MAX_LOADED_LINES;
    } catch (e) {
      error.value = `Could not load older lines: ${errorMessage(e)}`;
    } finally {
      loadingOlder.value = false;
    }
  }

  /** One frame's worth of pushed records. */
  function append(batch: LogRecord[]): void {
    noteServers(batch);
    const last = records.value.at(-1)?.id ?? 0;
    const wanted = batch.filter((r) => r.id > last && matchesFilter(r, filters, terms));
    if (wanted.length === 0) return;
    const { items, trimmed } = appendCapped(records.value, wanted, MAX_TAIL_LINES);
    if (trimmed > 0) hasOlder.value = true;
    trimmedTotal += trimmed;
    dropped.value = trimmedTotal + batcher.dropped;
    records.value = items;
  }

  function receive(batch: LogRecord[]): void {
    if (!Array.isArray(batch) || batch.length === 0) return;
    if (pending) pending.push(...batch);
    else batcher.push(batch);
  }

  function setTail(on: boolean): void {
    if (on === tail.value) return;
    tail.value = on;
    off?.();
    off = null;
    if (!on) return;
    // The tail shows lines as they are written: the range must reach up to now.
    if (!isOpenEnded(range.value)) range.value = presetRange("1h");
    off = client.on("logs.new", receive);
    void load();
  }

  /** On a range relative to now: the records older than its start go (no query; the rest stay put). */
  function dropAged(): void {
    const [since] = rangeBounds(range.value);
    const kept = records.value.filter((r) => !(Date.parse(r.time) < since));
    if (kept.length === records.value.length) return;
    records.value = kept;
    hasOlder.value = false;
    if (selectedId.value !== null && !kept.some((r) => r.id === selectedId.value)) selectedId.value = null;
  }

  function select(id: number | null): void {
    selectedId.value = id;
  }

  function clearFilters(): void {
    filters.text = "";
    filters.level = "";
    filters.server = "";
    filters.session = "";
  }

  /** Loads the first page and reloads when the filters or the range change; safe to call more than once. */
  function start(): void {
    if (started) return;
    started = true;
    watch(
      () => [filters.level, filters.server, filters.session, range.value],
      () => void load(),
      { deep: true },
    );
    watch(
      () => filters.text,
      () => {
        if (typing) clearTimeout(typing);
        typing = setTimeout(() => void load(), TYPING_MS);
      },
    );
    slideWithClock(range, dropAged);
    // Pushes sent while the link was down are lost: search again.
    connection.onReconnect(() => {
      if (tail.value) void load();
    });
    void load();
  }

  return {
    filters,
    range,
    records,
    loaded,
    loading,
    error,
    hasOlder,
    loadingOlder,
    tail,
    resetKey,
    dropped,
    selectedId,
    seenServers,
    start,
    load,
    loadOlder,
    setTail,
    select,
    clearFilters,
  };
});
