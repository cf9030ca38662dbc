/**
 * The engine's read pool: API methods that only read the database (api/read-handlers.ts) run on worker
 * threads, each with its own read-only connection. node:sqlite is synchronous, so on the engine's own
 * thread one slow read (a week of stats) held every other request and the live feeds behind it; in WAL
 * mode readers on other connections run beside each other and beside the writers, so here a slow method
 * holds one worker and the others go on. Both ends of the worker protocol live in this file.
 *
 * Fail-open: when no worker can start (no bundle beside the engine's, as when tests run the sources) or
 * they keep dying, the same handlers answer in this thread, as before the pool. A worker that dies is
 * replaced after a backoff that doubles with each death in a row; a request that outlives its timeout,
 * counted from when it was queued, fails with a typed error (its worker, if it had one, is ended and
 * replaced), so a stuck read cannot hold a slot nor a queue wait for ever. Methods without a timeout
 * (the integrity check reads every page) are never moved to this thread once queued for a worker (its
 * death, or the pool giving up under them, fails them instead) and run on at most one fewer worker at
 * once than the pool has, so that other reads always have one.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type MessagePort, Worker } from "node:worker_threads";
import { ApiInputError } from "../../../shared/api.js";
import { MonitoringError, type MonitoringErrorKind } from "../errors.js";
import type { SomeHandlers } from "./in-process.js";

/** Workers a pool starts at most: one slow read and the rest beside it. */
export const DEFAULT_READ_WORKERS = 2;
/** Worker deaths in a row (no answer between them) after which the pool answers in this thread. */
export const MAX_WORKER_DEATHS = 5;
/** The wait before replacing a dead worker, doubled for each death in a row, and its ceiling. */
const RESTART_BACKOFF_MS = 100;
const MAX_RESTART_BACKOFF_MS = 10_000;
/** How long a read may run before it fails and its worker is replaced. */
export const DEFAULT_READ_TIMEOUT_MS = 30_000;

interface Request {
  id: number;
  method: string;
  input: unknown;
}

type Reply =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: { name: string; kind?: string; message: string; retryable?: boolean } };

export interface ReadWorkerData {
  dbPath: string;
}

export interface ReadPoolOptions {
  /** The database the workers open read-only. */
  dbPath: string;
  /** The worker's bundle (read-worker.mjs); without it the pool answers in this thread. */
  workerUrl: URL;
  size?: number;
  /** Serves a method in this thread: when no worker can, and for a request whose worker died (not one without a timeout). */
  fallback: (method: string, input: unknown) => unknown;
  warn?: (message: string) => void;
  /** A request's timeout unless `invoke` or `timeouts` names one (default DEFAULT_READ_TIMEOUT_MS). */
  timeoutMs?: number;
  /** Methods with a timeout of their own (null: none). */
  timeouts?: Partial<Record<string, number | null>>;
  /** The first wait before replacing a dead worker (default 100 ms; doubled per death in a row). */
  restartBackoffMs?: number;
}

export interface InvokeOptions {
  /** This request's timeout; null for none (a check that reads every page takes as long as it takes). */
  timeoutMs?: number | null;
}

interface Job extends Request {
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  timeoutMs: number | null;
  timer?: NodeJS.Timeout;
  /** The slot running it, or null while it waits in the queue. */
  slot: Slot | null;
}

interface Slot {
  worker: Worker;
  job: Job | null;
}

