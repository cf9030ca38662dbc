import { onScopeDispose } from "vue";
import { useApi, useConnectionStore } from "./connection.js";
import { RANGE_TICK_MS } from "./range-clock.js";

export interface LiveRefresh {
  /** Starts listening (and loads now). Call when the view shows. */
  resume(): void;
  /** Stops listening. Call when the view hides. */
  pause(): void;
  /** Loads again soon, within the throttle. */
  schedule(): void;
}

/**
 * Runs `load` when calls arrive (`calls.new`), at most once per `minGapMs` however fast they come, and
 * every `pollMs` anyway (a range relative to now moves on without new calls: RANGE_TICK_MS), and when the link to the
 * engine comes back — only while resumed.
 */
export function useLiveRefresh(
  load: () => Promise<void>,
  minGapMs = 2000,
  pollMs = RANGE_TICK_MS,
): LiveRefresh {
  const { client } = useApi();
  let active = false;
  let last = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let poll: ReturnType<typeof setInterval> | null = null;
  let off: (() => void) | null = null;

  function run(): void {
    timer = null;
    last = Date.now();
    void load();
  }

  function schedule(): void {
    if (!active || timer) return;
    timer = setTimeout(run, Math.max(0, minGapMs - (Date.now() - last)));
  }

  function resume(): void {
    if (active) return;
    active = true;
    off = client.on("calls.new", schedule);
    poll = setInterval(schedule, pollMs);
    if (timer) clearTimeout(timer);
    run();
  }

  function pause(): void {
    active = false;
    off?.();
    off = null;
    if (poll) clearInterval(poll);
    if (timer) clearTimeout(timer);
    poll = null;
    timer = null;
  }

  // Back from a dropped link or a restarted engine: what was shown may be stale, or an error.
  const offReconnect = useConnectionStore().onReconnect(schedule);
  onScopeDispose(() => {
    pause();
    offReconnect();
  });
  return { resume, pause, schedule };
}
