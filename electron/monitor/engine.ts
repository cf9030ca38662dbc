/**
 * The monitor engine: implements the shared API over the data dir's database and pushes live events.
 * Hosted by the Electron utilityProcess, by `mcpscope serve`, and by tests, in process.
 */
import { statSync } from "node:fs";
import { homedir } from "node:os";
import {
  API_METHODS,
  ApiInputError,
  type EventName,
  isEventName,
  isMethodName,
  parseMethodInput,
} from "../../shared/api.js";
import { alertHandlers } from "./alerts/alert-handlers.js";
import { AlertManager } from "./alerts/alert-manager.js";
import { loadAlertConfig } from "./alerts/loaded-config.js";
import { configHandlers } from "./api/config-handlers.js";
import type { ApiHandlers } from "./api/in-process.js";
import { isReadMethod, READ_TIMEOUTS } from "./api/read-handlers.js";
import { ReadPool } from "./api/read-pool.js";
import { reviewRequest } from "./api/request-policy.js";
import { storeHandlers } from "./api/store-handlers.js";
import { recordAdminAction } from "./audit/audit-log.js";
import { defaultDiscoveryContext } from "./discovery/context.js";
import { discoverServers } from "./discovery/discover.js";
import { ENGINE_CRASHED_EVENT, markEngineRunning } from "./engine-presence.js";
import type { Engine, EngineCloseOptions, EngineOptions } from "./engine-types.js";
import { MonitoringError } from "./errors.js";
import { readEventRetention } from "./events/event-settings.js";
import { applyEventRetention } from "./events/queries.js";
import { EventTracker, type TrackedEvent } from "./events/tracker.js";
import { checkHandlers } from "./health/check-handlers.js";
import { pruneRuntimeCopies } from "./instrument/runtime-prune.js";
import { InventoryService } from "./inventory/inventory-service.js";
import { LiveFeeds } from "./live-feeds.js";
import { LoggingSystem } from "./logs/logging-system.js";
import { forgetBuckets } from "./metrics/bucket-cache.js";
import {
  type EngineMetrics,
  type EngineMetricsOptions,
  startEngineMetrics,
} from "./metrics/engine-metrics.js";
import { readMetricsRetention, readMetricsSettings } from "./metrics/metrics-settings.js";
import { databasePath } from "./paths.js";
import { RemoteProxyRunner } from "./proxy-http/remote-proxies.js";
import { scheduleHandlers } from "./reports/schedule-handlers.js";
import { ReportScheduler } from "./reports/scheduler.js";
import { watchSettings } from "./settings-watch.js";
import { loginShellEnv } from "./shell-env.js";
import { BatchWriter } from "./store/batch-writer.js";
import { leaveCleanClose } from "./store/clean-close.js";
import { openDb } from "./store/db.js";
import { IntegrityScheduler } from "./store/integrity.js";
import type { CheckResult } from "./store/recovery.js";
import { damageEvent, recoveryEvent } from "./store/storage-events.js";
import { StorageService, startStorage } from "./store/storage-service.js";
import { VERSION } from "./version.js";

/** An engine with its metrics: the rollup collector, `/metrics` text, the optional OTLP exporter. */
export interface MetricsEngine extends Engine {
  readonly metrics: EngineMetrics;
  /** Emits an event through the engine's tracker (the HTTP front's refused tokens). */
  track(event: TrackedEvent): void;
}

