/**
 * The keys that move through a long list that is one tab stop (Calls, Logs, Events, Alerts): where the
 * active row goes for a key, or null for a key that is not a move. Down/Up (and j/k) one row, PageDown/
 * PageUp a screenful, Home/End the first and last loaded row.
 */
export function listKeyTarget(key: string, current: number, count: number, pageRows: number): number | null {
  if (count === 0) return null;
  const from = current < 0 ? -1 : current;
  let next: number;
  switch (key) {
    case "ArrowDown":
    case "j":
      next = from + 1;
      break;
    case "ArrowUp":
    case "k":
      next = from < 0 ? 0 : from - 1;
      break;
    case "PageDown":
      next = from + Math.max(1, pageRows);
      break;
    case "PageUp":
      next = from - Math.max(1, pageRows);
      break;
    case "Home":
      next = 0;
      break;
    case "End":
      next = count - 1;
      break;
    default:
      return null;
  }
  return Math.min(count - 1, Math.max(0, next));
}

/** In a tablist (tab-keys.ts): the tab a key moves to (Left/Right wrapping, Home/End), or null. */
export function tabKeyTarget<T>(key: string, tabs: readonly T[], current: T): T | null {
  const at = tabs.indexOf(current);
  const n = tabs.length;
  if (n === 0) return null;
  if (key === "ArrowRight") return tabs[(at + 1) % n] ?? null;
  if (key === "ArrowLeft") return tabs[(at - 1 + n) % n] ?? null;
  if (key === "Home") return tabs[0] ?? null;
  if (key === "End") return tabs[n - 1] ?? null;
  return null;
}
