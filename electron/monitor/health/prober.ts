/**
 * Health checks on an interval per server (default 30 s): a probe over the managed session if the
 * server has one, else over a short-lived connection (at most `maxConcurrent` at a time, so a long list of
 * discovered servers is not all spawned at once). Each probe is stored, feeds the server's flap-damped
 * state machine, and keeps a tool snapshot when the tools changed; each state change is an event.
 */
import { type Env, loginShellEnv } from "../shell-env.js";
import type { SpawnFn } from "../supervisor/child-transport.js";
import { type Clock, systemClock, type TimerId } from "../supervisor/clock.js";
import type { ProtocolEra } from "../supervisor/era-transport.js";
import { ownCopyDown } from "../supervisor/managed-status.js";
import type { McpSession } from "../supervisor/mcp-session.js";
import type { Supervisor } from "../supervisor/supervisor.js";
import type { TelemetrySink } from "../supervisor/telemetry.js";
import type { ServerTarget } from "../supervisor/transports.js";
import type { HealthCheck, HealthStore } from "./health-store.js";
import { failedProbe, type ProbeResult, probeCheck, probeServer } from "./probe.js";
import {
  type HealthPolicy,
  HealthStateMachine,
  type HealthStatus,
  type HealthTransition,
} from "./state-machine.js";
import { snapshotTools } from "./tool-snapshot.js";

/**
 * How the prober learns about managed servers: null for a server mcpscope does not run (probe it over
 * a connection of its own); else its session, or null while it is not running (the probe fails), and
 * whether its process is known dead (crashed or cannot start: see `ownCopyDown`).
 */
export type ManagedLookup = (
  serverId: string,
) => { session: McpSession | null; state: string; dead?: boolean } | null;

export interface ProberOptions {
  sink: TelemetrySink;
  store: HealthStore;
  clock?: Clock;
  intervalMs?: number;
  timeoutMs?: number;
  slowMs?: number;
  policy?: Partial<HealthPolicy>;
  managed?: ManagedLookup;
  /** The launch environment for short-lived stdio probes (default: the login shell's). */
  env?: () => Promise<Env>;
  spawn?: SpawnFn;
  maxConcurrent?: number;
  /** The probe itself (tests inject one). */
  probe?: (target: ServerTarget, options: Parameters<typeof probeServer>[1]) => Promise<ProbeResult>;
}

export interface ServerHealth {
  serverId: string;
  server: string;
  status: HealthStatus;
  since: number | null;
  consecutiveFailures: number;
  lastCheck: HealthCheck | null;
  toolsHash: string | null;
}

export type ServerTransition = HealthTransition & { serverId: string; server: string; check: HealthCheck };

interface Watched {
  target: ServerTarget;
  machine: HealthStateMachine;
  timer: TimerId | null;
  running: Promise<HealthCheck> | null;
  lastCheck: HealthCheck | null;
  eraHint: ProtocolEra | null;
  toolsHash: string | null;
}

/** A ManagedLookup over a Supervisor: a stopped server is probed like any other; others use their session. */
export function supervisorLookup(supervisor: Supervisor): ManagedLookup {
  return (id) => {
    const status = supervisor.status(id);
    if (!status || status.state === "stopped") return null;
    return { session: supervisor.session(id), state: status.state, dead: ownCopyDown(status) };
  };
}

export class Prober {
  private readonly watched = new Map<string, Watched>();
  private readonly transitionListeners = new Set<(t: ServerTransition) => void>();
  private readonly clock: Clock;
  private readonly intervalMs: number;
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  private closed = false;

  constructor(private readonly options: ProberOptions) {
    this.clock = options.clock ?? systemClock();
    this.intervalMs = options.intervalMs ?? 30_000;
  }

  /** Starts (or updates) checks of `target`: one now, then every interval. */
  watch(target: ServerTarget): void {
    const existing = this.watched.get(target.definition.id);
    if (existing) {
      existing.target = target;
      return;
    }
    const watched: Watched = {
      target,
      machine: new HealthStateMachine(this.options.policy),
      timer: null,
      running: null,
      lastCheck: null,
      eraHint: null,
      toolsHash: null,
    };
    this.watched.set(target.definition.id, watched);
    this.schedule(watched, 0);
  }

  unwatch(id: string): void {
    const watched = this.watched.get(id);
    if (!watched) return;
    if (watched.timer !== null) this.clock.clearTimeout(watched.timer);
    this.watched.delete(id);
  }

  /** Probes now (joining a probe already under way); the interval restarts from here. */
  probeNow(id: string): Promise<HealthCheck> | null {
    const watched = this.watched.get(id);
    if (!watched) return null;
    if (watched.timer !== null) this.clock.clearTimeout(watched.timer);
    watched.timer = null;
    return this.run(watched);
  }

