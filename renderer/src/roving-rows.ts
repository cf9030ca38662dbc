/**
 * A list drawn whole (not virtualised: Events) as one tab stop, like the virtual lists (VirtualList.vue):
 * the last row used, or the first, has tabindex 0 and the others -1; the keys of list-keys.ts move focus
 * between the rows (the elements matching `selector` in the list). Each row's own button opens it.
 */
import { computed, ref } from "vue";
import { listKeyTarget } from "./list-keys.js";

export function useRovingRows<K>(keys: () => readonly K[]) {
  const active = ref<K | null>(null) as { value: K | null };
  const stop = computed(() => {
    const list = keys();
    return active.value !== null && list.includes(active.value) ? active.value : (list[0] ?? null);
  });

  function tabindex(key: K): 0 | -1 {
    return key === stop.value ? 0 : -1;
  }

  function focused(key: K): void {
    active.value = key;
  }

  function keydown(event: KeyboardEvent, selector: string): void {
    const list = event.currentTarget as HTMLElement;
    const row = event.target as HTMLElement;
    if (!row.matches(selector) || event.altKey || event.ctrlKey || event.metaKey) return;
    const rows = [...list.querySelectorAll<HTMLElement>(selector)];
    const pageRows = Math.floor(list.clientHeight / Math.max(1, row.offsetHeight)) - 1;
    const next = listKeyTarget(event.key, rows.indexOf(row), rows.length, pageRows);
    if (next === null) return;
    event.preventDefault();
    rows[next]?.focus({ preventScroll: true });
    rows[next]?.scrollIntoView({ block: "nearest" });
  }

  return { tabindex, focused, keydown };
}
