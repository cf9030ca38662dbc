/**
 * The servers mcpscope runs for the user: started, stopped and restarted by hand, and recorded under
 * `<dataDir>/launched/` so that the next engine reclaims what a crashed one left running (known by its
 * start ticks) and starts again what the user had started there. A quit the user asked for marks them
 * stopped; a close with `keepLaunched` leaves them recorded for the next engine. Of several engines on a
 * data dir only the one holding the supervision lease runs them (supervision-lease.ts): the others refuse
 * to start one, and take over (reclaiming what the holder left) once it ends.
 */

import {
  type ActionResult,
  otherEngineName as engineName,
  removeRefusal,
  type SupervisedElsewhere,
} from "../../../shared/servers.js";
import type { DiscoveredServer } from "../discovery/types.js";
import type { EngineCloseOptions } from "../engine-types.js";
import type { EventTracker } from "../events/tracker.js";
import type { DbHealthStore } from "../health/health-store.js";
import type { Prober } from "../health/prober.js";
import type { Db } from "../store/db.js";
import { LaunchRecords, launchedBy, stillRunElsewhere } from "../supervisor/launch-records.js";
import type { ManagedStatus } from "../supervisor/managed-status.js";
import { reclaimAndRestart } from "../supervisor/orphans.js";
import { DbRunStore } from "../supervisor/run-store.js";
import { SUPERVISION_LOST_EVENT, SupervisionLease } from "../supervisor/supervision-lease.js";
import { Supervisor } from "../supervisor/supervisor.js";
import type { TelemetrySink } from "../supervisor/telemetry.js";

export interface LaunchedServersOptions {
  dataDir: string;
  db: Db;
  sink: TelemetrySink;
  tracker: EventTracker;
  healthStore: Pick<DbHealthStore, "stopped">;
  /** The health checks of what runs. Late-bound: the prober is built on this supervisor. */
  checks: Pick<Prober, "watch" | "unwatch">;
  /** The configured servers, and one of them by id (throwing a user's error when it is gone). */
  configured: () => readonly DiscoveredServer[];
  find: (id: string) => DiscoveredServer;
  /** The inventory is closing: start nothing more. */
  closed: () => boolean;
  changed: () => void;
  /**
   * How long a server has to stop, after stdin closes and again after SIGTERM (an orphaned server's group:
   * after SIGTERM) before SIGKILL; default DEFAULT_STOP_GRACE_MS.
   */
  stopGraceMs?: number;
  /** How often the supervision lease is renewed or tried (supervision-lease.ts; default 5 s). */
  supervisionCheckMs?: number;
  /** How long the lease lasts unrenewed (supervision-lease.ts; default 30 s). */
  supervisionLeaseMs?: number;
  onProblem?: (message: string) => void;
}

export class LaunchedServers {
  /** Read by the prober and the sampler, which check and measure what it runs. */
  readonly supervisor: Supervisor;
  /** What this engine runs for the user, on disk for the engine after a crash. */
  private readonly records: LaunchRecords;
  /** Stopping what a crashed engine left running, then starting again what the user had started. */
  private reclaiming: Promise<void> = Promise.resolve();
  private reclaimBusy = false;
  /** Whether this engine, of those on the data dir, runs the servers. */
  private readonly lease: SupervisionLease;
  /** Stopping the servers handed over to the lease's holder, and writing their record for it. */
  private handingOver: Promise<void> = Promise.resolve();

  constructor(private readonly options: LaunchedServersOptions) {
    this.records = new LaunchRecords(options.dataDir, options.onProblem);
    this.supervisor = new Supervisor({
      sink: options.sink,
      runs: new DbRunStore(options.db, options.onProblem),
      records: this.records,
      graceMs: options.stopGraceMs,
    });
    this.supervisor.onChange(() => options.changed());
    this.lease = new SupervisionLease({
      db: options.db,
      dataDir: options.dataDir,
      intervalMs: options.supervisionCheckMs,
      leaseMs: options.supervisionLeaseMs,
      // What an engine that ended left is the holder's to clean up and run: looked for on every check,
      // since an engine that gave the lease up may still be ending when this one takes it.
      holding: (gained) => {
        // A closing engine takes on nothing more: what it adopted now would be dropped with its record.
        if (options.closed()) return;
        this.reclaim();
        if (gained) options.changed();
      },
      // A closing engine stops its servers anyway, as its close says: a Quit's are not started elsewhere.
      lost: (holder, older) => {
        if (!options.closed()) this.handOver(holder.pid, older);
      },
      onProblem: options.onProblem,
    });
  }

