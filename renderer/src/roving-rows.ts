/**
 * A list drawn whole (not virtualised: Events, Alerts) as one tab stop, like the virtual lists
 * (VirtualList.vue): the last row used, or the first, has tabindex 0 and the others -1; the keys of
 * list-keys.ts move focus between the rows (the elements matching `selector` in the list, in the order of
 * `keys`), and Enter or Space on a row opens it. The list binds `keydown` and `focusin`.
 *
 * Live updates re-render the list under the keyboard: a row that moves (a re-sort) or goes (an alert that
 * resolves) would drop focus to the page, so focus goes back to the same row, or to the one now in its
 * place.
 */
import { computed, ref, watch } from "vue";
import { listKeyTarget } from "./list-keys.js";

export interface RovingRowsOptions<K> {
  /** Matches each row of the list (and nothing else in it). */
  selector: string;
  /** What Enter and Space on the row of `key` do. */
  open: (key: K) => void;
}

export function useRovingRows<K>(keys: () => readonly K[], options: RovingRowsOptions<K>) {
  const active = ref<K | null>(null) as { value: K | null };
  const stop = computed(() => {
    const list = keys();
    return active.value !== null && list.includes(active.value) ? active.value : (list[0] ?? null);
  });
  let listEl: HTMLElement | null = null;

  function tabindex(key: K): 0 | -1 {
    return key === stop.value ? 0 : -1;
  }

  function rowsOf(list: HTMLElement): HTMLElement[] {
    return [...list.querySelectorAll<HTMLElement>(options.selector)];
  }

  function focusin(event: FocusEvent): void {
    listEl = event.currentTarget as HTMLElement;
    const row = (event.target as HTMLElement).closest<HTMLElement>(options.selector);
    if (!row || !listEl.contains(row)) return;
    const key = keys()[rowsOf(listEl).indexOf(row)];
    if (key !== undefined) active.value = key;
  }

  function keydown(event: KeyboardEvent): void {
    const list = event.currentTarget as HTMLElement;
    const row = event.target as HTMLElement;
    // Keys typed on a control inside a row (its buttons) are the control's.
    if (!row.matches(options.selector) || event.altKey || event.ctrlKey || event.metaKey) return;
    const rows = rowsOf(list);
    const at = rows.indexOf(row);
    if (event.key === "Enter" || event.key === " ") {
      const key = keys()[at];
      if (key === undefined) return;
      event.preventDefault();
      options.open(key);
      return;
    }
    const pageRows = Math.floor(list.clientHeight / Math.max(1, row.offsetHeight)) - 1;
    const next = listKeyTarget(event.key, at, rows.length, pageRows);
    if (next === null) return;
    event.preventDefault();
    rows[next]?.focus({ preventScroll: true });
    rows[next]?.scrollIntoView({ block: "nearest" });
  }

  // Before the new rows render: whether the keyboard is in the list, and where its row was.
  let refocusAt = -1;
  watch(keys, (_next, previous) => {
    refocusAt = -1;
    if (!listEl?.isConnected || !listEl.contains(document.activeElement) || active.value === null) return;
    refocusAt = previous.indexOf(active.value);
  });
  // After: focus that fell out of the list goes back to its row, or to the row now in that place.
  watch(
    keys,
    (next) => {
      const at = refocusAt;
      refocusAt = -1;
      if (at < 0 || !listEl?.isConnected || listEl.contains(document.activeElement) || next.length === 0)
        return;
      const still = active.value === null ? -1 : next.indexOf(active.value);
      const index = still >= 0 ? still : Math.min(at, next.length - 1);
      active.value = next[index] ?? null;
      rowsOf(listEl)[index]?.focus({ preventScroll: true });
    },
    { flush: "post" },
  );

  return { tabindex, focusin, keydown };
}
