/**
 * The main process's side of the engine host: correlates calls with their answers by id, times them out,
 * fans events out to subscribers, and fails pending calls with a clear message when the host goes away.
 * One client lives as long as the app; the host process behind it can be replaced (attach/detach).
 */
import { type ApiTransport, isLongMethod } from "../../shared/api.js";
import { type ErrorInfo, isHostToMain, type MainToHost } from "./host-protocol.js";

/** A MessagePort-like link to one host process (Electron's UtilityProcess fits). */
export interface HostPort {
  postMessage(message: MainToHost): void;
  on(event: "message", listener: (message: unknown) => void): unknown;
}

/** A rejected engine call: one line, and the kind of failure (`engine`, `timeout`, or the engine's own). */
export class EngineCallError extends Error {
  readonly kind: string;

  constructor(info: ErrorInfo) {
    super(info.message);
    this.name = "EngineCallError";
    this.kind = info.kind;
  }
}

export interface EngineClientOptions {
  /**
   * How long a call may wait for its answer (default 15 s). A long method (isLongMethod) has no deadline:
   * it waits as long as the host lives, and fails at once when the host goes (detach).
   */
  timeoutMs?: number;
  /** How many calls may wait at once; more are refused (default 256). */
  maxPending?: number;
  /** The attached host says its engine is open and answers calls. */
  onReady?: () => void;
  /** Where a throwing event listener is reported (default console.error). */
  onListenerError?: (event: string, error: unknown) => void;
}

interface Pending {
  method: string;
  resolve(value: unknown): void;
  reject(error: EngineCallError): void;
  timer: ReturnType<typeof setTimeout> | undefined;
}

type Listener = (payload: unknown) => void;

export class EngineClient implements ApiTransport {
  readonly #timeoutMs: number;
  readonly #maxPending: number;
  readonly #onListenerError: (event: string, error: unknown) => void;
  readonly #onReady: () => void;
  readonly #pending = new Map<number, Pending>();
  readonly #listeners = new Map<string, Set<Listener>>();
  #port: HostPort | null = null;
  #nextId = 1;
  #downReason = "the mcpscope engine has not started yet";
  #fatal: ErrorInfo | null = null;

  constructor(options: EngineClientOptions = {}) {
    this.#timeoutMs = options.timeoutMs ?? 15_000;
    this.#maxPending = options.maxPending ?? 256;
    this.#onReady = options.onReady ?? (() => {});
    this.#onListenerError =
      options.onListenerError ??
      ((event, error) => console.error(`mcpscope: a listener for ${event} failed:`, error));
  }

  /** The error the current host reported before exiting (`fatal`), if any. */
  get fatalError(): ErrorInfo | null {
    return this.#fatal;
  }

  get attached(): boolean {
    return this.#port !== null;
  }

  get pendingCount(): number {
    return this.#pending.size;
  }

  /** Routes calls to `port` from now on; messages from any earlier port are ignored. */
  attach(port: HostPort): void {
    if (this.#port) this.detach("the mcpscope engine was replaced");
    this.#port = port;
    this.#fatal = null;
    port.on("message", (message) => {
      if (this.#port === port) this.#receive(message);
    });
  }

  /** The host is gone: every pending call and every call until the next attach fails with `reason`. */
  detach(reason: string): void {
    this.#port = null;
    this.#downReason = reason;
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const call of pending) {
      clearTimeout(call.timer);
      call.reject(new EngineCallError({ message: `${call.method} failed: ${reason}`, kind: "engine" }));
    }
  }

  /** Asks the host to close the engine and exit. Returns false if no host is attached. */
  requestShutdown(): boolean {
    if (!this.#port) return false;
    this.#port.postMessage({ type: "shutdown" });
    return true;
  }

  invoke(method: string, input: unknown): Promise<unknown> {
    const port = this.#port;
    if (!port) {
      return Promise.reject(
        new EngineCallError({ message: `${method} failed: ${this.#downReason}`, kind: "engine" }),
      );
    }
    if (this.#pending.size >= this.#maxPending) {
      return Promise.reject(
        new EngineCallError({
          message: `${method} refused: ${this.#pending.size} calls are already waiting for the mcpscope engine; try again shortly`,
          kind: "engine",
        }),
      );
    }
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const timer = isLongMethod(method)
        ? undefined
        : setTimeout(() => {
            this.#pending.delete(id);
            reject(
              new EngineCallError({
                message: `${method} timed out: the mcpscope engine did not answer within ${formatSeconds(this.#timeoutMs)}`,
                kind: "timeout",
              }),
            );
          }, this.#timeoutMs);
      timer?.unref?.();
      this.#pending.set(id, { method, resolve, reject, timer });
      try {
        port.postMessage({ type: "call", id, method, input });
      } catch (error) {
        clearTimeout(timer);
        this.#pending.delete(id);
        const detail = error instanceof Error ? error.message : String(error);
        reject(
          new EngineCallError({
            message: `${method} could not be sent to the engine: ${detail}`,
            kind: "engine",
          }),
        );
      }
    });
  }

  subscribe(event: string, listener: Listener): () => void {
    let set = this.#listeners.get(event);
    if (!set) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    // A wrapper per subscription, so that subscribing the same function twice needs two unsubscribes.
    const entry: Listener = (payload) => listener(payload);
    set.add(entry);
    return () => {
      set.delete(entry);
      if (set.size === 0 && this.#listeners.get(event) === set) this.#listeners.delete(event);
    };
  }

  #receive(message: unknown): void {
    if (!isHostToMain(message)) return;
    switch (message.type) {
      case "result":
      case "error": {
        const call = this.#pending.get(message.id);
        if (!call) return; // answered after its timeout
        this.#pending.delete(message.id);
        clearTimeout(call.timer);
        if (message.type === "result") call.resolve(message.result);
        else call.reject(new EngineCallError(message.error));
        return;
      }
      case "event":
        this.#emit(message.event, message.payload);
        return;
      case "ready":
        this.#onReady();
        return;
      case "fatal":
        this.#fatal = message.error;
        return;
    }
  }

  #emit(event: string, payload: unknown): void {
    const set = this.#listeners.get(event);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        listener(payload);
      } catch (error) {
        this.#onListenerError(event, error);
      }
    }
  }
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${(ms / 1000).toFixed(1)}s`;
}
