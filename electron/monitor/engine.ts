/**
 * The monitor engine: implements the shared API over the data dir's database and pushes live events.
 * Hosted by the Electron utilityProcess, by `mcpscope serve`, and by tests, in process.
 */
import { statSync } from "node:fs";
import {
  API_METHODS,
  ApiInputError,
  type EventName,
  isEventName,
  isMethodName,
  type MethodName,
  type MethodOutput,
  parseMethodInput,
} from "../../shared/api.js";
import { AlertManager } from "./alerts/alert-manager.js";
import { recordAdminAction } from "./audit/audit-log.js";
import { defaultDiscoveryContext } from "./discovery/context.js";
import { discoverServers } from "./discovery/discover.js";
import { markEngineRunning } from "./engine-presence.js";
import type { Engine, EngineOptions } from "./engine-types.js";
import { MonitoringError } from "./errors.js";
import { readEventRetention } from "./events/event-settings.js";
import {
  applyEventRetention,
  errorGroups,
  eventsAfter,
  lastEventId,
  listEvents,
  sessionTimeline,
} from "./events/queries.js";
import { EventTracker } from "./events/tracker.js";
import { InventoryService } from "./inventory/inventory-service.js";
import { LoggingSystem } from "./logs/logging-system.js";
import {
  type EngineMetrics,
  type EngineMetricsOptions,
  startEngineMetrics,
} from "./metrics/engine-metrics.js";
import { readMetricsSettings } from "./metrics/metrics-settings.js";
import { metricsSeries } from "./metrics/series.js";
import { databasePath } from "./paths.js";
import { RemoteProxyRunner } from "./proxy-http/remote-proxies.js";
import { reportHandlers } from "./reports/handlers.js";
import { approvePins, listPins } from "./security/pins.js";
import { watchSettings } from "./settings-watch.js";
import { BatchWriter } from "./store/batch-writer.js";
import { openDb } from "./store/db.js";
import {
  callsAfter,
  getCall,
  lastCallId,
  listCalls,
  listServers,
  resolveRange,
  statsDocument,
} from "./store/queries.js";
import { recoveryEvent, StorageService, startStorage } from "./store/storage-service.js";
import { VERSION } from "./version.js";

type Handlers = {
  [M in MethodName]: (
    input: ReturnType<typeof parseMethodInput<M>>,
  ) => MethodOutput<M> | Promise<MethodOutput<M>>;
};

/** An engine with its metrics: the rollup collector, `/metrics` text, the optional OTLP exporter. */
export interface MetricsEngine extends Engine {
  readonly metrics: EngineMetrics;
}

