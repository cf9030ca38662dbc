import { defineStore } from "pinia";
import { computed, reactive, ref, shallowRef, watch } from "vue";
import type { ErrorGroup, EventRecord, EventsQuery } from "../../../shared/events.js";
import { EVENT_SEVERITIES, type EventCategory, type EventSeverity } from "../../../shared/events.js";
import { mergeEvents } from "../list-order.js";
import { isOpenEnded, presetRange, rangeBounds, rangeQuery, type TimeRange } from "../time-range.js";
import { errorMessage, useApi, useConnectionStore } from "./connection.js";
import { usePagedLiveList } from "./paged-live-list.js";
import { slideWithClock } from "./range-clock.js";

/** Events one request asks for. */
export const EVENTS_PAGE = 500;
/** Events kept in memory; the oldest go beyond this. */
export const MAX_EVENTS = 5000;

export interface EventFilters {
  category: EventCategory | "";
  /** This severity and above. */
  severity: EventSeverity | "";
  server: string;
}

/**
 * The Events view: `events.list` for the filters and time range, kept live by `events.new` (on a range
 * relative to now, the events that age out of it dropped), and the error groups (`events.groups`) over
 * the same range and server.
 */
export const useEventsStore = defineStore("events", () => {
  const { client } = useApi();
  const connection = useConnectionStore();

  const filters = reactive<EventFilters>({ category: "", severity: "", server: "" });
  const range = ref<TimeRange>(presetRange("24h"));
  const list = usePagedLiveList<EventRecord>({
    fetch: (before) =>
      client.call(
        "events.list",
        before ? { ...query(), beforeId: before.id, beforeTime: before.time } : query(),
      ),
    pageSize: EVENTS_PAGE,
    max: MAX_EVENTS,
    merge: mergeEvents,
    errors: { load: "Could not load events", older: "Could not load older events" },
    onLoad: noteServers,
  });
  const groups = shallowRef<ErrorGroup[]>([]);
  const groupsLoaded = ref(false);
  const groupsError = ref<string | null>(null);
  const seenServers = ref<string[]>([]);
  const expanded = ref(new Set<number>());

  const filtered = computed(
    () => filters.category !== "" || filters.severity !== "" || filters.server !== "",
  );

  let groupsGeneration = 0;
  let started = false;

  function query(): EventsQuery {
    const q: EventsQuery = { ...rangeQuery(range.value), limit: EVENTS_PAGE };
    if (filters.category) q.category = filters.category;
    if (filters.severity) q.severity = filters.severity;
    if (filters.server) q.server = filters.server;
    return q;
  }

  function matches(e: EventRecord): boolean {
    if (filters.category && e.category !== filters.category) return false;
    if (filters.severity && EVENT_SEVERITIES.indexOf(e.severity) < EVENT_SEVERITIES.indexOf(filters.severity))
      return false;
    if (filters.server && e.server !== filters.server) return false;
    return isOpenEnded(range.value) && inRange(e);
  }

  /** Whether the event is inside the range as of now (a relative range's start moves on). */
  function inRange(e: EventRecord): boolean {
    const t = Date.parse(e.time);
    return Number.isNaN(t) || t >= rangeBounds(range.value)[0];
  }

  function noteServers(batch: readonly EventRecord[]): void {
    const names = new Set(seenServers.value);
    for (const e of batch) if (e.server) names.add(e.server);
    if (names.size !== seenServers.value.length)
      seenServers.value = [...names].sort((a, b) => a.localeCompare(b));
  }

  async function loadGroups(): Promise<void> {
    const mine = ++groupsGeneration;
    try {
      const q: { since?: string; server?: string; limit: number } = {
        since: rangeQuery(range.value).since,
        limit: 200,
      };
      if (filters.server) q.server = filters.server;
      const next = await client.call("events.groups", q);
      if (mine !== groupsGeneration) return;
      groups.value = next;
      groupsError.value = null;
    } catch (e) {
      if (mine === groupsGeneration) groupsError.value = `Could not load error groups: ${errorMessage(e)}`;
    } finally {
      if (mine === groupsGeneration) groupsLoaded.value = true;
    }
  }

  let groupsTimer: ReturnType<typeof setTimeout> | null = null;
  function receive(batch: EventRecord[]): void {
    if (batch.length === 0) return;
    noteServers(batch);
    list.receive(batch.filter(matches));
    // Error groups are counted by the engine: fetch them again, at most once a second.
    if (batch.some((e) => e.category === "error") && !groupsTimer) {
      groupsTimer = setTimeout(() => {
        groupsTimer = null;
        void loadGroups();
      }, 1000);
    }
  }

  function toggle(id: number): void {
    const next = new Set(expanded.value);
    if (!next.delete(id)) next.add(id);
    expanded.value = next;
  }

  function clearFilters(): void {
    filters.category = "";
    filters.severity = "";
    filters.server = "";
  }

  /** Subscribes to live events and loads the first page; safe to call more than once. */
  function start(): void {
    if (started) return;
    started = true;
    client.on("events.new", receive);
    connection.onReconnect(() => {
      void list.load();
      void loadGroups();
    });
    watch(
      [filters, range],
      () => {
        void list.load();
        void loadGroups();
      },
      { deep: true },
    );
    slideWithClock(range, () => {
      list.dropAged(inRange);
      void loadGroups();
    });
    void list.load();
    void loadGroups();
  }

  return {
    filters,
    range,
    events: list.items,
    loaded: list.loaded,
    loading: list.loading,
    error: list.error,
    hasOlder: list.hasOlder,
    capped: list.capped,
    loadingOlder: list.loadingOlder,
    groups,
    groupsLoaded,
    groupsError,
    seenServers,
    expanded,
    filtered,
    start,
    load: list.load,
    loadOlder: list.loadOlder,
    loadGroups,
    toggle,
    clearFilters,
  };
});
