/**
 * One server that mcpscope runs itself. A stdio server is a child process whose stdio is mcpscope's own
 * MCP client session with it; a remote server (Streamable HTTP, or SSE) is just that session, no process.
 * It restarts after a crash with backoff, stops restarting in a crash loop, records every run (pid, exit
 * code, signal, uptime) and every spawn, exit, crash and restart as an event, and keeps stderr as logs.
 */
import { randomUUID } from "node:crypto";
import { LineMasker } from "../pipeline/mask.js";
import { type Env, processEnv } from "../shell-env.js";
import type { ChildExit, SpawnFn } from "./child-transport.js";
import type { Clock, TimerId } from "./clock.js";
import type { ManagedState, ManagedStatus } from "./managed-status.js";
import { McpSession } from "./mcp-session.js";
import { RestartPolicy, type RestartPolicyOptions } from "./restart-policy.js";
import type { RunEndReason, RunStore } from "./run-store.js";
import { type EventRecord, stderrRecord, type TelemetrySink } from "./telemetry.js";
import type { ServerTarget } from "./transports.js";

export interface ManagedServerDeps {
  sink: TelemetrySink;
  runs: RunStore;
  /** The environment to launch in (the login shell's). */
  env: () => Promise<Env>;
  clock: Clock;
  spawn?: SpawnFn;
  policy?: RestartPolicyOptions;
  /** Handshake timeout (default 10 s). */
  timeoutMs?: number;
  /** After stdin closes, and again after SIGTERM (default 2 s). */
  graceMs?: number;
  onChange?: (status: ManagedStatus) => void;
  /** A run's process started (it leads its own group), and when it exited. */
  onSpawn?: (pid: number) => void;
  onExit?: (pid: number | null) => void;
}

interface Run {
  sessionId: string;
  session: McpSession;
  rowId: number | null;
  startedAt: number;
  pid: number | null;
  endReason: RunEndReason | null;
  exited: boolean;
}

export class ManagedServer {
  private state: ManagedState = "stopped";
  private current: Run | null = null;
  /** Bumped by every start, stop and restart: a launch that sees a newer token was overtaken. */
  private token = 0;
  private timer: TimerId | null = null;
  private nextRestartAt: number | null = null;
  private restarts = 0;
  private lastExit: ManagedStatus["lastExit"] = null;
  private lastError: string | null = null;
  private facts: McpSession["facts"] = null;
  private readonly policy: RestartPolicy;

  constructor(
    private target: ServerTarget,
    private readonly deps: ManagedServerDeps,
  ) {
    this.policy = new RestartPolicy(deps.policy);
  }

  get id(): string {
    return this.target.definition.id;
  }

  private get name(): string {
    return this.target.definition.name;
  }

  private get remote(): boolean {
    return this.target.definition.transport !== "stdio";
  }

  /** Used for the next launch (the running one keeps its definition until restarted). */
  setTarget(target: ServerTarget): void {
    this.target = target;
  }

  status(): ManagedStatus {
    const run = this.current;
    const def = this.target.definition;
    return {
      id: def.id,
      name: def.name,
      transport: def.transport,
      state: this.state,
      pid: run && !run.exited ? run.pid : null,
      startedAt: this.state === "running" || this.state === "starting" ? (run?.startedAt ?? null) : null,
      restarts: this.restarts,
      nextRestartAt: this.state === "backoff" ? this.nextRestartAt : null,
      lastExit: this.lastExit,
      era: this.facts?.era ?? null,
      protocolVersion: this.facts?.protocolVersion ?? null,
      serverName: this.facts?.serverName ?? null,
      serverVersion: this.facts?.serverVersion ?? null,
      lastError: this.lastError,
    };
  }

  /** The open MCP session, while running. */
  session(): McpSession | null {
    return this.state === "running" ? (this.current?.session ?? null) : null;
  }