  /**
   * This engine lost the lease while it still ran (its event loop held up past the lease: suspended,
   * swapped out), or an engine from an older mcpscope started, which runs servers whatever the lease says:
   * the copies here stop, and their record is handed to the engine that holds the lease next, which
   * starts them again (once the older engine has ended, in its case).
   */
  private handOver(holderPid: number, older: boolean): void {
    const running = this.supervisor.list().filter((s) => s.state !== "stopped");
    const names = running.map((s) => s.name);
    const said =
      names.length === 0
        ? ""
        : older
          ? `; stopping ${names.join(", ")} here, so that no server runs twice: they start here again once it ends`
          : `; stopping ${names.join(", ")} here, which it runs now`;
    const olderEngine = `an mcpscope engine from an older version (pid ${holderPid}), which runs servers without sharing them, started on this data dir`;
    this.options.onProblem?.(
      `${older ? olderEngine : `the engine with pid ${holderPid} took over running the servers from this one`}${said}`,
    );
    this.options.tracker.track({
      category: "system",
      type: SUPERVISION_LOST_EVENT,
      severity: "medium",
      message: `${older ? olderEngine : `the mcpscope engine with pid ${holderPid} took over running the servers from this one (pid ${process.pid})`}${said}`,
    });
    for (const status of running) this.options.checks.unwatch(status.id);
    this.handingOver = this.supervisor
      .stopAll({ handOver: true })
      .catch((error: unknown) =>
        this.options.onProblem?.(`cannot stop the servers it no longer runs: ${(error as Error).message}`),
      )
      .finally(() => this.options.changed());
  }

  /**
   * Starts supervising if no other engine on the data dir does; otherwise tries again every interval,
   * and takes over once that engine has ended.
   */
  begin(): void {
    this.lease.start();
  }

  /** The other engine that runs the servers, while this one does not (`older`: from an older mcpscope). */
  supervisedBy(): { pid: number; older: boolean } | null {
    const holder = this.lease.holder;
    return this.lease.held || !holder ? null : { pid: holder.pid, older: this.lease.holderIsOlder };
  }

  /** Each server the other engine runs for the user, by id: that engine's pid and the server's process. */
  runElsewhereNow(): Map<string, SupervisedElsewhere> {
    const other = this.supervisedBy();
    if (!other) return new Map();
    return new Map(
      launchedBy(this.options.dataDir, other.pid).map((s) => [
        s.id,
        { ...elsewhere(other, s.pid), started: true },
      ]),
    );
  }

  /** What a crashed engine left running is stopped; what the user had started runs again here. */
  reclaim(): void {
    const { options } = this;
    if (this.reclaimBusy) return;
    this.reclaimBusy = true;
    this.reclaiming = reclaimAndRestart(options.dataDir, {
      track: (event) => options.tracker.track(event),
      graceMs: options.stopGraceMs,
      onProblem: options.onProblem,
      records: this.records,
      servers: {
        has: (id) => options.configured().some((s) => s.definition.id === id),
        start: (id) => this.start(id),
        closed: () => options.closed(),
      },
    })
      .catch((error: unknown) =>
        options.onProblem?.(`cannot clean up after the last engine: ${(error as Error).message}`),
      )
      .finally(() => {
        this.reclaimBusy = false;
      });
  }

  /** Settles once the reclaim is over (a close waits for it before stopping anything). */
  reclaimed(): Promise<void> {
    return this.reclaiming;
  }

  status(id: string): ManagedStatus | null {
    return this.supervisor.status(id);
  }

  async start(id: string): Promise<ActionResult> {
    const server = this.options.find(id);
    const elsewhere =
      this.runElsewhere(server.definition.name) ?? this.stillRunning(id, server.definition.name);
    if (elsewhere) return elsewhere;
    return this.launched(server, await this.supervisor.start(server));
  }

