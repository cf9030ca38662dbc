import { defineStore } from "pinia";
import { computed, ref, shallowRef } from "vue";
import {
  type AlertInstance,
  type AlertsSnapshot,
  countsAsFiring,
  type Matcher,
  type Silence,
  worstFiring,
} from "../../../shared/alerts.js";
import type { ActionResult } from "../../../shared/servers.js";
import { firingAnnouncement } from "../alerts/announce.js";
import { sortAlerts } from "../alerts/labels.js";
import { formatTime } from "../format.js";
import { errorMessage, useApi, useConnectionStore } from "./connection.js";
import { useToastsStore } from "./toasts.js";

export type AlertAction = "acknowledge" | "silence";

/** A change pushed in bursts (an evaluation that moves many alerts) is followed by one reload, not many. */
const RELOAD_GAP_MS = 1000;

/**
 * The alerts in effect: pending and firing ones (`alerts.list`, then every `alerts.changed` snapshot),
 * the firing count and worst severity the nav badge shows, the notification pause, the silences, and
 * the actions on them (silence, expire, acknowledge, pause).
 */
export const useAlertsStore = defineStore("alerts", () => {
  const { client } = useApi();
  const connection = useConnectionStore();
  const toasts = useToastsStore();

  const alerts = shallowRef<AlertInstance[]>([]);
  const loaded = ref(false);
  const error = ref<string | null>(null);
  /** The last pushed snapshot (null until the first push: counts come from the list until then). */
  const snapshot = shallowRef<AlertsSnapshot | null>(null);
  const pending = ref<Record<string, AlertAction>>({});
  /** The live region's text: the alerts that started firing at the last change (App reads it out). */
  const announcement = ref("");
  let firingIds: ReadonlySet<string> | null = null;

  const silences = shallowRef<Silence[]>([]);
  const silencesLoaded = ref(false);
  const silencesError = ref<string | null>(null);
  const includeExpired = ref(false);

  /** Firing and not silenced: what the nav badge counts. */
  const firing = computed(() => snapshot.value?.firing ?? alerts.value.filter(countsAsFiring).length);
  const worst = computed(() => snapshot.value?.worst ?? worstFiring(alerts.value));
  const pausedUntil = computed(() => snapshot.value?.pausedUntil ?? null);

  let generation = 0;
  let pushes = 0;
  let silencesTimer: ReturnType<typeof setTimeout> | null = null;
  let silencesWanted = false;
  let started = false;

  async function load(): Promise<void> {
    const mine = ++generation;
    const pushesBefore = pushes;
    try {
      const list = await client.call("alerts.list", {});
      // A snapshot pushed meanwhile is at least as new as this answer.
      if (mine !== generation || pushes !== pushesBefore) return;
      show(list);
      error.value = null;
    } catch (e) {
      if (mine === generation) error.value = `Could not load alerts: ${errorMessage(e)}`;
    } finally {
      if (mine === generation) loaded.value = true;
    }
  }

  function receive(next: AlertsSnapshot): void {
    pushes++;
    snapshot.value = next;
    show(next.alerts);
    loaded.value = true;
    error.value = null;
    // A snapshot also follows a silence that was added, expired or removed.
    if (silencesWanted) scheduleSilences();
  }

  function show(list: AlertInstance[]): void {
    alerts.value = sortAlerts(list);
    const said = firingAnnouncement(firingIds, list);
    firingIds = said.known;
    if (!said.text) return;
    // The same words again (an alert that fired, resolved and fires anew) must still change the region.
    const text = said.text;
    if (announcement.value === text) {
      announcement.value = "";
      queueMicrotask(() => {
        announcement.value = text;
      });
    } else announcement.value = text;
  }

  async function loadSilences(): Promise<void> {
    silencesWanted = true;
    try {
      silences.value = await client.call("alerts.silences", { includeExpired: includeExpired.value });
      silencesError.value = null;
    } catch (e) {
      silencesError.value = `Could not load silences: ${errorMessage(e)}`;
    } finally {
      silencesLoaded.value = true;
    }
  }

  function scheduleSilences(): void {
    if (silencesTimer) return;
    silencesTimer = setTimeout(() => {
      silencesTimer = null;
      void loadSilences();
    }, RELOAD_GAP_MS);
  }

  async function run(title: string, call: () => Promise<ActionResult>): Promise<ActionResult> {
    let result: ActionResult;
    try {
      result = await call();
    } catch (e) {
      result = { ok: false, message: errorMessage(e) };
    }
    toasts.push(result.ok ? "ok" : "error", title, result.message);
    return result;
  }

  /** Silences alerts matching every matcher; the dialog shows a failure itself, so none is toasted. */
  async function silence(matchers: Matcher[], duration: string, comment: string): Promise<ActionResult> {
    try {
      const created = await client.call("alerts.silence", {
        matchers,
        duration,
        ...(comment.trim() ? { comment: comment.trim() } : {}),
        createdBy: connection.kind === "ipc" ? "mcpscope app" : "mcpscope browser",
      });
      toasts.push("ok", "Silenced", `Until ${formatTime(created.endsAt)}.`);
      void loadSilences();
      void load();
      return { ok: true, message: created.id };
    } catch (e) {
      return { ok: false, message: errorMessage(e) };
    }
  }

  /** Silences one alert (its rule and labels) — marked as in progress on its row. */
  async function silenceAlert(
    alert: AlertInstance,
    matchers: Matcher[],
    duration: string,
    comment: string,
  ): Promise<ActionResult> {
    pending.value = { ...pending.value, [alert.id]: "silence" };
    try {
      return await silence(matchers, duration, comment);
    } finally {
      const { [alert.id]: _done, ...rest } = pending.value;
      pending.value = rest;
    }
  }

  async function unsilence(id: string): Promise<ActionResult> {
    const result = await run("Expire silence", () => client.call("alerts.unsilence", { id }));
    void loadSilences();
    void load();
    return result;
  }

  async function acknowledge(alert: AlertInstance): Promise<ActionResult> {
    if (pending.value[alert.id]) return { ok: false, message: "Busy." };
    pending.value = { ...pending.value, [alert.id]: "acknowledge" };
    try {
      return await run(`Acknowledge ${alert.rule}`, () =>
        client.call("alerts.acknowledge", { id: alert.id }),
      );
    } finally {
      const { [alert.id]: _done, ...rest } = pending.value;
      pending.value = rest;
      void load();
    }
  }

  /** Pauses native notifications for `duration` (`1h`), or resumes them (null). */
  function pause(duration: string | null): Promise<ActionResult> {
    return run(duration ? "Notifications paused" : "Notifications resumed", () =>
      client.call("alerts.pause", { duration }),
    );
  }

  /** Subscribes to live changes and loads the alerts; safe to call more than once. */
  function start(): void {
    if (started) return;
    started = true;
    client.on("alerts.changed", receive);
    connection.onReconnect(() => {
      void load();
      if (silencesWanted) void loadSilences();
    });
    void load();
  }

  return {
    alerts,
    announcement,
    loaded,
    error,
    snapshot,
    pending,
    firing,
    worst,
    pausedUntil,
    silences,
    silencesLoaded,
    silencesError,
    includeExpired,
    start,
    load,
    loadSilences,
    silence,
    silenceAlert,
    unsilence,
    acknowledge,
    pause,
  };
});
