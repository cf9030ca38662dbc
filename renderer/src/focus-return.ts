/**
 * Keyboard focus across moves between places (a list and the page one of its rows opens, a view and the
 * view one of its links opens). The element that had focus when the user left a place is remembered;
 * coming back to that place (Esc, a back button, Back) with focus lost along with the page just left puts
 * it there again, so a keyboard user resumes at the row they opened. A place reached with nothing to go
 * back to takes focus on its heading, so that a screen reader announces where the user is. A move that
 * leaves focus where it was (a click in the sidebar) is left alone.
 *
 * A remembered element that was rendered again meanwhile (a list shown anew) is found by its
 * `data-focus-key`; a page's own heading is marked `data-page-heading`, the view's title is the fallback.
 */
import { nextTick, watch } from "vue";

interface Left {
  element: HTMLElement;
  key: string | null;
}

/** Focus nowhere, or still on the view's title where an earlier move put it (a landing spot, not a choice). */
function focusLost(): boolean {
  const active = document.activeElement;
  return active === null || active === document.body || active.matches(".topbar h1");
}

function findAgain(left: Left | undefined): HTMLElement | null {
  if (!left) return null;
  if (left.element.isConnected) return left.element;
  if (left.key === null) return null;
  return document.querySelector<HTMLElement>(`.content [data-focus-key="${CSS.escape(left.key)}"]`);
}

/** Follows `place` (the route as a string) from now on; returns a function that stops. */
export function followFocus(place: () => string): () => void {
  const left = new Map<string, Left>();
  return watch(
    place,
    async (next, previous) => {
      // Before the DOM changes: what had focus in the place being left.
      const from = document.activeElement;
      if (from instanceof HTMLElement && from.closest(".content")) {
        left.set(previous, { element: from, key: from.dataset.focusKey ?? null });
      }
      await nextTick();
      if (!focusLost()) return;
      const target =
        findAgain(left.get(next)) ??
        document.querySelector<HTMLElement>(".content [data-page-heading]") ??
        document.querySelector<HTMLElement>(".topbar h1");
      left.delete(next);
      target?.focus();
    },
    { flush: "pre" },
  );
}