export class ReadPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private readonly size: number;
  private nextId = 1;
  /** Deaths since a worker last answered. */
  private deaths = 0;
  /** While set, no worker is started (the backoff after a death). */
  private restartTimer: NodeJS.Timeout | null = null;
  private broken: boolean;
  private closed = false;

  constructor(private readonly options: ReadPoolOptions) {
    this.size = Math.max(1, options.size ?? DEFAULT_READ_WORKERS);
    this.broken = !bundleExists(options.workerUrl);
  }

  /** Whether requests go to workers (false: answered in this thread). */
  get threaded(): boolean {
    return !this.broken;
  }

  /** Requests running on workers and waiting for one. */
  get pending(): number {
    return this.queue.length + this.slots.filter((s) => s.job).length;
  }

  /** Workers started and alive now. */
  get workers(): number {
    return this.slots.length;
  }

  invoke(method: string, input: unknown, options: InvokeOptions = {}): Promise<unknown> {
    if (this.closed) return Promise.reject(MonitoringError.collection("the engine is closed"));
    const own = this.options.timeouts?.[method];
    const timeoutMs =
      options.timeoutMs !== undefined
        ? options.timeoutMs
        : own !== undefined
          ? own
          : (this.options.timeoutMs ?? DEFAULT_READ_TIMEOUT_MS);
    // Without workers every request is answered here, as with no pool at all; the engine's background
    // check does not ask then (store/integrity.ts).
    if (this.broken) return this.here(method, input);
    if (timeoutMs === null && this.size < 2)
      return Promise.reject(
        MonitoringError.input(
          `${method} runs beside other reads only: it needs a read pool of 2 or more workers`,
        ),
      );
    return new Promise((resolve, reject) => {
      const job: Job = { id: this.nextId++, method, input, resolve, reject, timeoutMs, slot: null };
      if (timeoutMs !== null) {
        // Counted from now: a request waiting behind others, or out a restart's backoff, times out too.
        job.timer = setTimeout(() => this.timedOut(job), timeoutMs);
        job.timer.unref();
      }
      this.queue.push(job);
      this.pump();
    });
  }

  /** Ends the workers: after a restore, so that the next reads open the restored file afresh. */
  async reset(): Promise<void> {
    const slots = this.slots.splice(0);
    for (const slot of slots)
      if (slot.job) {
        slot.job.slot = null;
        this.queue.unshift(slot.job);
      }
    await Promise.all(slots.map((s) => s.worker.terminate()));
    this.pump();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const failed = MonitoringError.collection("the engine is closed");
    for (const job of this.queue.splice(0)) {
      clearTimeout(job.timer);
      job.reject(failed);
    }
    const slots = this.slots.splice(0);
    for (const slot of slots) {
      clearTimeout(slot.job?.timer);
      slot.job?.reject(failed);
    }
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  private here(method: string, input: unknown): Promise<unknown> {
    return new Promise((resolve) => resolve(this.options.fallback(method, input)));
  }

  private pump(): void {
    while (this.queue.length > 0 && !this.closed) {
      if (this.broken) {
        for (const job of this.queue.splice(0)) this.answerHere(job);
        return;
      }
      const untimed = this.slots.filter((s) => s.job?.timeoutMs === null).length;
      const index = this.queue.findIndex((j) => j.timeoutMs !== null || untimed < this.size - 1);
      if (index === -1) return;
      const slot = this.slots.find((s) => s.job === null) ?? this.start();
      if (!slot) return;
      const job = this.queue.splice(index, 1)[0] as Job;
      slot.job = job;
      job.slot = slot;
      // A busy worker keeps the process alive until it answers; an idle one never does.
      slot.worker.ref();
      slot.worker.postMessage({ id: job.id, method: job.method, input: job.input } satisfies Request);
    }
  }

  /** The request fails with a typed error; a worker busy with it still is ended and replaced. */
  private timedOut(job: Job): void {
    const slot = job.slot;
    if (!slot) {
      const queued = this.queue.indexOf(job);
      if (queued === -1) return;
      this.queue.splice(queued, 1);
      job.reject(readTimeoutError(job.method, job.timeoutMs ?? 0));
      this.options.warn?.(
        `${job.method} waited longer than ${job.timeoutMs} ms for a read worker; it was dropped`,
      );
      return;
    }
    if (slot.job !== job) return;
    const index = this.slots.indexOf(slot);
    if (index !== -1) this.slots.splice(index, 1);
    job.reject(readTimeoutError(job.method, job.timeoutMs ?? 0));
    this.options.warn?.(
      `${job.method} ran longer than ${job.timeoutMs} ms on a read worker; it was stopped and the worker replaced`,
    );
    void slot.worker.terminate();
    this.pump();
  }

  /** A request answered in this thread; one without a timeout fails instead (it would hold the engine). */
  private answerHere(job: Job, error: MonitoringError = notHereError(job.method)): void {
    clearTimeout(job.timer);
    if (job.timeoutMs === null) job.reject(error);
    else this.here(job.method, job.input).then(job.resolve, job.reject);
  }

  /** A new idle worker, if the pool has room for one and is not waiting out a backoff. */
  private start(): Slot | null {
    if (this.slots.length >= this.size || this.restartTimer) return null;
    let worker: Worker;
    try {
      worker = new Worker(this.options.workerUrl, {
        workerData: { dbPath: this.options.dbPath } satisfies ReadWorkerData,
        stdout: true,
      });
    } catch (error) {
      this.giveUp(`cannot start a read worker: ${(error as Error).message}`);
      return null;
    }
    worker.stdout.resume();
    worker.unref();
    const slot: Slot = { worker, job: null };
    this.slots.push(slot);
    worker.on("message", (reply: Reply) => {
      const job = slot.job;
      if (!job || reply.id !== job.id) return;
      slot.job = null;
      clearTimeout(job.timer);
      this.deaths = 0;
      worker.unref();
      if (reply.ok) job.resolve(reply.result);
      else job.reject(rebuildError(reply.error));
      this.pump();
    });
    worker.on("error", (error) => this.options.warn?.(`a read worker failed: ${error.message}`));
    worker.on("exit", (code) => {
      const index = this.slots.indexOf(slot);
      if (index === -1) return; // ended by reset(), close() or a timeout
      this.slots.splice(index, 1);
      this.died(code);
      // Reads are idempotent: the request the worker held is answered here, unless it has no timeout.
      if (slot.job) this.answerHere(slot.job, workerEndedError(slot.job.method));
      this.pump();
    });
    return slot;
  }

  /** Counts a death; replacements wait a backoff that doubles per death in a row, until the pool gives up. */
  private died(code: number): void {
    if (++this.deaths >= MAX_WORKER_DEATHS) {
      this.giveUp(
        `read workers ended ${this.deaths} times in a row (the last with code ${code}); reads are answered on the engine's thread`,
      );
      return;
    }
    const first = this.options.restartBackoffMs ?? RESTART_BACKOFF_MS;
    const wait = Math.min(MAX_RESTART_BACKOFF_MS, first * 2 ** (this.deaths - 1));
    this.options.warn?.(`a read worker ended with code ${code}; a new one starts in ${wait} ms`);
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      this.pump();
    }, wait);
    this.restartTimer.unref();
  }

  private giveUp(message: string): void {
    if (this.broken) return;
    this.broken = true;
    this.options.warn?.(message);
  }
}

