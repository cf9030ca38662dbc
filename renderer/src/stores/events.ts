import { defineStore } from "pinia";
import { computed, reactive, ref, shallowRef, watch } from "vue";
import type { ErrorGroup, EventRecord, EventsQuery } from "../../../shared/events.js";
import { EVENT_SEVERITIES, type EventCategory, type EventSeverity } from "../../../shared/events.js";
import { mergeEvents } from "../event-order.js";
import { isOpenEnded, presetRange, rangeBounds, rangeQuery, type TimeRange } from "../time-range.js";
import { errorMessage, useApi, useConnectionStore } from "./connection.js";

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
 * The Events view: `events.list` for the filters and time range, kept live by `events.new`, and the
 * error groups (`events.groups`) over the same range and server.
 */
export const useEventsStore = defineStore("events", () => {
  const { client } = useApi();
  const connection = useConnectionStore();

  const filters = reactive<EventFilters>({ category: "", severity: "", server: "" });
  const range = ref<TimeRange>(presetRange("24h"));
  const events = shallowRef<EventRecord[]>([]);
  const loaded = ref(false);
  const loading = ref(false);
  const error = ref<string | null>(null);
  const hasOlder = ref(false);
  const loadingOlder = ref(false);
  const groups = shallowRef<ErrorGroup[]>([]);
  const groupsLoaded = ref(false);
  const groupsError = ref<string | null>(null);
  const seenServers = ref<string[]>([]);
  const expanded = ref(new Set<number>());

  const filtered = computed(
    () => filters.category !== "" || filters.severity !== "" || filters.server !== "",
  );

  let generation = 0;
  let groupsGeneration = 0;
  let pending: EventRecord[] | null = null;
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
    if (!isOpenEnded(range.value)) return false;
    const [since] = rangeBounds(range.value);
    const t = Date.parse(e.time);
    return Number.isNaN(t) || t >= since;
  }

  function noteServers(batch: readonly EventRecord[]): void {
    const names = new Set(seenServers.value);
    for (const e of batch) if (e.server) names.add(e.server);
    if (names.size !== seenServers.value.length)
      seenServers.value = [...names].sort((a, b) => a.localeCompare(b));
  }

  async function load(): Promise<void> {
    const mine = ++generation;
    loading.value = true;
    pending = [];
    try {
      const page = await client.call("events.list", query());
      if (mine !== generation) return;
      events.value = mergeEvents([], [...page, ...pending], MAX_EVENTS);
      hasOlder.value = page.length === EVENTS_PAGE;
      error.value = null;
      noteServers(page);
    } catch (e) {
      if (mine === generation) error.value = `Could not load events: ${errorMessage(e)}`;
    } finally {
      if (mine === generation) {
        pending = null;
        loading.value = false;
        loaded.value = true;
      }
    }
  }

  async function loadOlder(): Promise<void> {
    const oldest = events.value.at(-1);
    if (!oldest || !hasOlder.value || loadingOlder.value || events.value.length >= MAX_EVENTS) return;
    const mine = generation;
    loadingOlder.value = true;
    try {
      const page = await client.call("events.list", { ...query(), beforeId: oldest.id });
      if (mine !== generation) return;
      events.value = mergeEvents(events.value, page, MAX_EVENTS);
      hasOlder.value = page.length === EVENTS_PAGE && events.value.length < MAX_EVENTS;
    } catch (e) {
      error.value = `Could not load older events: ${errorMessage(e)}`;
    } finally {
      loadingOlder.value = false;
    }
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
    const wanted = batch.filter(matches);
    if (wanted.length > 0) {
      if (pending) pending.push(...wanted);
      else events.value = mergeEvents(events.value, wanted, MAX_EVENTS);
    }
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
      void load();
      void loadGroups();
    });
    watch(
      [filters, range],
      () => {
        void load();
        void loadGroups();
      },
      { deep: true },
    );
    void load();
    void loadGroups();
  }

  return {
    filters,
    range,
    events,
    loaded,
    loading,
    error,
    hasOlder,
    loadingOlder,
    groups,
    groupsLoaded,
    groupsError,
    seenServers,
    expanded,
    filtered,
    start,
    load,
    loadOlder,
    loadGroups,
    toggle,
    clearFilters,
  };
});
