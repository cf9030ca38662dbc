/**
 * The server inventory: discovered and hand-added servers (watched as client configs change), the ones
 * mcpscope runs itself, their health and resource usage, and the actions on them. Health checks run on
 * an interval for servers mcpscope runs and for remote servers; a discovered stdio server that mcpscope
 * does not run is probed only on request (probing it means spawning a copy, e.g. an `npx` download).
 */

import type { DiscoveryWarning } from "../../../shared/discovery.js";
import {
  ACTIVE_WINDOW_MS,
  type ActionResult,
  type AddServerInput,
  type Inventory,
  type ServerDetail,
} from "../../../shared/servers.js";
import { defaultDiscoveryContext } from "../discovery/context.js";
import { addManualServer, removeManualServer } from "../discovery/manual-servers.js";
import { maskText } from "../discovery/mask-config.js";
import type { DiscoveredServer, DiscoveryContext } from "../discovery/types.js";
import { type DiscoveryWatcher, watchDiscovery } from "../discovery/watcher.js";
import type { EngineCloseOptions } from "../engine-types.js";
import { MonitoringError } from "../errors.js";
import { EventTracker } from "../events/tracker.js";
import { DbHealthStore } from "../health/health-store.js";
import { Prober, supervisorLookup } from "../health/prober.js";
import { lostWrappingWarnings } from "../instrument/instrument-status.js";
import { proxiedUrl, type RemoteProxyState, sameProxyEntry } from "../proxy-http/remote-proxies.js";
import { managedRoots, ownRoot, wrapperRoots } from "../resources/roots.js";
import { DbSampleStore } from "../resources/sample-store.js";
import { ResourceSampler, SAMPLE_INTERVAL_MS, sampleFreshMs } from "../resources/sampler.js";
import type { BatchWriter } from "../store/batch-writer.js";
import type { Db } from "../store/db.js";
import { ownCopyDown } from "../supervisor/managed-status.js";
import { writerSink } from "../supervisor/telemetry.js";
import { discoveryChanges } from "./discovery-changes.js";
import { type EntryEditContext, instrumentEntry, uninstrumentEntry } from "./entry-edits.js";
import { toEntry } from "./entry-status.js";
import { trafficKeysOf, trafficOf } from "./entry-traffic.js";
import {
  DETAIL_HISTORY_MS,
  latestChecks,
  latestSamples,
  serverHistory,
  serverTraffic,
} from "./inventory-queries.js";
import { LaunchedServers, elsewhere as supervisedBy } from "./launched-servers.js";
import { LauncherWatch } from "./launcher-watch.js";
import { probeOnRequest } from "./probe-on-request.js";

export interface InventoryOptions {
  dataDir: string;
  db: Db;
  writer: BatchWriter;
  /** Read configs under this folder instead of the home folder (tests, `--home`). */
  home?: string;
  probeIntervalMs?: number;
  sampleIntervalMs?: number;
  onProblem?: (message: string) => void;
  /** The proxies the engine runs for instrumented remote entries, and a way to follow changes now. */
  remoteProxies?: () => RemoteProxyState[];
  refreshRemoteProxies?: () => Promise<void>;
  /** How long a server has to stop before SIGKILL (LaunchedServers). */
  stopGraceMs?: number;
  /** How often an engine that does not run the servers checks whether it should (default 5 s). */
  supervisionCheckMs?: number;
  /** How long the supervision lease lasts unrenewed (default 30 s, at least 3 checks). */
  supervisionLeaseMs?: number;
  /** How often wrapped entries' launchers are looked for between scans (default LAUNCHER_CHECK_MS). */
  launcherCheckMs?: number;
}

