import { onScopeDispose, type Ref, ref, shallowRef, watch } from "vue";
import type { CallSummary } from "../../../shared/domain.js";
import type { ServerEntry } from "../../../shared/servers.js";
import { errorMessage, useApi } from "./connection.js";
import { useInventoryStore } from "./inventory.js";

/** The detail is fetched again at most this often, however fast changes arrive. */
export const DETAIL_THROTTLE_MS = 2000;
/** …and at least this often while it is open (stderr lines do not change the inventory). */
export const DETAIL_POLL_MS = 10_000;

/** What in an inventory entry, when it changes, makes the detail worth fetching again. */
function fingerprint(entry: ServerEntry | undefined): string {
  if (!entry) return "";
  const { status, process, health, resources, instrumented } = entry;
  return JSON.stringify([
    status,
    process?.state,
    process?.pid,
    process?.restarts,
    health.checkedAt,
    health.status,
    resources.sampledAt,
    instrumented,
  ]);
}

/**
 * One configured server's detail (servers.detail), live: fetched again when its inventory entry changes or
 * one of its calls arrives — at most once per DETAIL_THROTTLE_MS — and polled while open.
 */
export function useServerDetail(id: Ref<string>) {
  const { client } = useApi();
  const inventory = useInventoryStore();
  return liveDetail(
    id,
    (wanted) => client.call("servers.detail", { id: wanted }),
    (next) => next.server.name,
    () => fingerprint(inventory.byId.get(id.value)),
  );
}

/** A server seen only in recorded traffic (servers.seen, by name), live the same way. */
export function useSeenServerDetail(name: Ref<string>) {
  const { client } = useApi();
  return liveDetail(
    name,
    (wanted) => client.call("servers.seen", { name: wanted }),
    (next) => next.server.name,
    () => "",
  );
}

function liveDetail<T>(
  key: Ref<string>,
  read: (key: string) => Promise<T | null>,
  serverOf: (detail: T) => string,
  changes: () => string,
) {
  const { client } = useApi();
  const detail = shallowRef<T | null>(null);
  const loaded = ref(false);
  const missing = ref(false);
  const error = ref<string | null>(null);

  let generation = 0;
  let lastLoad = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let active = true;

  async function load(): Promise<void> {
    const mine = ++generation;
    const wanted = key.value;
    lastLoad = Date.now();
    try {
      const next = await read(wanted);
      if (mine !== generation || !active) return;
      detail.value = next;
      missing.value = next === null;
      error.value = null;
    } catch (e) {
      if (mine === generation) error.value = errorMessage(e);
    } finally {
      if (mine === generation) loaded.value = true;
    }
  }

  function schedule(): void {
    if (timer || !active) return;
    timer = setTimeout(
      () => {
        timer = null;
        void load();
      },
      Math.max(0, DETAIL_THROTTLE_MS - (Date.now() - lastLoad)),
    );
  }

  watch(
    key,
    () => {
      detail.value = null;
      loaded.value = false;
      missing.value = false;
      void load();
    },
    { immediate: true },
  );
  watch(changes, schedule);

  const offCalls = client.on("calls.new", (batch: CallSummary[]) => {
    const name = detail.value ? serverOf(detail.value) : undefined;
    if (name && Array.isArray(batch) && batch.some((call) => call.server === name)) schedule();
  });
  const poll = setInterval(() => {
    if (Date.now() - lastLoad >= DETAIL_POLL_MS) schedule();
  }, DETAIL_POLL_MS / 2);

  /** Pauses the polling while the view is kept alive but hidden. */
  function setActive(next: boolean): void {
    if (next === active) return;
    active = next;
    if (next) void load();
    else if (timer) {
      clearTimeout(timer);
      timer = null;
    }
  }

  onScopeDispose(() => {
    active = false;
    offCalls();
    clearInterval(poll);
    if (timer) clearTimeout(timer);
  });

  return { detail, loaded, missing, error, reload: load, setActive };
}
