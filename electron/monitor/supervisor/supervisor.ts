/**
 * The servers mcpscope runs itself, keyed by server id: start, stop, restart, status. The engine owns one
 * Supervisor; the prober asks it for open sessions and the resource sampler for pids.
 */
import { MonitoringError } from "../errors.js";
import { type Env, loginShellEnv } from "../shell-env.js";
import type { SpawnFn } from "./child-transport.js";
import { type Clock, systemClock } from "./clock.js";
import type { LaunchRecords } from "./launch-records.js";
import { ManagedServer } from "./managed-server.js";
import type { ManagedStatus } from "./managed-status.js";
import type { McpSession } from "./mcp-session.js";
import type { RestartPolicyOptions } from "./restart-policy.js";
import type { RunStore } from "./run-store.js";
import type { TelemetrySink } from "./telemetry.js";
import type { ServerTarget } from "./transports.js";

export interface SupervisorOptions {
  sink: TelemetrySink;
  runs: RunStore;
  /** The launch environment (default: the login shell's, read once). */
  env?: () => Promise<Env>;
  clock?: Clock;
  spawn?: SpawnFn;
  policy?: RestartPolicyOptions;
  timeoutMs?: number;
  graceMs?: number;
  /** Where the servers the user started and their process groups are kept for the engine after a crash. */
  records?: Pick<
    LaunchRecords,
    "started" | "spawned" | "exited" | "stopped" | "close" | "release" | "quitting" | "handOver"
  >;
}

export interface ManagedProcess {
  serverId: string;
  server: string;
  pid: number;
}

export class Supervisor {
  private readonly servers = new Map<string, ManagedServer>();
  private readonly listeners = new Set<(status: ManagedStatus) => void>();
  private readonly clock: Clock;

  constructor(private readonly options: SupervisorOptions) {
    this.clock = options.clock ?? systemClock();
  }

  /** Starts `server` (or updates its definition and returns its status if it is already running). */
  async start(server: ServerTarget): Promise<ManagedStatus> {
    const { id, name } = server.definition;
    const records = this.options.records;
    records?.started(id, name);
    let managed = this.servers.get(id);
    if (managed) managed.setTarget(server);
    else {
      managed = new ManagedServer(server, {
        sink: this.options.sink,
        runs: this.options.runs,
        env: this.options.env ?? (() => loginShellEnv().get()),
        clock: this.clock,
        spawn: this.options.spawn,
        policy: this.options.policy,
        timeoutMs: this.options.timeoutMs,
        graceMs: this.options.graceMs,
        onSpawn: (pid) => records?.spawned(id, pid),
        onExit: (pid) => records?.exited(id, pid),
        onChange: (status) => {
          for (const listener of this.listeners) {
            try {
              listener(status);
            } catch {
              // One broken listener must not stop the others.
            }
          }
        },
      });
      this.servers.set(id, managed);
    }
    return managed.start();
  }

  async stop(id: string): Promise<ManagedStatus> {
    const status = await this.get(id).stop();
    this.options.records?.stopped(id);
    return status;
  }

  /** Restarts it; a server the user stopped is wanted again, so it is recorded as `start` records it. */
  async restart(id: string): Promise<ManagedStatus> {
    const managed = this.get(id);
    this.options.records?.started(id, managed.status().name);
    return managed.restart();
  }

  /** Stops it (if running) and forgets it. */
  async remove(id: string): Promise<void> {
    const managed = this.servers.get(id);
    if (!managed) return;
    await managed.stop();
    this.servers.delete(id);
    this.options.records?.stopped(id);
  }

  status(id: string): ManagedStatus | null {
    return this.servers.get(id)?.status() ?? null;
  }

  list(): ManagedStatus[] {
    return [...this.servers.values()].map((s) => s.status());
  }

  /** The open MCP session of a running server. */
  session(id: string): McpSession | null {
    return this.servers.get(id)?.session() ?? null;
  }

  /** Live child processes (for resource sampling). */
  processes(): ManagedProcess[] {
    const out: ManagedProcess[] = [];
    for (const managed of this.servers.values()) {
      const status = managed.status();
      if (status.pid !== null) out.push({ serverId: status.id, server: status.name, pid: status.pid });
    }
    return out;
  }

  /** Called with a server's status whenever its state changes. */
  onChange(listener: (status: ManagedStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * The engine closes: every server stops, and none is left for the next engine to clean up. With
   * `keepLaunched` (a close the user did not ask for) they stay recorded, for the next engine to start.
   */
  /**
   * `keepLaunched`: the next engine starts them again; `handOver`: the engine that took the lease over
   * from this live one does, and this one goes on recording what it runs later.
   */
  async stopAll(options: { keepLaunched?: boolean; handOver?: boolean } = {}): Promise<void> {
    const kept = options.keepLaunched || options.handOver;
    if (!kept) this.options.records?.quitting();
    await Promise.all([...this.servers.values()].map((s) => s.stop()));
    if (options.handOver) this.options.records?.handOver();
    else if (kept) this.options.records?.release();
    else this.options.records?.close();
  }

  private get(id: string): ManagedServer {
    const managed = this.servers.get(id);
    if (!managed) throw MonitoringError.input(`no managed server with id "${id}"; start it first`);
    return managed;
  }
}
