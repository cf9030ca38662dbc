/**
 * A newest-first list the views page back through and keep live: the newest page for the current query,
 * older pages below the last row fetched, rows pushed while a load is in flight merged into its
 * result, and a stale answer (the query changed meanwhile) dropped. The calls, events and alert history
 * stores each hold one.
 */
import { type Ref, ref, type ShallowRef, shallowRef } from "vue";
import { errorMessage } from "../error-message.js";

interface Row {
  id: number;
}

/** Merges two lists newest (highest id) first, without duplicates (the incoming copy wins), keeping `cap`. */
export function mergeById<T extends Row>(current: readonly T[], incoming: readonly T[], cap: number): T[] {
  if (incoming.length === 0) return current.slice(0, cap);
  const byId = new Map<number, T>();
  for (const row of current) byId.set(row.id, row);
  for (const row of incoming) byId.set(row.id, row);
  return [...byId.values()].sort((a, b) => b.id - a.id).slice(0, cap);
}

/** Whether merging `incoming` into `current` dropped a row (the cap cut the oldest off). */
function dropped(current: readonly Row[], incoming: readonly Row[], kept: readonly Row[]): boolean {
  return new Set([...current, ...incoming].map((row) => row.id)).size > kept.length;
}

export interface PagedLiveListOptions<T extends Row> {
  /**
   * One page: the newest rows for the current query, or those listed after `before`, the last row of the
   * last page fetched (not the bottom of the list: a live row written late can sort below it, and paging
   * from there would skip the stored rows in between).
   */
  fetch(before?: T): Promise<T[]>;
  /** Rows one request asks for: a shorter page means there is nothing older. */
  pageSize: number;
  /** Rows kept in memory; the oldest go beyond this and no older page is asked for. */
  max: number;
  /** How two lists become one (default mergeById, newest id first). */
  merge?(current: readonly T[], incoming: readonly T[], cap: number): T[];
  /** The error shown when the newest page fails ("Could not load calls"), and when an older one does. */
  errors: { load: string; older: string };
  /** Told about each newest page loaded (the servers seen, for a filter). */
  onLoad?(page: readonly T[]): void;
}

export interface PagedLiveList<T extends Row> {
  items: ShallowRef<T[]>;
  loaded: Ref<boolean>;
  loading: Ref<boolean>;
  error: Ref<string | null>;
  hasOlder: Ref<boolean>;
  /** More rows match than `max` keeps: paging stopped at the cap (or live rows pushed the oldest out). */
  capped: Ref<boolean>;
  loadingOlder: Ref<boolean>;
  /** Whether a load is in flight (pushed rows wait for its result). */
  readonly pending: boolean;
  /** Loads the newest page afresh; an earlier load still in flight is ignored when it answers. */
  load(): Promise<void>;
  /** The next page back, after the last row fetched. */
  loadOlder(): Promise<void>;
  /** Rows pushed live (already filtered): merged now, or into the result of the load in flight. */
  receive(rows: readonly T[]): void;
  /** Fetches the newest page again and merges it in, keeping the rows below; a failure keeps the list. */
  refreshNewest(): Promise<void>;
  /**
   * Takes out rows that changed and no longer match the list's query (a call whose task ended, in a list
   * of the calls still running): what is stored below them is unchanged, so paging goes on as it was.
   */
  remove(ids: ReadonlySet<number>): void;
  /**
   * Drops the rows that fell out of a range relative to now (`inRange` false: older than its start).
   * Everything stored below them is older still, so nothing older is left to page to.
   */
  dropAged(inRange: (row: T) => boolean): void;
}

export function usePagedLiveList<T extends Row>(options: PagedLiveListOptions<T>): PagedLiveList<T> {
  const merge = options.merge ?? mergeById;
  const items = shallowRef<T[]>([]);
  const loaded = ref(false);
  const loading = ref(false);
  const error = ref<string | null>(null);
  const hasOlder = ref(false);
  const capped = ref(false);
  const loadingOlder = ref(false);
  let generation = 0;
  let pending: T[] | null = null;
  let cursor: T | undefined;

  async function load(): Promise<void> {
    const mine = ++generation;
    loading.value = true;
    pending = [];
    try {
      const page = await options.fetch();
      if (mine !== generation) return;
      items.value = merge([], [...page, ...pending], options.max);
      cursor = page.at(-1);
      hasOlder.value = page.length === options.pageSize;
      capped.value = false;
      error.value = null;
      options.onLoad?.(page);
    } catch (e) {
      if (mine === generation) error.value = `${options.errors.load}: ${errorMessage(e)}`;
    } finally {
      if (mine === generation) {
        pending = null;
        loading.value = false;
        loaded.value = true;
      }
    }
  }

  async function loadOlder(): Promise<void> {
    const from = cursor;
    if (!from || !hasOlder.value || loadingOlder.value || items.value.length >= options.max) return;
    const mine = generation;
    loadingOlder.value = true;
    try {
      const page = await options.fetch(from);
      if (mine !== generation) return;
      cursor = page.at(-1) ?? from;
      const kept = merge(items.value, page, options.max);
      // Live rows that arrived while paging back can make even a short last page overflow the cap.
      const cut = dropped(items.value, page, kept);
      items.value = kept;
      const full = page.length === options.pageSize;
      hasOlder.value = full && kept.length < options.max;
      capped.value = cut || (full && kept.length >= options.max);
    } catch (e) {
      error.value = `${options.errors.older}: ${errorMessage(e)}`;
    } finally {
      loadingOlder.value = false;
    }
  }

  function receive(rows: readonly T[]): void {
    if (rows.length === 0) return;
    if (pending) {
      pending.push(...rows);
      return;
    }
    const kept = merge(items.value, rows, options.max);
    if (dropped(items.value, rows, kept)) capped.value = true;
    items.value = kept;
  }

  async function refreshNewest(): Promise<void> {
    const mine = generation;
    try {
      const page = await options.fetch();
      if (mine !== generation || pending) return;
      const kept = merge(items.value, page, options.max);
      if (dropped(items.value, page, kept)) capped.value = true;
      items.value = kept;
    } catch {
      // The next change or a reload tries again; the list on screen stays as it was.
    }
  }

  function remove(ids: ReadonlySet<number>): void {
    if (ids.size === 0) return;
    if (pending) pending = pending.filter((row) => !ids.has(row.id));
    const kept = items.value.filter((row) => !ids.has(row.id));
    if (kept.length !== items.value.length) items.value = kept;
  }

  function dropAged(inRange: (row: T) => boolean): void {
    const kept = items.value.filter(inRange);
    if (kept.length === items.value.length) return;
    items.value = kept;
    hasOlder.value = false;
    capped.value = false;
  }

  return {
    items,
    loaded,
    loading,
    error,
    hasOlder,
    capped,
    loadingOlder,
    get pending() {
      return pending !== null;
    },
    load,
    loadOlder,
    receive,
    refreshNewest,
    remove,
    dropAged,
  };
}