export class InventoryService {
  private servers: DiscoveredServer[] = [];
  private warnings: DiscoveryWarning[] = [];
  private watcher: DiscoveryWatcher | null = null;
  /** What mcpscope runs for the user, and what a crashed engine left running. */
  private readonly launched: LaunchedServers;
  private readonly prober: Prober;
  private readonly sampler: ResourceSampler;
  private readonly listeners = new Set<(inventory: Inventory) => void>();
  private notifyTimer: NodeJS.Timeout | null = null;
  private sampleTimer: NodeJS.Timeout | null = null;
  private closed = false;
  private scanned = false;
  private trafficPushedAt = 0;
  private readonly tracker: EventTracker;
  /** One store for scheduled and on-request probes (it remembers each server's last tool snapshot). */
  private readonly healthStore: DbHealthStore;
  private readonly launchers: LauncherWatch;

  constructor(private readonly options: InventoryOptions) {
    const sink = writerSink(options.writer);
    this.healthStore = new DbHealthStore(options.db, options.onProblem);
    this.tracker = new EventTracker(options.writer);
    this.launchers = new LauncherWatch({
      db: options.db,
      tracker: this.tracker,
      dataDir: options.dataDir,
      servers: () => this.servers,
      // A launcher gone or back between scans: shown as a scan would show it.
      update: (servers) =>
        this.discovered(
          servers,
          this.warnings.filter((w) => !w.kind),
        ),
      intervalMs: options.launcherCheckMs,
    });
    this.launched = new LaunchedServers({
      dataDir: options.dataDir,
      db: options.db,
      sink,
      tracker: this.tracker,
      healthStore: this.healthStore,
      checks: { watch: (server) => this.prober.watch(server), unwatch: (id) => this.prober.unwatch(id) },
      configured: () => this.servers,
      find: (id) => this.find(id),
      closed: () => this.closed,
      changed: () => this.changed(),
      stopGraceMs: options.stopGraceMs,
      supervisionCheckMs: options.supervisionCheckMs,
      supervisionLeaseMs: options.supervisionLeaseMs,
      onProblem: options.onProblem,
    });
    this.prober = new Prober({
      sink,
      store: this.healthStore,
      managed: supervisorLookup(this.launched.supervisor),
      intervalMs: options.probeIntervalMs ?? 30_000,
      maxConcurrent: 2,
    });
    this.sampler = new ResourceSampler({
      store: new DbSampleStore(options.db, options.onProblem),
      // The engine first: a pid listed twice is sampled once, under its first root.
      roots: () => [ownRoot(), ...managedRoots(this.launched.supervisor), ...wrapperRoots(options.db)],
      intervalMs: options.sampleIntervalMs ?? SAMPLE_INTERVAL_MS,
      onProblem: options.onProblem,
    });
    this.prober.onTransition(() => this.changed());
    // A crash, a failed start and a process running again are checked at once: health never says `up`
    // for a process that is gone, nor `down` for long once it runs again.
    this.launched.supervisor.onChange((status) => {
      if (ownCopyDown(status) || status.state === "running") void this.prober.probeNow(status.id);
    });
  }

  async start(): Promise<void> {
    const context = (): Promise<DiscoveryContext> => defaultDiscoveryContext({ home: this.options.home });
    this.watcher = watchDiscovery(context, (outcome) => this.discovered(outcome.servers, outcome.warnings), {
      dataDir: this.options.dataDir,
    });
    const first = await this.watcher.ready;
    this.discovered(first.servers, first.warnings);
    this.launched.begin();
    this.sampler.start();
    this.launchers.start();
    // Samples land every interval: push the new figures to listeners.
    this.sampleTimer = setInterval(() => this.changed(), this.options.sampleIntervalMs ?? SAMPLE_INTERVAL_MS);
    this.sampleTimer.unref();
  }

