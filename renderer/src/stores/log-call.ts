import { onScopeDispose, type Ref, ref, shallowRef, watch } from "vue";
import type { CallSummary } from "../../../shared/domain.js";
import type { LogRecord } from "../../../shared/logs.js";
import { errorMessage, useApi } from "./connection.js";

/** How far before a log line its call may have started. */
const LOOK_BACK_MS = 10 * 60_000;
const PAGES = 3;

/**
 * The call a log record belongs to: the stored call of the same server, session and request id that
 * started shortly before the line was written (`calls.list` by server and time, matched here).
 */
export function useLogCall(record: Ref<LogRecord | null>) {
  const { client } = useApi();
  const call = shallowRef<CallSummary | null>(null);
  const searching = ref(false);
  const error = ref<string | null>(null);
  let generation = 0;

  async function find(r: LogRecord): Promise<CallSummary | null> {
    const time = Date.parse(r.time);
    const query = {
      server: r.server,
      since: new Date(time - LOOK_BACK_MS).toISOString(),
      until: new Date(time + 5000).toISOString(),
      limit: 1000,
    };
    let before: CallSummary | undefined;
    for (let page = 0; page < PAGES; page++) {
      const calls = await client.call(
        "calls.list",
        before ? { ...query, beforeId: before.id, beforeTime: before.startedAt } : query,
      );
      const match = calls.find((c) => c.sessionId === r.session && c.requestId === r.requestId);
      if (match) return match;
      if (calls.length < query.limit) return null;
      before = calls.at(-1);
    }
    return null;
  }

  // A line is often stored a batch before its call: watch the calls that arrive from before the lookup (so
  // none slips between the two) until the call is found either way.
  let stopWaiting: (() => void) | null = null;
  function stopWatching(): void {
    stopWaiting?.();
    stopWaiting = null;
  }
  function watchArrivals(r: LogRecord, mine: number): void {
    stopWaiting = client.on("calls.new", (batch: CallSummary[]) => {
      const match = batch.find((c) => c.sessionId === r.session && c.requestId === r.requestId);
      if (!match || mine !== generation) return;
      call.value = match;
      searching.value = false;
      stopWatching();
    });
  }
  onScopeDispose(stopWatching);

  watch(
    record,
    async (r) => {
      const mine = ++generation;
      stopWatching();
      call.value = null;
      error.value = null;
      if (!r?.requestId || !r.session) {
        searching.value = false;
        return;
      }
      searching.value = true;
      watchArrivals(r, mine);
      try {
        const found = await find(r);
        if (mine !== generation || call.value) return;
        call.value = found;
        if (found) stopWatching();
      } catch (e) {
        if (mine === generation) error.value = errorMessage(e);
      } finally {
        if (mine === generation) searching.value = false;
      }
    },
    { immediate: true },
  );

  return { call, searching, error };
}