  /** Starts by hand (also out of a crash loop or a failure); resolves once running or failed. */
  async start(): Promise<ManagedStatus> {
    if (this.state === "running" || this.state === "starting" || this.state === "stopping") {
      return this.status();
    }
    this.cancelTimer();
    this.policy.reset();
    this.restarts = 0;
    // The last run's failure is history now: a start cut short by a stop must not report it as its own.
    this.lastError = null;
    await this.launch();
    return this.status();
  }

  async stop(): Promise<ManagedStatus> {
    await this.end("stop");
    this.setState("stopped");
    return this.status();
  }

  async restart(): Promise<ManagedStatus> {
    await this.end("restart");
    this.policy.reset();
    this.restarts = 0;
    this.lastError = null;
    this.emit("process.restart", "info", `restarting ${this.name} (requested)`, { requested: true });
    await this.launch();
    return this.status();
  }

  /** Ends the current run (if any) on request, and cancels pending launches and restarts. */
  private async end(reason: "stop" | "restart"): Promise<void> {
    this.token++;
    this.cancelTimer();
    const run = this.current;
    this.current = null;
    if (run && !run.exited) {
      run.endReason = reason;
      this.setState("stopping");
      await run.session.close();
      if (this.remote) {
        run.exited = true;
        this.emit("remote.close", "info", `closed the connection to ${this.name} (${reason} requested)`, {});
      }
    }
  }

  private async launch(): Promise<void> {
    const token = ++this.token;
    this.setState("starting");
    const env = await this.deps.env().catch(() => processEnv());
    if (token !== this.token) return;
    const run: Run = {
      sessionId: randomUUID(),
      session: null as unknown as McpSession,
      rowId: null,
      startedAt: this.deps.clock.now(),
      pid: null,
      endReason: null,
      exited: false,
    };
    // A private key printed across several stderr lines is masked whole, not just its first line.
    const stderrMasker = new LineMasker();
    try {
      run.session = new McpSession(this.target, {
        env,
        spawn: this.deps.spawn,
        clock: this.deps.clock,
        graceMs: this.deps.graceMs,
        timeoutMs: this.deps.timeoutMs,
        eraHint: this.facts?.era ?? null,
        hooks: {
          onSpawn: (pid) => this.spawned(run, pid),
          onStderrLine: (line) => {
            if (line.trim())
              this.deps.sink.log(
                stderrRecord(this.name, run.sessionId, stderrMasker.mask(line), this.deps.clock.now()),
              );
          },
          onExit: (exit) => this.exited(run, exit),
        },
      });
    } catch (error) {
      this.failed(error as Error);
      return;
    }
    this.current = run;
    if (this.remote) run.session.client.onclose = () => this.remoteClosed(run);
    try {
      this.facts = await run.session.open();
    } catch (error) {
      if (token !== this.token) return;
      this.lastError = (error as Error).message;
      if (run.exited) return; // exited() already handled it as a crash
      if (!this.remote && run.pid === null) {
        this.current = null;
        this.failed(error as Error);
        return;
      }
      run.endReason = "handshake_failed";
      await run.session.close();
      if (this.remote) {
        this.current = null;
        this.emit("remote.connect_failed", "medium", `cannot connect to ${this.name}: ${this.lastError}`, {
          url: this.target.definition.url,
        });
        this.crashed(0);
      }
      return;
    }
    if (token !== this.token) return;
    this.lastError = null;
    if (this.remote) {
      this.emit("remote.connect", "info", `connected to ${this.name} (${this.target.definition.transport})`, {
        era: this.facts.era,
        protocolVersion: this.facts.protocolVersion,
      });
    }
    this.setState("running");
  }

  private spawned(run: Run, pid: number): void {
    run.pid = pid;
    this.deps.onSpawn?.(pid);
    const def = this.target.definition;
    run.rowId = this.deps.runs.begin({
      serverId: def.id,
      server: def.name,
      sessionId: run.sessionId,
      pid,
      command: [def.command ?? "", ...def.args].join(" "),
      startedAt: run.startedAt,
      restartCount: this.restarts,
    });
    this.emit(
      "process.spawn",
      "info",
      `started ${def.name} (pid ${pid})`,
      { pid, restarts: this.restarts },
      run,
    );
  }