export async function createEngine(
  options: EngineOptions & { metrics?: EngineMetricsOptions },
): Promise<MetricsEngine> {
  const dbPath = databasePath(options.dataDir);
  const now = options.now ?? Date.now;
  // Said from before the clean-close marker is taken until the database is closed: `restore` refuses to
  // swap the file meanwhile, and an engine closing meanwhile does not leave the marker.
  const unmarkRunning = markEngineRunning(options.dataDir, {
    startedAt: new Date().toISOString(),
    alerts: options.alerts !== false,
  });
  // Owner-only files, the database check, a damaged database moved aside (store/storage-service.ts).
  let storageStart: ReturnType<typeof startStorage>;
  // Logged once the log is open.
  let noUpgradeCopy: string | null = null;
  try {
    storageStart = startStorage(options.dataDir, now(), {
      upgrading: options.upgrading,
      noUpgradeCopy: (line) => {
        options.noUpgradeCopy?.(line);
        noUpgradeCopy = line;
      },
    });
  } catch (error) {
    unmarkRunning();
    throw error;
  }
  const db = storageStart.db;

  // Collection interval and retention: engine options win, else the `metrics` key of settings.json.
  const metricsSettings = readMetricsSettings(options.dataDir);
  // Settings problems found at each pass go to mcpscope's own log once it is open.
  let settingsProblem = (_problem: string) => {};
  let otlpProblem = (_line: string) => {};
  const otlp = options.metrics?.otlp;
  const metrics = startEngineMetrics(db, {
    now,
    ...options.metrics,
    ...(otlp ? { otlp: { report: (line: string) => otlpProblem(line), ...otlp } } : {}),
    collector: options.metrics?.collector ?? metricsSettings.settings,
    ...(options.metrics?.collector === undefined
      ? { retention: () => readMetricsRetention(options.dataDir, (p) => settingsProblem(p)) }
      : {}),
  });
  let closed = false;
  // Log search, patterns, retention, files and mcpscope's own pino log (logs/logging-system.ts).
  const logging = new LoggingSystem({ dataDir: options.dataDir, db, now });
  logging.start();
  logging.logger.info({ version: VERSION, dataDir: options.dataDir }, "engine started");
  settingsProblem = (problem) => logging.settingsProblem(problem);
  // Once per ten minutes: a collector that stays down would otherwise fill the log.
  otlpProblem = (line) => logging.warn("otlp", line);
  if (metricsSettings.problem) logging.settingsProblem(metricsSettings.problem);
  // The live events; their pollers start once everything they report on is up.
  const feeds = new LiveFeeds({
    db,
    logging,
    pollIntervalMs: options.pollIntervalMs,
    callsSeen: (calls) => inventory?.noteCalls(calls.map((c) => c.server)),
  });
  const emit = (event: EventName, payload: unknown) => feeds.emit(event, payload);

  // The engine's own telemetry (process events, supervised servers' stderr) goes through a batch writer.
  const writer = new BatchWriter({ open: () => openDb(dbPath) });
  // A settings.json edited while no engine ran is recorded now, before any retention pass uses it.
  const stopSettingsWatch = watchSettings(options.dataDir, writer, db);
  writer.flush();
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
          onProblem: (line) => logging.warn("servers", line),
          ...options.inventory,
        });
  await inventory?.start();
  // Alert rules, states, silences and the notification outbox (alerts/alert-manager.ts names the units).
  const tracker = new EventTracker(writer);
  if (storageStart.recovery) {
    tracker.track(recoveryEvent(storageStart.recovery));
    logging.logger.error({ ...storageStart.recovery }, "damaged database moved aside");
    options.recovered?.(storageStart.recovery);
    writer.flush();
  }
  // Retention of every other table, the size cap, space returned (store/storage-service.ts).
  const storage = new StorageService(options.dataDir, db, {
    track: (event) => tracker.track(event),
    warn: (problem) => logging.warn("storage", problem),
    info: (message, details) => logging.logger.info(details, message),
    pruneRuntime: (at) => pruneRuntimeCopies({ dataDir: options.dataDir, db, now: at }),
    now,
  });
  storage.start();
  if (storageStart.vacuum === "converted")
    logging.logger.info("database switched to incremental auto-vacuum");
  else if (storageStart.vacuum) logging.warn("storage", storageStart.vacuum);
  for (const pid of storageStart.deadEngines) {
    tracker.track({
      category: "system",
      type: ENGINE_CRASHED_EVENT,
      severity: "medium",
      message: `the mcpscope engine before this one${pid ? ` (pid ${pid})` : ""} ended without closing: it crashed or was killed`,
      details: { pid: pid || null },
    });
  }
  // Its storage.upgraded event was written with the upgrade (store/before-upgrade.ts).
  if (storageStart.upgrade) logging.logger.info({ ...storageStart.upgrade }, "database upgraded");
  if (noUpgradeCopy) logging.warn("upgrade", noUpgradeCopy);
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
          emit,
          hasDesktop: () => feeds.listening("alerts.notify"),
          servers: inventory ? () => inventory.checkedNames() : undefined,
          event: (e) => tracker.track(e),
          audit: (action) => recordAdminAction(writer, action),
          warn: (problem) => logging.warn("alerts", problem),
        });
  const needAlerts = (): AlertManager => {
    if (!alerts) throw new MonitoringError("collection", "alerting is off in this engine");
    return alerts;
  };
  const needInventory = (): InventoryService => {
    if (!inventory) throw new MonitoringError("collection", "the server inventory is off in this engine");
    return inventory;
  };

  const configured = async () =>
    inventory?.inventory().servers ??
    (await discoverServers(await defaultDiscoveryContext(), { dataDir: options.dataDir })).servers.map(
      (s) => s.definition,
    );
  const clientServers = async (client: string) =>
    (await configured()).filter((s) => s.client === client).map((s) => s.name);
  // Scheduled reports (reports/scheduler.ts): channel copies go through the alert outbox.
  const reportScheduler = new ReportScheduler({
    dataDir: options.dataDir,
    db,
    build: { clientServers },
    configuredServers: async () => (await configured()).map((s) => s.name),
    channelType: (name) =>
      loadAlertConfig(options.dataDir).config.channels.find((c) => c.name === name)?.type,
    warn: (problem) => logging.warn("reports", problem),
    enqueued: () => void alerts?.deliver(),
  });
  const handlers: ApiHandlers = {
    "servers.inventory": () => needInventory().inventory(),
    "servers.detail": (input) => needInventory().detail(input.id),
    "servers.start": (input) => needInventory().startServer(input.id),
    "servers.stop": (input) => needInventory().stop(input.id),
    "servers.restart": (input) => needInventory().restart(input.id),
    "servers.probe": (input) => needInventory().probe(input.id),
    "servers.instrument": (input) => needInventory().instrument(input.id),
    "servers.uninstrument": (input) => needInventory().uninstrument(input.id, input.force === true),
    "servers.add": (input) => needInventory().add(input),
    "servers.remove": (input) => needInventory().remove(input.id),
    // Answering is being up; the app's main process answers this itself, from what it sees of the host.
    "engine.state": () => ({ state: "up", reason: null }),
    "system.info": () => ({
      version: VERSION,
      dataDir: options.dataDir,
      databaseBytes: fileSize(dbPath) + fileSize(`${dbPath}-wal`),
      dropped: Number(db.prepare("SELECT coalesce(sum(dropped), 0) AS n FROM sessions").get()?.n ?? 0),
      writeFailures: writer.writeFailures,
    }),
    ...alertHandlers(needAlerts),
    ...storeHandlers(db, { dataDir: options.dataDir, actor: "app", logs: logging, clientServers }),
    ...configHandlers({ dataDir: options.dataDir, changed: async () => remoteProxies?.refresh() }),
    ...scheduleHandlers(reportScheduler),
    // Never a command or URL from the request: this engine answers the app's window and the browser.
    ...checkHandlers({
      adHoc: false,
      servers: async () =>
        inventory?.configured() ??
        (await discoverServers(await defaultDiscoveryContext(), { dataDir: options.dataDir })).servers,
      env: () => loginShellEnv().get(),
      stopGraceMs: options.inventory === false ? undefined : options.inventory?.stopGraceMs,
    }),
    "requests.review": (input) =>
      reviewRequest(input.method, input.input, {
        dataDir: options.dataDir,
        home: homedir(),
        schedules: () => reportScheduler.list().schedules.map((s) => s.schedule),
      }),
    "storage.backup": () => storage.backup(),
    "storage.schedule": (input) => storage.schedule(input.every, input.keep),
    "storage.settings.put": (input) => storage.setting(input),
    "storage.backups.list": () => storage.backups(),
    "storage.restore": async (input) => {
      // Checks under way read the file being replaced: their findings are dropped, before and after.
      integrity.replaced();
      const result = await storage.restore(input.name);
      if (result.ok) {
        // The restored database has other ids: the live feeds go on from its newest rows.
        feeds.rewind();
        await reads?.reset();
        integrity.replaced();
        forgetBuckets(db);
        metrics.rewind();
        logging.logger.warn({ previous: result.previous }, result.message);
      }
      return result;
    },
  };
  // Read-only methods on worker threads with their own connections: a slow read holds one worker, not
  // the engine (its feeds, alerts and folding) nor the requests behind it.
  const reads =
    options.readPool === false
      ? null
      : new ReadPool({
          dbPath,
          workerUrl: options.readPool?.workerUrl ?? new URL("./read-worker.mjs", import.meta.url),
          size: options.readPool?.size,
          timeoutMs: options.readPool?.timeoutMs,
          timeouts: READ_TIMEOUTS,
          fallback: (method, input) =>
            (handlers[method as keyof ApiHandlers] as (i: unknown) => unknown)(input),
          warn: (problem) => logging.warn("reads", problem),
        });
  alerts?.start();
  if (alerts) reportScheduler.start();
  // quick_check off the engine's thread, soon after start and daily; damage found makes the next start
  // check at open and move the file aside.
  const integrity = new IntegrityScheduler({
    dataDir: options.dataDir,
    check: async () => (await reads?.invoke("storage.check", { full: false })) as CheckResult,
    offThread: () => reads?.threaded === true,
    damaged: (check) => {
      tracker.track(damageEvent(check, dbPath));
      writer.flush();
      logging.logger.error({ problems: check.problems }, "the database check found damage");
    },
    warn: (problem) => logging.warn("storage", problem),
    ...options.integrityCheck,
  });
  integrity.start();

  feeds.start();
  // Every 10 minutes, event retention per category in small batches.
  const eventRetention = () => {
    if (closed) return;
    try {
      const settings = readEventRetention(options.dataDir);
      if (settings.problem) logging.settingsProblem(settings.problem);
      if (settings.chosen) applyEventRetention(db, { days: settings.days, now: now() });
    } catch (error) {
      logging.warn("retention", `cannot delete old events: ${(error as Error).message}; retrying later`);
    }
  };
  const retentionTimer = setInterval(eventRetention, 10 * 60_000);
  retentionTimer.unref();
  setTimeout(eventRetention, 30_000).unref();

  inventory?.onChange((payload) => emit("servers.changed", payload));

  return {
    dataDir: options.dataDir,
    metrics,
    track: (event) => tracker.track(event),
    async invoke(method, input) {
      if (closed) throw new MonitoringError("collection", "the engine is closed");
      if (!isMethodName(method))
        throw new ApiInputError(method, `unknown method; known: ${Object.keys(API_METHODS).join(", ")}`);
      const parsed = parseMethodInput(method, input);
      if (reads && isReadMethod(method)) return reads.invoke(method, parsed);
      return (handlers[method] as (input: unknown) => unknown)(parsed);
    },
    subscribe(event, listener) {
      if (!isEventName(event)) throw new ApiInputError(event, "unknown event");
      return feeds.subscribe(event, listener);
    },
    async close(closeOptions?: EngineCloseOptions) {
      if (closed) return;
      closed = true;
      feeds.stop();
      integrity.close();
      await reads?.close();
      alerts?.close();
      await reportScheduler.close();
      stopSettingsWatch();
      await remoteProxies?.close();
      await inventory?.close(closeOptions);
      clearInterval(retentionTimer);
      // Storage's last pass tracks its events through the writer: closed after it, so they are stored.
      await storage.close();
      writer.close();
      feeds.unsubscribeAll();
      await logging.close();
      await metrics.stop();
      db.close();
      unmarkRunning();
      leaveCleanClose(options.dataDir);
    },
  };
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
