// What both server pages (a configured server, a server seen only in traffic) do over their life: Esc
// goes back to the list (unless a dialog is open), a clock ticks for the "5 min ago" texts, and the page
// refreshes live only while it is shown (it is kept alive while another view is).
import { onActivated, onDeactivated, onUnmounted, type Ref, ref } from "vue";
import { useNavigationStore } from "../stores/navigation.js";

const TICK_MS = 5000;

/** Wires the page's life to `setActive`; returns the clock (ms since the epoch, every 5 s). */
export function useServerPageLife(setActive: (active: boolean) => void): Ref<number> {
  const nav = useNavigationStore();
  const now = ref(Date.now());
  const clock = setInterval(() => {
    now.value = Date.now();
  }, TICK_MS);
  const onKey = (event: KeyboardEvent) => {
    if (event.key === "Escape" && !document.querySelector("dialog[open]")) nav.closeServer();
  };
  window.addEventListener("keydown", onKey);
  onActivated(() => {
    window.addEventListener("keydown", onKey);
    setActive(true);
  });
  onDeactivated(() => {
    window.removeEventListener("keydown", onKey);
    setActive(false);
  });
  onUnmounted(() => {
    window.removeEventListener("keydown", onKey);
    clearInterval(clock);
  });
  return now;
}