export async function createEngine(
  options: EngineOptions & { metrics?: EngineMetricsOptions },
): Promise<MetricsEngine> {
  const dbPath = databasePath(options.dataDir);
  // Owner-only files, the database check, a damaged database moved aside (store/storage-service.ts).
  const storageStart = startStorage(options.dataDir);
  const db = storageStart.db;

  // Collection interval and retention: engine options win, else the `metrics` key of settings.json.
  const metricsSettings = readMetricsSettings(options.dataDir);
  const metrics = startEngineMetrics(db, {
    ...options.metrics,
    collector: options.metrics?.collector ?? metricsSettings.settings,
  });
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>();
  let lastId = lastCallId(db);
  let closed = false;
  // Log search, patterns, retention, files and mcpscope's own pino log (logs/logging-system.ts).
  const logging = new LoggingSystem({ dataDir: options.dataDir, db });
  logging.start();
  logging.logger.info({ version: VERSION, dataDir: options.dataDir }, "engine started");
  if (metricsSettings.problem) logging.warn("settings", metricsSettings.problem);
  let lastLogId = logging.lastId();

  // The engine's own telemetry (process events, supervised servers' stderr) goes through a batch writer.
  const writer = new BatchWriter({ open: () => openDb(dbPath) });
  // Proxies for instrumented remote entries, on the ports their rewritten URLs name.
  const remoteProxies =
    options.remoteProxies === false
      ? null
      : new RemoteProxyRunner({
          dataDir: options.dataDir,
          workerUrl:
            options.remoteProxies?.workerUrl ?? new URL("./http-observer-worker.mjs", import.meta.url),
          checkMs: options.remoteProxies?.checkMs,
          report: (line) => logging.warn("remote-proxies", line),
        });
  await remoteProxies?.start();
  const inventory =
    options.inventory === false
      ? null
      : new InventoryService({
          dataDir: options.dataDir,
          db,
          writer,
          remoteProxies: () => remoteProxies?.states() ?? [],
          refreshRemoteProxies: async () => remoteProxies?.refresh(),
          ...options.inventory,
        });
  await inventory?.start();
  const stopSettingsWatch = watchSettings(options.dataDir, writer);
  const tracker = new EventTracker(writer);
  if (storageStart.recovery) {
    tracker.track(recoveryEvent(storageStart.recovery));
    logging.logger.error({ ...storageStart.recovery }, "damaged database moved aside");
    writer.flush();
  }
  // Retention of every other table, the size cap, space returned (store/storage-service.ts).
  const storage = new StorageService(options.dataDir, db, {
    track: (event) => tracker.track(event),
    warn: (problem) => logging.warn("storage", problem),
  });
  storage.start();
  if (storageStart.vacuum === "converted")
    logging.logger.info("database switched to incremental auto-vacuum");
  else if (storageStart.vacuum) logging.warn("storage", storageStart.vacuum);
  if (storageStart.tightened > 0)
    logging.logger.info({ entries: storageStart.tightened }, "data dir permissions tightened to owner-only");
  // Alert rules, states, silences and the notification outbox (alerts/alert-manager.ts).
  const alerts =
    options.alerts === false
      ? null
      : new AlertManager({
          ...options.alerts,
          dataDir: options.dataDir,
          db,
          emit: (event: EventName, payload: unknown) => emit(event, payload),
          hasDesktop: () => (listeners.get("alerts.notify")?.size ?? 0) > 0,
          event: (e) => tracker.track(e),
          audit: (action) => recordAdminAction(writer, action),
          warn: (problem) => logging.warn("alerts", problem),
        });
  const unmarkRunning = markEngineRunning(options.dataDir, {
    startedAt: new Date().toISOString(),
    alerts: alerts !== null,
  });
  const needAlerts = (): AlertManager => {
    if (!alerts) throw new MonitoringError("collection", "alerting is off in this engine");
    return alerts;
  };
  const needInventory = (): InventoryService => {
    if (!inventory) throw new MonitoringError("collection", "the server inventory is off in this engine");
    return inventory;
  };

  const handlers: Handlers = {
    "servers.inventory": () => needInventory().inventory(),
    "servers.detail": (input) => needInventory().detail(input.id),
    "servers.start": (input) => needInventory().startServer(input.id),
    "servers.stop": (input) => needInventory().stop(input.id),
    "servers.restart": (input) => needInventory().restart(input.id),
    "servers.probe": (input) => needInventory().probe(input.id),
    "servers.instrument": (input) => needInventory().instrument(input.id),
    "servers.uninstrument": (input) => needInventory().uninstrument(input.id),
    "servers.add": (input) => needInventory().add(input),
    "servers.remove": (input) => needInventory().remove(input.id),
    "system.info": () => ({
      version: VERSION,
      dataDir: options.dataDir,
      databaseBytes: fileSize(dbPath) + fileSize(`${dbPath}-wal`),
      dropped: Number(db.prepare("SELECT coalesce(sum(dropped), 0) AS n FROM sessions").get()?.n ?? 0),
      writeFailures: 0,
    }),
    "servers.list": () => listServers(db),
    "stats.get": (input) => statsDocument(db, resolveRange(input.since, input.until, "1h"), input.server),
    "calls.list": (input) => listCalls(db, input),
    "calls.get": (input) => getCall(db, input.id),
    "logs.search": (input) => logging.search(input),
    "logs.patterns": (input) => logging.patterns(input),
    "metrics.series": (input) => metricsSeries(db, input),
    "events.list": (input) => listEvents(db, input),
    "events.groups": (input) => errorGroups(db, input),
    "sessions.timeline": (input) => sessionTimeline(db, input.id),
    "tools.pins": (input) => listPins(db, input.server),
    "tools.approve": (input) => approvePins(db, input.server, input.tool, Date.now(), "app"),
    "alerts.list": (input) => needAlerts().list(input),
    "alerts.history": ({ since, ...rest }) => needAlerts().history({ ...rest, sinceText: since }),
    "alerts.silence": (input) => needAlerts().silence(input),
    "alerts.unsilence": (input) => needAlerts().unsilence(input.id),
    "alerts.silences": (input) => needAlerts().silences(input.includeExpired),
    "alerts.acknowledge": (input) => needAlerts().acknowledge(input.id),
    "alerts.rules": () => needAlerts().rules(),
    "alerts.rules.put": (input) => actionOrError(() => needAlerts().putRule(input.yaml, input.replaces)),
    "alerts.rules.remove": (input) => actionOrError(() => needAlerts().removeRule(input.name)),
    "alerts.rules.preview": (input) => needAlerts().preview(input.yaml, input.range),
    "alerts.channels": () => needAlerts().channelsDocument(),
    "alerts.channels.put": (input) =>
      actionOrError(() => needAlerts().putChannel(input.yaml, input.replaces)),
    "alerts.channels.remove": (input) => actionOrError(() => needAlerts().removeChannel(input.name)),
    "alerts.test": (input) => needAlerts().test(input.channel),
    "alerts.deliveries": (input) => needAlerts().deliveries(input),
    "alerts.pause": (input) => needAlerts().pause(input.duration),
    ...reportHandlers(db, {
      clientServers: async (client) =>
        (
          inventory?.inventory().servers ??
          (await discoverServers(await defaultDiscoveryContext(), { dataDir: options.dataDir })).servers.map(
            (s) => s.definition,
          )
        )
          .filter((s) => s.client === client)
          .map((s) => s.name),
    }),
    "storage.info": () => storage.info(),
    "storage.check": (input) => storage.check(input.full),
    "storage.backup": () => storage.backup(),
    "storage.schedule": (input) => storage.schedule(input.every, input.keep),
    "storage.settings.put": (input) => storage.setting(input),
    "storage.backups.list": () => storage.backups(),
    "storage.restore": async (input) => {
      const result = await storage.restore(input.name);
      if (result.ok) {
        // The restored database has other ids: the live feeds go on from its newest rows.
        lastId = safeLastId();
        lastEventSeen = safeLastEventId(0);
        metrics.rewind();
        try {
          lastLogId = logging.lastId();
        } catch {}
        logging.logger.warn({ previous: result.previous }, result.message);
      }
      return result;
    },
  };
  alerts?.start();

  // Wrappers write from other processes; look for new calls while anyone listens.
  const poll = () => {
    if (closed || !listeners.get("calls.new")?.size) return;
    try {
      for (;;) {
        const calls = callsAfter(db, lastId);
        if (calls.length === 0) break;
        lastId = calls[calls.length - 1]?.id ?? lastId;
        emit("calls.new", calls);
        inventory?.noteCalls(calls.map((c) => c.server));
        if (calls.length < 500) break;
      }
    } catch (error) {
      // A locked or busy database: try again on the next tick.
      logging.warn("poll", `cannot read new calls: ${(error as Error).message}; retrying`);
    }
  };
  const timer = setInterval(poll, options.pollIntervalMs ?? 300);
  timer.unref();
  // The same for log records, by id (at most 10,000 a tick, so a flood cannot hold the engine).
  const pollLogs = () => {
    if (closed || !listeners.get("logs.new")?.size) return;
    try {
      for (let i = 0; i < 20; i++) {
        const logs = logging.after(lastLogId);
        if (logs.length === 0) break;
        lastLogId = logs[logs.length - 1]?.id ?? lastLogId;
        emit("logs.new", logs);
        if (logs.length < 500) break;
      }
    } catch (error) {
      logging.warn("poll", `cannot read new log records: ${(error as Error).message}; retrying`);
    }
  };
  const logTimer = setInterval(pollLogs, options.pollIntervalMs ?? 300);
  logTimer.unref();
  // The same for events; and, every 10 minutes, retention per category in small batches.
  let lastEventSeen = safeLastEventId(0);
  const pollEvents = () => {
    if (closed || !listeners.get("events.new")?.size) return;
    try {
      for (let i = 0; i < 20; i++) {
        const events = eventsAfter(db, lastEventSeen);
        if (events.length === 0) break;
        lastEventSeen = events[events.length - 1]?.id ?? lastEventSeen;
        emit("events.new", events);
        if (events.length < 500) break;
      }
    } catch (error) {
      logging.warn("poll", `cannot read new events: ${(error as Error).message}; retrying`);
    }
  };
  const eventTimer = setInterval(pollEvents, options.pollIntervalMs ?? 300);
  eventTimer.unref();
  const eventRetention = () => {
    if (closed) return;
    try {
      const settings = readEventRetention(options.dataDir);
      if (settings.problem) logging.warn("settings", settings.problem);
      applyEventRetention(db, { days: settings.days });
    } catch (error) {
      logging.warn("retention", `cannot delete old events: ${(error as Error).message}; retrying later`);
    }
  };
  const retentionTimer = setInterval(eventRetention, 10 * 60_000);
  retentionTimer.unref();
  setTimeout(eventRetention, 30_000).unref();

  inventory?.onChange((payload) => emit("servers.changed", payload));

  function emit(event: EventName, payload: unknown) {
    for (const listener of listeners.get(event) ?? []) {
      try {
        listener(payload);
      } catch {
        // One broken subscriber must not stop the others.
      }
    }
  }

  return {
    dataDir: options.dataDir,
    metrics,
    async invoke(method, input) {
      if (closed) throw new MonitoringError("collection", "the engine is closed");
      if (!isMethodName(method))
        throw new ApiInputError(method, `unknown method; known: ${Object.keys(API_METHODS).join(", ")}`);
      const parsed = parseMethodInput(method, input);
      return (handlers[method] as (input: unknown) => unknown)(parsed);
    },
    subscribe(event, listener) {
      if (!isEventName(event)) throw new ApiInputError(event, "unknown event");
      let set = listeners.get(event);
      if (!set) {
        set = new Set();
        listeners.set(event, set);
      }
      if (event === "calls.new" && set.size === 0) lastId = Math.max(lastId, safeLastId());
      if (event === "events.new" && set.size === 0) lastEventSeen = safeLastEventId(lastEventSeen);
      if (event === "logs.new" && set.size === 0) {
        try {
          lastLogId = Math.max(lastLogId, logging.lastId());
        } catch {}
      }
      set.add(listener);
      return () => set.delete(listener);
    },
    async close() {
      if (closed) return;
      closed = true;
      unmarkRunning();
      clearInterval(timer);
      alerts?.close();
      stopSettingsWatch();
      await remoteProxies?.close();
      await inventory?.close();
      writer.close();
      clearInterval(logTimer);
      clearInterval(eventTimer);
      clearInterval(retentionTimer);
      await storage.close();
      listeners.clear();
      await logging.close();
      await metrics.stop();
      db.close();
    },
  };

  function safeLastEventId(fallback: number): number {
    try {
      return Math.max(fallback, lastEventId(db));
    } catch {
      return fallback;
    }
  }

  function safeLastId(): number {
    try {
      return lastCallId(db);
    } catch {
      return lastId;
    }
  }
}

/** A rule or channel edit that does not validate is an answer ({ ok: false, message }), not a failure. */
function actionOrError(fn: () => { ok: boolean; message: string }): { ok: boolean; message: string } {
  try {
    return fn();
  } catch (error) {
    if (error instanceof MonitoringError) return { ok: false, message: error.message };
    throw error;
  }
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
