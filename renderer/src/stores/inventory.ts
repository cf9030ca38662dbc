import { defineStore } from "pinia";
import { computed, ref, shallowRef } from "vue";
import type { MethodName } from "../../../shared/api.js";
import type { DiscoveryWarning } from "../../../shared/discovery.js";
import type { ActionResult, AddServerInput, Inventory, ServerEntry } from "../../../shared/servers.js";
import { clientName } from "../clients.js";
import { errorMessage, useApi, useConnectionStore } from "./connection.js";
import { useToastsStore } from "./toasts.js";

/** Resource samples kept per server for the sparklines (at the 15 s default interval: 15 minutes). */
export const HISTORY_SAMPLES = 60;

/** One point of a server's sparkline: its resources sample (shared/servers.ts) at `t`, ms since the epoch. */
export type SparklineSample = Pick<ServerEntry["resources"], "cpuPct" | "rssBytes"> & { t: number };

export type ServerAction =
  | "start"
  | "stop"
  | "restart"
  | "probe"
  | "instrument"
  | "repair"
  | "uninstrument"
  | "remove";

const ACTION_METHODS = {
  start: "servers.start",
  stop: "servers.stop",
  restart: "servers.restart",
  probe: "servers.probe",
  instrument: "servers.instrument",
  // Instrumenting an entry whose mcpscope is gone points it at this one (one that runs another install,
  // still there, is re-pointed by instrument.repair: see `repairOther`).
  repair: "servers.instrument",
  uninstrument: "servers.uninstrument",
  remove: "servers.remove",
} as const satisfies Record<ServerAction, MethodName>;

/** What an action is called while it runs, and in the toast that reports it. */
export const ACTION_LABELS: Record<ServerAction, { verb: string; running: string }> = {
  start: { verb: "Start", running: "Starting…" },
  stop: { verb: "Stop", running: "Stopping…" },
  restart: { verb: "Restart", running: "Restarting…" },
  probe: { verb: "Probe", running: "Probing…" },
  instrument: { verb: "Instrument", running: "Instrumenting…" },
  repair: { verb: "Repair", running: "Repairing…" },
  uninstrument: { verb: "Uninstrument", running: "Restoring…" },
  remove: { verb: "Remove", running: "Removing…" },
};

function isInventory(payload: unknown): payload is Inventory {
  if (typeof payload !== "object" || payload === null) return false;
  const { servers, warnings } = payload as { servers?: unknown; warnings?: unknown };
  return Array.isArray(servers) && Array.isArray(warnings);
}

/**
 * Adds each server's latest resource sample to its history (once per sample time), keeps the newest
 * `cap` samples, and forgets servers that are gone. Returns the same object when nothing changed.
 */
export function appendSamples(
  history: Readonly<Record<string, readonly SparklineSample[]>>,
  servers: readonly ServerEntry[],
  cap = HISTORY_SAMPLES,
): Record<string, readonly SparklineSample[]> {
  const next: Record<string, readonly SparklineSample[]> = {};
  let changed = Object.keys(history).length !== servers.length;
  for (const server of servers) {
    const previous = history[server.id] ?? [];
    const { cpuPct, rssBytes, sampledAt } = server.resources;
    const t = sampledAt ? Date.parse(sampledAt) : Number.NaN;
    const last = previous.at(-1);
    if (Number.isNaN(t) || (cpuPct === null && rssBytes === null) || (last && last.t >= t)) {
      next[server.id] = previous;
      if (!(server.id in history)) changed = true;
      continue;
    }
    next[server.id] = [...previous, { t, cpuPct, rssBytes }].slice(-cap);
    changed = true;
  }
  return changed ? next : (history as Record<string, readonly SparklineSample[]>);
}

/**
 * Every server the MCP clients on this machine know about, plus those added by hand (servers.inventory),
 * kept live by `servers.changed`; a short resource history per server for sparklines; and the actions
 * (start, stop, probe, instrument, …) with their progress and results.
 */
