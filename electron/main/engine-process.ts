/**
 * Keeps one engine host process running behind an EngineClient: forks it, restarts it after a crash with
 * exponential backoff, gives up after too many crashes in a short window, and shuts it down cleanly.
 */
import type { EngineState } from "../../shared/engine-state.js";
import type { EngineClient, HostPort } from "./engine-client.js";

/** One forked host (Electron's UtilityProcess fits). */
export interface HostProcess extends HostPort {
  on(event: "message", listener: (message: unknown) => void): unknown;
  on(event: "exit", listener: (code: number) => void): unknown;
  kill(): boolean;
}

export interface RestartPolicy {
  /** Delay before the first restart (default 500 ms); doubled for each further crash in the window. */
  initialDelayMs: number;
  /** Upper bound of the delay (default 30 s). */
  maxDelayMs: number;
  /** More crashes than this within `windowMs` and the host is not restarted again (default 5). */
  maxCrashes: number;
  windowMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  initialDelayMs: 500,
  maxDelayMs: 30_000,
  maxCrashes: 5,
  windowMs: 120_000,
};

export interface EngineProcessOptions {
  fork(): HostProcess;
  client: EngineClient;
  restart?: Partial<RestartPolicy>;
  /** How long `stop()` waits for the host to exit on its own before killing it (default 5 s). */
  shutdownTimeoutMs?: number;
  /** Called once when the host crashed too often and stays down; `reason` is one line for the user. */
  onGiveUp?(reason: string): void;
  /** Called on every change of the engine's state (starting, up, restarting, stopped). */
  onState?(state: EngineState): void;
  log?(line: string): void;
  now?(): number;
}

/** The delay before the next restart, or null to give up, given the times of recent crashes. */
export function nextRestartDelay(
  crashTimes: readonly number[],
  now: number,
  policy: RestartPolicy,
): number | null {
  const recent = crashTimes.filter((t) => now - t < policy.windowMs).length;
  if (recent > policy.maxCrashes) return null;
  return Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.max(0, recent - 1));
}

export class EngineProcess {
  readonly #options: EngineProcessOptions;
  readonly #policy: RestartPolicy;
  readonly #now: () => number;
  #current: HostProcess | null = null;
  #crashTimes: number[] = [];
  #restartTimer: ReturnType<typeof setTimeout> | null = null;
  #stopping = false;
  #gaveUp = false;
  #exited: (() => void) | null = null;
  #state: EngineState = { state: "starting", reason: null };

  constructor(options: EngineProcessOptions) {
    this.#options = options;
    this.#policy = { ...DEFAULT_RESTART_POLICY, ...options.restart };
    this.#now = options.now ?? Date.now;
  }

  get running(): boolean {
    return this.#current !== null;
  }

  get gaveUp(): boolean {
    return this.#gaveUp;
  }

  /** What the window and the tray show about the engine. */
  get state(): EngineState {
    return this.#state;
  }

  start(): void {
    if (this.#current || this.#stopping) return;
    this.#setState({ state: "starting", reason: null });
    this.#spawn();
  }

  /** The current host's engine has opened the data dir and answers calls (its `ready` message). */
  hostReady(): void {
    if (this.#current && !this.#stopping) this.#setState({ state: "up", reason: null });
  }

  /** After giving up: starts afresh (the tray's Restart engine), with a clean crash count. */
  restart(): void {
    if (!this.#gaveUp || this.#stopping) return;
    this.#gaveUp = false;
    this.#crashTimes = [];
    this.start();
  }

  /** Asks the host to close the engine (flushing its data), waits for it to exit, kills it if it hangs. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#setState({ state: "stopped", reason: "mcpscope is quitting" });
    if (this.#restartTimer) clearTimeout(this.#restartTimer);
    this.#restartTimer = null;
    const host = this.#current;
    if (!host) {
      this.#options.client.detach("mcpscope is quitting");
      return;
    }
    const exited = new Promise<void>((resolve) => {
      this.#exited = resolve;
    });
    if (!this.#options.client.requestShutdown()) host.kill();
    const timeoutMs = this.#options.shutdownTimeoutMs ?? 5_000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), timeoutMs);
    });
    if ((await Promise.race([exited, timedOut])) === "timeout") {
      this.#log(`the engine host did not exit within ${timeoutMs} ms; killing it`);
      host.kill();
      // A killed host still reports its exit; do not wait for it forever either.
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 1_000))]);
    }
    clearTimeout(timer);
    this.#current = null;
    this.#options.client.detach("mcpscope is quitting");
  }

  #spawn(): void {
    this.#restartTimer = null;
    let host: HostProcess;
    try {
      host = this.#options.fork();
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      this.#onExit(null, `could not be started (${detail})`);
      return;
    }
    this.#current = host;
    this.#options.client.attach(host);
    host.on("exit", (code) => {
      if (this.#current === host) this.#onExit(host, `exited with code ${code}`);
    });
  }

  #onExit(host: HostProcess | null, what: string): void {
    const client = this.#options.client;
    const fatal = host ? client.fatalError : null;
    this.#current = null;
    if (this.#stopping) {
      this.#exited?.();
      return;
    }
    const cause = fatal ? `${what}: ${fatal.message}` : what;
    const now = this.#now();
    this.#crashTimes = [...this.#crashTimes.filter((t) => now - t < this.#policy.windowMs), now];
    const delay = nextRestartDelay(this.#crashTimes, now, this.#policy);
    if (delay === null) {
      this.#gaveUp = true;
      const reason = `the mcpscope engine ${cause}, and stopped after ${this.#crashTimes.length} failures in ${Math.round(this.#policy.windowMs / 1000)}s; restart mcpscope`;
      client.detach(reason);
      this.#log(reason);
      this.#setState({ state: "stopped", reason });
      this.#options.onGiveUp?.(reason);
      return;
    }
    const reason = `the mcpscope engine ${cause}; it is restarting, try again in a moment`;
    client.detach(reason);
    this.#setState({ state: "restarting", reason });
    this.#log(`${reason} (in ${delay} ms)`);
    this.#restartTimer = setTimeout(() => this.#spawn(), delay);
  }

  #setState(state: EngineState): void {
    if (state.state === this.#state.state && state.reason === this.#state.reason) return;
    this.#state = state;
    this.#options.onState?.(state);
  }

  #log(line: string): void {
    (this.#options.log ?? ((l: string) => console.error(`mcpscope: ${l}`)))(line);
  }
}