function bundleExists(url: URL): boolean {
  try {
    return url.protocol === "file:" && existsSync(fileURLToPath(url));
  } catch {
    return false;
  }
}

/** A read that ran past its timeout: retryable (a narrower range, or later, may answer in time). */
export function readTimeoutError(method: string, timeoutMs: number): MonitoringError {
  return MonitoringError.storage(
    `${method} took longer than ${timeoutMs < 1000 ? `${timeoutMs} ms` : `${Number((timeoutMs / 1000).toFixed(1))} s`} and was stopped; ask for a shorter range or try again`,
    undefined,
    true,
  );
}

/** A method without a timeout when no worker is left to run it. */
function notHereError(method: string): MonitoringError {
  return MonitoringError.storage(
    `${method} was stopped: the read workers stopped (the engine's log says why); restart the engine to try again`,
  );
}

/** A method without a timeout whose worker ended under it: asked again, a new worker runs it. */
function workerEndedError(method: string): MonitoringError {
  return MonitoringError.storage(`${method} was stopped: its read worker ended; try again`, undefined, true);
}

/** The error a handler threw, as the engine's callers know it (kind and message kept). */
function rebuildError(error: { name: string; kind?: string; message: string; retryable?: boolean }): Error {
  if (error.name === "MonitoringError" && error.kind)
    return new MonitoringError(error.kind as MonitoringErrorKind, error.message, error.retryable ?? false);
  if (error.name === "ApiInputError") {
    const rebuilt = new ApiInputError(error.kind ?? "input", error.message);
    rebuilt.message = error.message;
    return rebuilt;
  }
  return new Error(error.message);
}

/** The worker's side: answers each request from `handlers`, one at a time, in order. */
export function serveReads(port: MessagePort, handlers: SomeHandlers): void {
  port.on("message", async (request: Request) => {
    let reply: Reply;
    try {
      const handler = handlers[request.method as keyof SomeHandlers] as
        | ((input: unknown) => unknown)
        | undefined;
      if (!handler) throw new ApiInputError(request.method, "not served by the read pool");
      reply = { id: request.id, ok: true, result: await handler(request.input) };
    } catch (error) {
      const e = error as Error & { kind?: string; retryable?: boolean; method?: string };
      reply = {
        id: request.id,
        ok: false,
        error: {
          name: e.name ?? "Error",
          kind: e instanceof ApiInputError ? e.method : e.kind,
          message: e.message,
          retryable: e.retryable,
        },
      };
    }
    port.postMessage(reply);
  });
}