export const useInventoryStore = defineStore("inventory", () => {
  const { client } = useApi();
  const connection = useConnectionStore();
  const toasts = useToastsStore();

  const servers = shallowRef<ServerEntry[]>([]);
  const warnings = shallowRef<DiscoveryWarning[]>([]);
  const history = shallowRef<Record<string, readonly SparklineSample[]>>({});
  const loaded = ref(false);
  const error = ref<string | null>(null);
  /** The action running on each server, by server id. */
  const pending = ref<Record<string, ServerAction>>({});
  const byId = computed(() => new Map(servers.value.map((s) => [s.id, s])));

  let pushes = 0;
  let inFlight: Promise<void> | null = null;
  let started = false;

  function apply(inventory: Inventory): void {
    servers.value = inventory.servers;
    warnings.value = inventory.warnings;
    history.value = appendSamples(history.value, inventory.servers);
    loaded.value = true;
    error.value = null;
  }

  function refresh(): Promise<void> {
    inFlight ??= (async () => {
      const pushesBefore = pushes;
      try {
        const inventory = await client.call("servers.inventory", {});
        // A push that arrived meanwhile is at least as new as this answer.
        if (pushes === pushesBefore) apply(inventory);
      } catch (e) {
        error.value = errorMessage(e);
        loaded.value = true;
      } finally {
        inFlight = null;
      }
    })();
    return inFlight;
  }

  function receive(payload: unknown): void {
    if (!isInventory(payload)) return;
    pushes++;
    apply(payload);
  }

  function report(title: string, result: ActionResult): void {
    toasts.push(result.ok ? "ok" : "error", title, result.message);
  }

  /**
   * Runs one action on a server (one at a time per server); its result shows as a toast, except a refusal
   * that forcing overrides (`result.force`): the caller offers that instead, and `force` runs it.
   */
  async function perform(
    action: ServerAction,
    server: ServerEntry,
    force = false,
  ): Promise<ActionResult | null> {
    if (pending.value[server.id]) return null;
    pending.value = { ...pending.value, [server.id]: action };
    const title = `${ACTION_LABELS[action].verb} ${server.name}`;
    let result: ActionResult;
    try {
      result =
        action === "uninstrument"
          ? await client.call("servers.uninstrument", { id: server.id, ...(force ? { force } : {}) })
          : action === "repair" && server.launcherOther && !server.launcherGone
            ? await repairOther(server)
            : await client.call(ACTION_METHODS[action], { id: server.id });
    } catch (e) {
      result = { ok: false, message: errorMessage(e) };
    } finally {
      const { [server.id]: _done, ...rest } = pending.value;
      pending.value = rest;
    }
    if (!result.force) report(title, result);
    void refresh();
    return result;
  }

  /**
   * Points one entry that runs another mcpscope install at this one (instrument leaves such an entry as
   * it is: that install may be newer, or chosen). Picked by its id: its name and scope can be in several
   * entries (a local entry in each project), and naming its file would need the consent browser mode
   * asks for requests that name a path.
   */
  async function repairOther(server: ServerEntry): Promise<ActionResult> {
    if (server.client === "manual" || server.scope === "manual" || !server.file)
      return { ok: false, message: `${server.name} has no config entry to repair` };
    const { entries } = await client.call("instrument.repair", { id: server.id });
    const failed = entries.find((e) => e.error);
    if (failed?.error) return { ok: false, message: failed.error };
    const done = entries.some((e) => e.status === "repaired")
      ? `${server.name} in ${server.file} now runs this mcpscope (it ran ${server.launcherOther?.path}); restart ${clientName(server.client)} to pick up the change`
      : `${server.name} already runs this mcpscope`;
    const warning = entries.find((e) => e.warning)?.warning;
    return warning ? { ok: false, message: `${done}, but ${warning}` } : { ok: true, message: done };
  }

  /** Whether "Repair all" runs (instrument.repair over every wrapped entry). */
  const repairing = ref(false);

  /**
   * Points every wrapped entry at this mcpscope (what `mcpscope instrument --repair` does), for when the
   * one they run is gone; the outcome shows as a toast.
   */
  async function repairAll(): Promise<void> {
    if (repairing.value) return;
    repairing.value = true;
    try {
      const { entries } = await client.call("instrument.repair", {});
      const failed = entries.filter((e) => e.error);
      const repaired = entries.filter((e) => e.status === "repaired");
      const clients = [...new Set(repaired.map((e) => clientName(e.client)))];
      const done = repaired.length
        ? `${repaired.length === 1 ? "1 entry now runs" : `${repaired.length} entries now run`} this mcpscope; restart ${clients.join(", ")} to pick up the change`
        : "every wrapped entry already runs this mcpscope";
      const problems = [...failed.map((e) => e.error), ...entries.flatMap((e) => e.warning ?? [])];
      toasts.push(problems.length ? "error" : "ok", "Repair", [done, ...problems].join("; "));
    } catch (e) {
      toasts.push("error", "Repair", errorMessage(e));
    } finally {
      repairing.value = false;
      void refresh();
    }
  }

  /** Adds a server by hand; the result is returned (the form shows a failure itself). */
  async function add(input: AddServerInput): Promise<ActionResult> {
    let result: ActionResult;
    try {
      result = await client.call("servers.add", input);
    } catch (e) {
      result = { ok: false, message: errorMessage(e) };
    }
    if (result.ok) {
      report(`Add ${input.name}`, result);
      void refresh();
    }
    return result;
  }

  /** Subscribes to live changes and loads the inventory; safe to call more than once. */
  function start(): void {
    if (started) return;
    started = true;
    client.on("servers.changed", receive);
    connection.onReconnect(() => void refresh());
    void refresh();
  }

  return {
    servers,
    warnings,
    history,
    loaded,
    error,
    pending,
    repairing,
    byId,
    start,
    refresh,
    perform,
    repairAll,
    add,
  };
});