  inventory(): Inventory {
    const freshMs = sampleFreshMs(this.options.sampleIntervalMs);
    const samples = safe(() => latestSamples(this.options.db, Date.now() - freshMs), new Map());
    const checks = safe(() => latestChecks(this.options.db), new Map());
    const keys = trafficKeysOf(this.servers);
    const traffic = safe(
      () =>
        serverTraffic(
          this.options.db,
          [...keys.values()].filter((k) => k !== null),
          Date.now() - ACTIVE_WINDOW_MS,
        ),
      new Map(),
    );
    const proxies = this.options.remoteProxies?.() ?? [];
    const elsewhere = this.launched.runElsewhereNow();
    // While another engine supervises, every stdio server is its to start, not only those it runs now.
    const supervisor = this.launched.supervisedBy();
    const servers = this.servers.map((server) => {
      const id = server.definition.id;
      const location = server.location;
      const proxy = location ? proxies.find((p) => sameProxyEntry(p.entry, location)) : undefined;
      const entry = toEntry({
        proxy: proxy
          ? {
              state: proxy.state,
              url: maskText(proxiedUrl(proxy.entry.upstream, proxy.entry.port)),
              error: proxy.state === "failed" ? maskText(proxy.error) : null,
            }
          : null,
        server,
        managed: this.launched.status(id),
        health: this.prober.health(id),
        lastCheck: checks.get(id) ?? null,
        sample: samples.get(`id:${id}`) ?? samples.get(`name:${server.definition.name}`) ?? null,
        traffic: trafficOf(traffic, keys.get(server)),
        sampleFreshMs: freshMs,
      });
      const other =
        elsewhere.get(id) ??
        (supervisor && server.definition.transport === "stdio" ? supervisedBy(supervisor, null) : null);
      return other ? { ...entry, supervisedElsewhere: other } : entry;
    });
    return { servers, warnings: this.warnings };
  }

  detail(id: string): ServerDetail | null {
    const entry = this.inventory().servers.find((s) => s.id === id);
    if (!entry) return null;
    return {
      server: entry,
      ...serverHistory(
        this.options.db,
        id,
        entry.name,
        Date.now() - DETAIL_HISTORY_MS,
        trafficKeysOf(this.servers).get(this.find(id)) ?? null,
      ),
    };
  }

  startServer(id: string): Promise<ActionResult> {
    return this.launched.start(id);
  }

  stop(id: string): Promise<ActionResult> {
    return this.launched.stop(id);
  }

  restart(id: string): Promise<ActionResult> {
    return this.launched.restart(id);
  }

  async probe(id: string): Promise<ActionResult> {
    const result = await probeOnRequest(this.find(id), this.prober, this.healthStore);
    this.changed();
    return result;
  }

  async instrument(id: string): Promise<ActionResult> {
    return instrumentEntry(this.find(id), this.edits());
  }

  /** `force` restores over a changed entry, or forgets one gone from its file (as `--force` does). */
  async uninstrument(id: string, force = false): Promise<ActionResult> {
    return uninstrumentEntry(this.find(id), this.edits(), force);
  }

  private edits(): EntryEditContext {
    const { dataDir, refreshRemoteProxies } = this.options;
    return { dataDir, refreshRemoteProxies, rescan: () => this.rescan() };
  }

  async add(input: AddServerInput): Promise<ActionResult> {
    const server = await addManualServer(this.options.dataDir, input);
    await this.rescan();
    return { ok: true, message: `${server.definition.name} added` };
  }

  async remove(id: string): Promise<ActionResult> {
    const server = this.find(id);
    if (server.definition.client !== "manual") {
      throw MonitoringError.input(
        `${server.definition.name} comes from ${server.definition.file}; remove it there`,
      );
    }
    const refused = this.launched.removeRefused(id);
    if (refused) return refused;
    // Unwatched first, as by Stop: no probe of it going away counts against a server being deleted.
    this.prober.unwatch(id);
    await this.launched.remove(id);
    await removeManualServer(this.options.dataDir, id);
    await this.rescan();
    return { ok: true, message: `${server.definition.name} removed` };
  }