  health(id: string): ServerHealth | null {
    const watched = this.watched.get(id);
    return watched ? this.describe(watched) : null;
  }

  list(): ServerHealth[] {
    return [...this.watched.values()].map((w) => this.describe(w));
  }

  onTransition(listener: (transition: ServerTransition) => void): () => void {
    this.transitionListeners.add(listener);
    return () => this.transitionListeners.delete(listener);
  }

  close(): void {
    this.closed = true;
    for (const id of [...this.watched.keys()]) this.unwatch(id);
  }

  private describe(w: Watched): ServerHealth {
    return {
      serverId: w.target.definition.id,
      server: w.target.definition.name,
      status: w.machine.status,
      since: w.machine.since,
      consecutiveFailures: w.machine.failures,
      lastCheck: w.lastCheck,
      toolsHash: w.toolsHash,
    };
  }

  private schedule(w: Watched, delayMs: number): void {
    if (this.closed || this.watched.get(w.target.definition.id) !== w) return;
    w.timer = this.clock.setTimeout(() => {
      w.timer = null;
      void this.run(w);
    }, delayMs);
  }

  private run(w: Watched): Promise<HealthCheck> {
    w.running ??= this.check(w).finally(() => {
      w.running = null;
      if (w.timer === null) this.schedule(w, this.intervalMs);
    });
    return w.running;
  }

  private async check(w: Watched): Promise<HealthCheck> {
    const { target } = w;
    const managed = this.options.managed?.(target.definition.id) ?? null;
    const result = await this.probe(w, managed).catch((error: Error) => failedProbe(error.message));
    const at = this.clock.now();
    // Unwatched while it ran (the server was stopped on purpose): what it found is not recorded.
    const current = this.watched.get(target.definition.id) === w;
    if (result.era) w.eraHint = result.era;
    // A process known dead is no flaky probe to damp: down at once, not after several probes.
    const dead = managed !== null && managed.session === null && managed.dead === true;
    const transition = dead ? w.machine.absent(at) : w.machine.observe(result.outcome, at);
    const check = probeCheck(target, result, at, w.machine.status);
    w.lastCheck = check;
    if (!current) return check;
    this.options.store.record(check);
    if (result.tools) {
      const snapshot = snapshotTools(result.tools);
      w.toolsHash = snapshot.hash;
      this.options.store.snapshot(target.definition.id, target.definition.name, snapshot, at);
    }
    if (transition) this.transitioned(w, transition, check, dead);
    return check;
  }

  private async probe(w: Watched, managed: ReturnType<ManagedLookup>): Promise<ProbeResult> {
    const probe = this.options.probe ?? probeServer;
    const common = {
      timeoutMs: this.options.timeoutMs,
      slowMs: this.options.slowMs,
      eraHint: w.eraHint,
      spawn: this.options.spawn,
    };
    if (managed) {
      if (!managed.session) return failedProbe(`not running (${managed.state.replace("_", " ")})`);
      return probe(w.target, { ...common, env: {}, session: managed.session });
    }
    await this.slot();
    try {
      const env = await (this.options.env ?? (() => loginShellEnv().get()))();
      return await probe(w.target, { ...common, env });
    } finally {
      this.release();
    }
  }

  private transitioned(w: Watched, t: HealthTransition, check: HealthCheck, dead: boolean): void {
    const name = w.target.definition.name;
    const message =
      t.to === "down"
        ? dead
          ? `${name} is down: ${check.error}`
          : `${name} is down: ${t.streak} probes in a row failed (${check.error})`
        : t.to === "degraded"
          ? `${name} is degraded: ${check.error}`
          : t.from === "unknown"
            ? `${name} is up`
            : `${name} is up again (was ${t.from})`;
    this.options.sink.event({
      time: t.at,
      category: "system",
      type: `health.${t.to}`,
      severity: t.to === "down" ? "high" : t.to === "degraded" ? "medium" : "info",
      server: name,
      message,
      details: {
        serverId: w.target.definition.id,
        from: t.from,
        to: t.to,
        streak: t.streak,
        error: check.error,
        pingMs: check.pingMs,
        listMs: check.listMs,
      },
    });
    const event = { ...t, serverId: w.target.definition.id, server: name, check };
    for (const listener of this.transitionListeners) {
      try {
        listener(event);
      } catch {
        // One broken listener must not stop the others.
      }
    }
  }

  private slot(): Promise<void> {
    if (this.active < (this.options.maxConcurrent ?? 2)) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(() => resolve()));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }
}
