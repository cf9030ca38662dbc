/**
 * The in-process tap: `observe(transport, { name })` wraps any MCP SDK transport, client or server side,
 * and records what it sends and receives exactly as `mcpscope run` records a stdio session: a copy of
 * each message (its JSON text, one line) goes through the wrapper's bounded copy queue to the wrapper's
 * own observer worker. The message object itself is passed on unchanged; taking the copy is the only
 * work on the caller's path, and recording can fail without the transport noticing.
 */
import { randomUUID } from "node:crypto";
import { lacksSqlite, recordingNeedsNode } from "../node-requirement.js";
import { resolveDataDir } from "../paths.js";
import { DEFAULT_CAPTURE_LIMIT } from "../pipeline/capture.js";
import { MAX_MESSAGE_BYTES } from "../protocol/line-splitter.js";
import { preciseNow } from "../proxy/clock.js";
import {
  type CopyStream,
  drainDeadlineBuffer,
  type ToWorker,
  type WorkerInit,
} from "../proxy/worker-protocol.js";
import { type ObserverThread, startObserverThread } from "../proxy-http/observer-thread.js";

/** The parts of the SDK's `Transport` the tap touches; any object shaped like it can be observed. */
export interface TransportLike {
  start(): Promise<void>;
  send(message: unknown, options?: unknown): Promise<void>;
  close(): Promise<void>;
  onmessage?: ((message: never, extra?: never) => void) | undefined;
  onclose?: (() => void) | undefined;
}

export interface ObserveOptions {
  /** The server's name in mcpscope. */
  name: string;
  /** Where mcpscope keeps its database (default: $MCPSCOPE_HOME or the platform's app-data folder). */
  dataDir?: string;
  /** Which end this transport is; by default the end that sends the first message is the client. */
  side?: "client" | "server";
  /** A request unanswered this long ends as `timeout` (default 60 s). */
  timeoutMs?: number;
  /** Largest request or response kept per call. */
  captureLimit?: number;
  /** Where problems are said (default: stderr, once per kind). */
  onProblem?: (message: string) => void;
}

/** Returns `transport` observed: use the result where the transport would have gone. */
export function observe<T extends TransportLike>(transport: T, options: ObserveOptions): T {
  const tap = new Tap(options);
  return new Proxy(transport, {
    get(target, property) {
      if (property === "send") {
        return (message: unknown, sendOptions?: unknown) => {
          // Copied first: an in-process peer may answer before send() returns, and the answer must
          // reach the observer after its request.
          tap.copy("sent", message);
          return target.send(message, sendOptions);
        };
      }
      if (property === "close") {
        return async () => {
          try {
            await target.close();
          } finally {
            tap.end();
          }
        };
      }
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
    set(target, property, value) {
      if (property === "onmessage" && typeof value === "function") {
        const deliver = value as (...args: unknown[]) => void;
        target.onmessage = ((message: unknown, extra?: unknown) => {
          tap.copy("received", message);
          deliver(message, extra);
        }) as T["onmessage"];
        return true;
      }
      if (property === "onclose" && typeof value === "function") {
        const closed = value as () => void;
        target.onclose = () => {
          try {
            closed();
          } finally {
            tap.end();
          }
        };
        return true;
      }
      return Reflect.set(target, property, value, target);
    },
  });
}

class Tap {
  private observer: ObserverThread<CopyStream, ToWorker> | null = null;
  private side: "client" | "server" | null;
  private ended = false;
  private readonly reported = new Set<string>();

  constructor(private readonly options: ObserveOptions) {
    this.side = options.side ?? null;
    if (lacksSqlite()) {
      // Said at once, with no observer worker started only to fail at opening the store: on a loaded
      // machine such a worker could take longer to say so than the program's close waits for it.
      this.problem(`mcpscope: ${recordingNeedsNode()}; recording is off, traffic unaffected`);
      return;
    }
    try {
      const init: WorkerInit = {
        dataDir: resolveDataDir(options.dataDir),
        sessionId: randomUUID(),
        server: options.name,
        command: "in-process tap",
        startedAt: preciseNow(),
        wrapperPid: process.pid,
        timeoutMs: options.timeoutMs ?? 60_000,
        captureLimit: options.captureLimit ?? DEFAULT_CAPTURE_LIMIT,
        maxLineBytes: MAX_MESSAGE_BYTES,
        client: null,
        // Never set: the tap's observer parses everything it was given (no exit drain deadline).
        drainDeadline: drainDeadlineBuffer(),
      };
      this.observer = startObserverThread<CopyStream, ToWorker>({
        workerUrl: new URL("./observer-worker.mjs", import.meta.url),
        workerData: init,
        report: (line) => this.problem(line),
        label: "mcpscope tap",
        finishLimitMs: 5000,
      });
      if (this.side === "server") this.observer.queue.post({ type: "child", pid: process.pid });
    } catch (error) {
      this.problem(`mcpscope tap: observation is off (${(error as Error).message})`);
    }
  }

  /** A copy of a message the transport just sent or delivered. */
  copy(way: "sent" | "received", message: unknown): void {
    if (!this.observer || this.ended) return;
    try {
      if (this.side === null) {
        // The client speaks first (initialize, or server/discover).
        this.side = way === "sent" ? "client" : "server";
        if (this.side === "server") this.observer.queue.post({ type: "child", pid: process.pid });
      }
      const fromClient = (way === "sent") === (this.side === "client");
      this.observer.queue.offer(
        fromClient ? "in" : "out",
        Buffer.from(`${JSON.stringify(message)}\n`),
        preciseNow(),
      );
    } catch {
      // A message that cannot be serialised is still delivered; it is just not recorded.
    }
  }

  end(): void {
    if (this.ended || !this.observer) return;
    this.ended = true;
    const observer = this.observer;
    const at = preciseNow();
    // What the queue dropped since its last copy reaches the observer as a gap, counted in calls.
    observer.queue.postGaps();
    void observer.finish({ type: "exit", at, exitCode: null, signal: null }).catch(() => {});
  }

  private problem(message: string): void {
    const kind = message.replace(/\d+/g, "");
    if (this.reported.has(kind)) return;
    this.reported.add(kind);
    if (this.options.onProblem) this.options.onProblem(message);
    else process.stderr.write(`${message}\n`);
  }
}