  /**
   * New calls were stored for these server names: a configured one may have just become active, or its
   * last call moved. Pushed at most once a second, however busy the traffic.
   */
  noteCalls(servers: Iterable<string>): void {
    if (Date.now() - this.trafficPushedAt < 1000) return;
    const names = new Set(servers);
    if (!this.servers.some((s) => names.has(s.definition.name))) return;
    this.trafficPushedAt = Date.now();
    this.changed();
  }

  onChange(listener: (inventory: Inventory) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(options: EngineCloseOptions = {}): Promise<void> {
    this.closed = true;
    await this.launched.reclaimed();
    if (this.notifyTimer) clearTimeout(this.notifyTimer);
    if (this.sampleTimer) clearInterval(this.sampleTimer);
    this.launchers.stop();
    this.watcher?.close();
    const sampled = this.sampler.stop();
    this.prober.close();
    await this.launched.stopAll(options);
    await sampled;
  }

  /**
   * The names whose health counts for alerts: every configured server but those only entries their
   * clients switched off name (such an entry is not checked; its last check must not keep an alert firing).
   */
  checkedNames(): ReadonlySet<string> {
    return new Set(this.servers.filter((s) => !s.definition.disabled).map((s) => s.definition.name));
  }

  /** The servers the configs name (and those added by hand), with what launching them needs. */
  configured(): readonly DiscoveredServer[] {
    return this.servers;
  }

  private find(id: string): DiscoveredServer {
    const server = this.servers.find((s) => s.definition.id === id);
    if (!server)
      throw MonitoringError.input(`no server with id "${id}"; it may have been removed from its config`);
    return server;
  }

  /**
   * After this engine changed a config: scanned through the watcher, so that its lists and the watcher's
   * idea of what was last reported stay the same one (a change undone before the watcher's own scan
   * would otherwise look like no change, and the undo would never show).
   */
  private async rescan(): Promise<void> {
    await this.watcher?.rescan();
  }

  private discovered(servers: DiscoveredServer[], warnings: DiscoveryWarning[]): void {
    // The first scan is the baseline; later scans report what a client's config changed.
    if (this.scanned) {
      for (const change of discoveryChanges(this.servers, servers)) {
        const where = change.server.file ? ` in ${change.server.file}` : "";
        this.tracker.track({
          category: "system",
          type: `discovery.server_${change.kind}`,
          severity: "info",
          server: change.server.name,
          message: `${change.server.name} (${change.server.client}) ${change.kind}${where}`,
          details: { client: change.server.client, scope: change.server.scope, file: change.server.file },
        });
      }
    }
    this.scanned = true;
    this.launchers.note(servers);
    this.servers = servers;
    this.warnings = [...warnings];
    // Remote servers are cheap to check: keep them under watch. Running ones are watched when started.
    // One its client switched off is not: the client does not use it, and the user is not to be paged.
    for (const server of servers) {
      if (server.definition.transport === "stdio") continue;
      if (server.definition.disabled) this.prober.unwatch(server.definition.id);
      else this.prober.watch(server);
    }
    void this.reportLostWrappings();
    this.changed();
  }

  /**
   * A client that rewrote its config (Claude Desktop does) may have dropped our wrapping, and the mcpscope
   * a wrapped entry runs may be gone: say so.
   */
  private async reportLostWrappings(): Promise<void> {
    const lost = await lostWrappingWarnings(this.options.dataDir, this.servers, this.warnings);
    if (lost.length === 0) return;
    this.warnings = [...this.warnings.filter((w) => !w.kind), ...lost];
    this.changed();
  }

  private changed(): void {
    if (this.closed || this.notifyTimer) return;
    this.notifyTimer = setTimeout(() => {
      this.notifyTimer = null;
      if (this.closed || this.listeners.size === 0) return;
      const inventory = this.inventory();
      for (const listener of this.listeners) listener(inventory);
    }, 200);
    this.notifyTimer.unref();
  }
}

function safe<T>(fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch {
    return fallback;
  }
}
