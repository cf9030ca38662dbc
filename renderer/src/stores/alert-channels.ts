import { defineStore } from "pinia";
import { reactive, ref, shallowRef, watch } from "vue";
import type { Delivery } from "../../../shared/alerts.js";
import type { MethodOutput } from "../../../shared/api.js";
import type { ActionResult } from "../../../shared/servers.js";
import { errorMessage, useApi, useConnectionStore } from "./connection.js";
import { useToastsStore } from "./toasts.js";

export type ChannelsDocument = MethodOutput<"alerts.channels">;
export type DeliveryStatus = Delivery["status"];

/** The built-in channel whose tests the engine refuses while desktop notifications are paused. */
const DESKTOP_CHANNEL = "desktop";

/** Deliveries one request asks for first; "Show more" raises it up to the API's limit. */
export const DELIVERIES_PAGE = 200;
export const MAX_DELIVERIES = 1000;
/** While the Deliveries tab shows, pending ones move on (retries): refresh this often. */
const DELIVERIES_POLL_MS = 5000;

/**
 * What Send test left for a channel: the delivery, or the call's own failure; `pausedUntil` when the
 * engine refused a desktop test because desktop notifications are paused (the view says until when).
 */
export type TestResult =
  | { delivery: Delivery; error: null }
  | { delivery: null; error: string; pausedUntil: string | null };

/**
 * Where notifications go: the channels and routes (`alerts.channels`), adding or replacing a channel as
 * YAML, removing one, Send test; and the delivery log (`alerts.deliveries`) with every attempt.
 */
export const useAlertChannelsStore = defineStore("alert-channels", () => {
  const { client } = useApi();
  const connection = useConnectionStore();
  const toasts = useToastsStore();

  const doc = shallowRef<ChannelsDocument | null>(null);
  const loaded = ref(false);
  const error = ref<string | null>(null);
  const testing = ref<Record<string, boolean>>({});
  const tests = ref<Record<string, TestResult>>({});

  const deliveries = shallowRef<Delivery[]>([]);
  const deliveryFilters = reactive<{ channel: string; status: DeliveryStatus | "" }>({
    channel: "",
    status: "",
  });
  const deliveriesLimit = ref(DELIVERIES_PAGE);
  const deliveriesLoaded = ref(false);
  const deliveriesLoading = ref(false);
  const deliveriesError = ref<string | null>(null);
  const expanded = ref(new Set<number>());

  let deliveriesGeneration = 0;
  let poll: ReturnType<typeof setInterval> | null = null;
  let started = false;

  async function load(): Promise<void> {
    try {
      doc.value = await client.call("alerts.channels", {});
      error.value = null;
    } catch (e) {
      error.value = `Could not load the channels: ${errorMessage(e)}`;
    } finally {
      loaded.value = true;
    }
  }

  /** Adds or replaces one channel; the editor shows a failure itself. */
  async function put(yaml: string, replaces: string | null): Promise<ActionResult> {
    let result: ActionResult;
    try {
      result = await client.call("alerts.channels.put", { yaml, ...(replaces ? { replaces } : {}) });
    } catch (e) {
      result = { ok: false, message: errorMessage(e) };
    }
    if (result.ok) {
      toasts.push("ok", "Channel saved", result.message);
      void load();
    }
    return result;
  }

  async function remove(name: string): Promise<ActionResult> {
    let result: ActionResult;
    try {
      result = await client.call("alerts.channels.remove", { name });
    } catch (e) {
      result = { ok: false, message: errorMessage(e) };
    }
    toasts.push(result.ok ? "ok" : "error", `Remove ${name}`, result.message);
    if (result.ok) void load();
    return result;
  }

  /** Sends a test notification through one channel now; the result stays on its row. */
  async function test(channel: string): Promise<void> {
    if (testing.value[channel]) return;
    testing.value = { ...testing.value, [channel]: true };
    let result: TestResult;
    try {
      result = { delivery: await client.call("alerts.test", { channel }), error: null };
    } catch (e) {
      result = { delivery: null, error: errorMessage(e), pausedUntil: await refusedUntil(channel) };
    }
    const { [channel]: _done, ...rest } = testing.value;
    testing.value = rest;
    tests.value = { ...tests.value, [channel]: result };
    if (deliveriesLoaded.value) void loadDeliveries();
  }

  /**
   * The pause end when a failed test was the desktop one and the engine, read again, has desktop
   * notifications paused: it refuses every desktop test then, and the view says until when in local time.
   */
  async function refusedUntil(channel: string): Promise<string | null> {
    if (channel !== DESKTOP_CHANNEL) return null;
    await load();
    const until = error.value === null ? (doc.value?.pausedUntil ?? null) : null;
    return until && Date.parse(until) > Date.now() ? until : null;
  }

  async function loadDeliveries(): Promise<void> {
    const mine = ++deliveriesGeneration;
    deliveriesLoading.value = true;
    try {
      const list = await client.call("alerts.deliveries", {
        limit: deliveriesLimit.value,
        ...(deliveryFilters.channel ? { channel: deliveryFilters.channel } : {}),
        ...(deliveryFilters.status ? { status: deliveryFilters.status } : {}),
      });
      if (mine !== deliveriesGeneration) return;
      deliveries.value = list;
      deliveriesError.value = null;
    } catch (e) {
      if (mine === deliveriesGeneration)
        deliveriesError.value = `Could not load deliveries: ${errorMessage(e)}`;
    } finally {
      if (mine === deliveriesGeneration) {
        deliveriesLoading.value = false;
        deliveriesLoaded.value = true;
      }
    }
  }

  function showMoreDeliveries(): void {
    deliveriesLimit.value = Math.min(MAX_DELIVERIES, deliveriesLimit.value * 2);
  }

  function toggle(id: number): void {
    const next = new Set(expanded.value);
    if (!next.delete(id)) next.add(id);
    expanded.value = next;
  }

  /** Keeps the delivery log fresh while it is on screen. */
  function followDeliveries(on: boolean): void {
    if (on === (poll !== null)) return;
    if (poll) clearInterval(poll);
    poll = on ? setInterval(() => void loadDeliveries(), DELIVERIES_POLL_MS) : null;
    if (on) void loadDeliveries();
  }

  /** Loads the channels; the first call also follows filters and reconnections. Each showing reloads. */
  function start(): void {
    if (started) {
      void load();
      return;
    }
    started = true;
    watch([deliveryFilters, deliveriesLimit], () => void loadDeliveries(), { deep: true });
    connection.onReconnect(() => {
      void load();
      if (deliveriesLoaded.value) void loadDeliveries();
    });
    void load();
  }

  return {
    doc,
    loaded,
    error,
    testing,
    tests,
    deliveries,
    deliveryFilters,
    deliveriesLimit,
    deliveriesLoaded,
    deliveriesLoading,
    deliveriesError,
    expanded,
    start,
    load,
    put,
    remove,
    test,
    loadDeliveries,
    showMoreDeliveries,
    toggle,
    followDeliveries,
  };
});