  async stop(id: string): Promise<ActionResult> {
    const server = this.options.find(id);
    // Before its own copy: one it handed over (stopped, or still stopping) runs under the other engine now.
    const elsewhere = this.runElsewhere(server.definition.name);
    if (elsewhere) return elsewhere;
    if (!this.supervisor.status(id))
      return { ok: false, message: `${server.definition.name} is not running under mcpscope` };
    // A stdio server stopped on purpose is not checked: neither up nor down until it is started again
    // (unwatched first, so that no probe of it going away counts). A remote one is still out there, and
    // its checks go on.
    const stdio = server.definition.transport === "stdio";
    if (stdio) this.options.checks.unwatch(id);
    await this.supervisor.stop(id);
    if (stdio) this.options.healthStore.stopped(id, server.definition.name, Date.now());
    this.options.changed();
    return { ok: true, message: `${server.definition.name} stopped` };
  }

  async restart(id: string): Promise<ActionResult> {
    const server = this.options.find(id);
    const elsewhere = this.runElsewhere(server.definition.name);
    if (elsewhere) return elsewhere;
    if (!this.supervisor.status(id)) return this.start(id);
    return this.launched(server, await this.supervisor.restart(id));
  }

  /**
   * Why a server cannot be removed now, or null: not while the other engine runs it, since that engine's
   * process would go on running, no longer listed anywhere and so stoppable nowhere.
   */
  removeRefused(id: string): ActionResult | null {
    const refusal = removeRefusal(this.runElsewhereNow().get(id));
    return refusal ? { ok: false, message: `${this.options.find(id).definition.name}: ${refusal}` } : null;
  }

  /** A server deleted from the inventory: stopped, and no longer recorded. */
  async remove(id: string): Promise<void> {
    await this.supervisor.remove(id);
  }

  /**
   * Stops everything it runs. Stopped for good, as by Stop: neither up nor down on the next engine.
   * Servers the next engine starts again (`keepLaunched`) are checked again there.
   */
  async stopAll(options: EngineCloseOptions): Promise<void> {
    // A hand-over under way ends first: its servers are the lease holder's to start, whatever this close
    // says, and are stopped here by then, so the close leaves them (and their record) alone.
    await this.handingOver;
    if (!options.keepLaunched) this.markStopped();
    await this.supervisor.stopAll(options);
    // Only now that its servers are stopped: another engine may start them the moment it takes over.
    this.lease.close();
  }

  /** While another engine runs the servers, this one starts, stops and restarts none of them. */
  private runElsewhere(name: string): ActionResult | null {
    const other = this.supervisedBy();
    if (!other) return null;
    const there = other.older
      ? "start, stop or restart it there, or quit that engine to run the servers here"
      : "start, stop or restart it there";
    return {
      ok: false,
      message: `${name}: servers on this data dir are run by ${engineName(other.pid, other.older)}; ${there}`,
    };
  }

  /**
   * An engine this one took the lease from while it was held up still runs its copy: one started here
   * would be a second. That engine stops it once it runs again and hands it over, and it starts here then.
   */
  private stillRunning(id: string, name: string): ActionResult | null {
    const enginePid = stillRunElsewhere(this.options.dataDir).get(id);
    if (enginePid === undefined) return null;
    return {
      ok: false,
      message: `${name}: still running under the mcpscope engine with pid ${enginePid}, which ran the servers until it was held up; it stops it once it runs again, and this engine then starts it`,
    };
  }

  /** After a start or restart by hand: whatever mcpscope runs is checked on the interval. */
  private launched(server: DiscoveredServer, status: ManagedStatus): ActionResult {
    const name = server.definition.name;
    if (status.state === "stopping" || status.state === "stopped")
      return { ok: false, message: `${name}: stopped before it finished starting` };
    this.options.checks.watch(server);
    const ok = status.state === "running" || status.state === "starting";
    return {
      ok,
      message: ok ? `${name} is ${status.state}` : `${name}: ${status.lastError ?? status.state}`,
    };
  }

  private markStopped(): void {
    const now = Date.now();
    for (const status of this.supervisor.list()) {
      if (status.state === "stopped") continue;
      const server = this.options.configured().find((s) => s.definition.id === status.id);
      if (server?.definition.transport !== "stdio") continue;
      try {
        this.options.healthStore.stopped(status.id, status.name, now);
      } catch {
        // A mark that cannot be written must not keep the servers running.
      }
    }
  }
}

/** The other engine as a server entry names it (`supervisedElsewhere` in shared/servers.ts). */
export function elsewhere(other: { pid: number; older: boolean }, pid: number | null): SupervisedElsewhere {
  return other.older ? { enginePid: other.pid, pid, olderVersion: true } : { enginePid: other.pid, pid };
}
