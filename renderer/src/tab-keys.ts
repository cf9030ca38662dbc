/**
 * Tabs as a tablist (Logs, Events, Alerts): one tab stop, the selected tab; Left/Right move to the
 * previous/next tab (wrapping), Home/End to the first/last, selecting it as they go. Each tab is
 * `<prefix>-tab-<id>` and controls the panel `<prefix>-panel`.
 */
import { nextTick } from "vue";
import { tabKeyTarget } from "./list-keys.js";

export const tabId = (prefix: string, tab: string) => `${prefix}-tab-${tab}`;
export const panelId = (prefix: string) => `${prefix}-panel`;

/** Handles a key in a tablist: selects the tab it moves to and gives it focus. */
export function onTablistKey<T extends string>(
  event: KeyboardEvent,
  prefix: string,
  tabs: readonly T[],
  current: T,
  select: (tab: T) => void,
): void {
  const next = tabKeyTarget(event.key, tabs, current);
  if (next === null || event.altKey || event.ctrlKey || event.metaKey) return;
  event.preventDefault();
  select(next);
  void nextTick().then(() => document.getElementById(tabId(prefix, next))?.focus());
}