  private exited(run: Run, exit: ChildExit): void {
    run.exited = true;
    this.deps.onExit?.(run.pid);
    const now = this.deps.clock.now();
    const uptimeMs = now - run.startedAt;
    const reason: RunEndReason = run.endReason ?? "crash";
    this.lastExit = { at: now, code: exit.code, signal: exit.signal, uptimeMs, reason };
    this.deps.runs.end(run.rowId, {
      endedAt: now,
      exitCode: exit.code,
      signal: exit.signal,
      uptimeMs,
      reason,
    });
    const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
    const details = { pid: run.pid, exitCode: exit.code, signal: exit.signal, uptimeMs, reason };
    if (reason === "stop" || reason === "restart") {
      this.emit("process.exit", "info", `${this.name} ${how} (${reason} requested)`, details, run);
      return;
    }
    const why = reason === "handshake_failed" ? `; its handshake failed: ${this.lastError}` : "";
    this.emit(
      "process.crash",
      "medium",
      `${this.name} ${how} after ${formatUptime(uptimeMs)}${why}`,
      details,
      run,
    );
    if (run !== this.current) return;
    this.current = null;
    this.crashed(uptimeMs);
  }

  private remoteClosed(run: Run): void {
    if (run.exited) return;
    if (run.endReason) return; // we closed it
    run.exited = true;
    if (run !== this.current || this.state !== "running") return;
    this.current = null;
    this.lastError = "the connection closed";
    this.emit("remote.disconnect", "medium", `lost the connection to ${this.name}`, {});
    this.crashed(this.deps.clock.now() - run.startedAt);
  }

  /** After an unexpected end: restart after the backoff delay, or give up in a crash loop. */
  private crashed(uptimeMs: number): void {
    const now = this.deps.clock.now();
    const decision = this.policy.crashed(now, uptimeMs);
    if (decision.action === "give_up") {
      this.setState("crash_loop");
      this.emit(
        "process.crash_loop",
        "high",
        `${this.name} crashed ${decision.crashes} times within ${formatUptime(decision.windowMs)}; not restarting it until it is started again`,
        { crashes: decision.crashes, windowMs: decision.windowMs, lastError: this.lastError },
      );
      return;
    }
    this.nextRestartAt = now + decision.delayMs;
    this.setState("backoff");
    const token = this.token;
    this.timer = this.deps.clock.setTimeout(() => {
      this.timer = null;
      if (token !== this.token) return;
      this.restarts++;
      this.emit(
        "process.restart",
        "info",
        `restarting ${this.name} (attempt ${decision.attempt}, after ${formatUptime(decision.delayMs)})`,
        { attempt: decision.attempt, delayMs: decision.delayMs, requested: false },
      );
      void this.launch();
    }, decision.delayMs);
  }

  private failed(error: Error): void {
    this.lastError = error.message;
    this.setState("failed");
    this.emit("process.start_failed", "medium", `cannot start ${this.name}: ${error.message}`, {});
  }

  private cancelTimer(): void {
    if (this.timer !== null) this.deps.clock.clearTimeout(this.timer);
    this.timer = null;
    this.nextRestartAt = null;
  }

  private setState(state: ManagedState): void {
    if (this.state === state) return;
    this.state = state;
    this.deps.onChange?.(this.status());
  }

  private emit(
    type: string,
    severity: EventRecord["severity"],
    message: string,
    details: Record<string, unknown>,
    run?: Run,
  ): void {
    this.deps.sink.event({
      time: this.deps.clock.now(),
      category: "system",
      type,
      severity,
      server: this.name,
      sessionId: run?.sessionId ?? this.current?.sessionId ?? null,
      message,
      details: { serverId: this.id, ...details },
    });
  }
}

export function formatUptime(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  if (ms < 7_200_000) return `${Math.round(ms / 60_000)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}
