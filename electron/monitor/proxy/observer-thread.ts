/**
 * The wrapper's side of its observer thread: starts it (late, see run-wrapper.ts), feeds it the copies
 * through the bounded queue, and at exit waits for it to store what is left, within bounds: a stuck
 * database must not hold the exit for long, and a wrapper asked to stop must be gone before its client's
 * own deadline. Whatever it could not store, its last stderr line counts.
 */
import { getCompileCacheDir } from "node:module";
import { dirname } from "node:path";
import type { Worker } from "node:worker_threads";
import { plural } from "../../../shared/plural.js";
import { AWAITING_UPGRADE, LOCKED } from "../lock-refusal.js";
import { CopyQueue, type CopyQueueOptions } from "./copy-queue.js";
import { HeldPort } from "./held-port.js";
import { CONTROL_SLOTS } from "./line-elider.js";
import type { RunOptions } from "./run-wrapper.js";
import { STOP_CLOSE_MS } from "./stop-budget.js";
import { drainDeadlineBuffer, type FromWorker, type ToWorker, type WorkerInit } from "./worker-protocol.js";

/**
 * At exit, how long the observer may keep parsing its backlog, and how long it may take in all; and how
 * long it may go without progress once it has its database open (opening can wait out another process's
 * lock and run migrations: that is not a stall).
 */
const EXIT_PARSE_MS = 11_000;
const EXIT_DRAIN_MS = 15_000;
const EXIT_IDLE_MS = 3000;

/**
 * The wrapper's copy queue: small copies packed, and log lines shed before calls, so that a stderr burst
 * the observer cannot keep up with leaves the calls room (calls are the primary record).
 */
export const WRAPPER_QUEUE: CopyQueueOptions = { packSmall: true, shedFirst: "err" };

export interface Observer {
  queue: CopyQueue;
  /** Starts the observer thread (once; later calls do nothing). */
  start(): void;
  /**
   * The client closed its input: the session is ending. The thread starts now if it has not, so that its
   * database is open before the server exits, and keeps its normal priority if it has not lowered it yet
   * (see observer-worker.ts).
   */
  inputEnded(): void;
  /**
   * The wrapper was asked to stop: the exit drain ends by `by` (epoch ms) at the latest, storing what it
   * can and counting the rest, and a locked database is not waited for. A thread that has not lowered
   * its priority yet keeps its normal one. One not started yet starts at the exit, not now: its start
   * (a tenth of a second of a core) then held up the server's own exit on a loaded machine.
   */
  stop(by: number): void;
  /** `clientLines`: the lines the client sent in all (the calls among them are what a stuck drain loses). */
  finish(exit: Extract<ToWorker, { type: "exit" }>, clientLines: number): Promise<void>;
}

/** An observer that records nothing, for a wrapper inside another one. */
export function relayOnly(name: string, outer: string, say: (line: string) => void): Observer {
  say(
    `mcpscope: ${name} is already wrapped by mcpscope run (${outer}), which records its calls; relaying without recording them twice\n`,
  );
  const queue = new CopyQueue({ postMessage: () => {} });
  queue.markBroken();
  return { queue, start: () => {}, inputEnded: () => {}, stop: () => {}, finish: async () => {} };
}

/**
 * The worker's environment: this process's, plus Node's compile cache where bin/mcpscope.js turned it on
 * (a worker does not inherit it, and it parses the largest bundle at every start). The setting names the
 * folder that holds the per-version cache folder.
 */
function workerEnv(): NodeJS.ProcessEnv {
  const cache = getCompileCacheDir?.();
  return cache ? { ...process.env, NODE_COMPILE_CACHE: dirname(cache) } : process.env;
}

/** Starts the observer worker. If it cannot start or dies, observation stops and traffic goes on. */
export function startObserver(
  options: RunOptions,
  startedAt: number,
  startAfterMs: number,
  say: (line: string) => void,
): Observer {
  const deadlineBuffer = drainDeadlineBuffer();
  const drainDeadline = new BigInt64Array(deadlineBuffer);
  const unstoredBuffer = new SharedArrayBuffer(16);
  const unstored = new BigInt64Array(unstoredBuffer);
  /** Asked to stop: when the exit drain ends at the latest (epoch ms). */
  let stopBy = Number.POSITIVE_INFINITY;
  let draining = false;
  let wake: () => void = () => {};
  // Made with the queue, not with the thread: copies are cut and counted from the first byte, and the
  // thread, started late, receives them with the copies that waited for it.
  const elision = new SharedArrayBuffer(4 * CONTROL_SLOTS);
  const progress = new SharedArrayBuffer(16);
  const port = new HeldPort();
  const queue = new CopyQueue(port, WRAPPER_QUEUE);
  queue.elideLongLines("out", "in", new Int32Array(elision));
  queue.reportProgressIn(new BigInt64Array(progress));
  let worker: Worker | null = null;
  /** The worker has its database open: from then on, a long wait for its progress is a stall. */
  let ready = false;
  let closed: () => void = () => {};
  /** The worker closed the session and said so (its own last line); not when it died or never started. */
  let answered = false;
  const done = new Promise<void>((resolve) => {
    closed = resolve;
  });
  let started = false;
  const start = () => {
    if (started) return;
    started = true;
    clearTimeout(startTimer);
    const init: WorkerInit = {
      dataDir: options.dataDir,
      // Made here, not before the spawn: the global crypto loads Node's crypto modules on first use.
      sessionId: crypto.randomUUID(),
      server: options.name,
      command: [options.command, ...options.args].join(" "),
      startedAt,
      wrapperPid: process.pid,
      timeoutMs: options.timeoutMs,
      captureLimit: options.captureLimit,
      maxLineBytes: options.maxLineBytes,
      client: options.client ?? null,
      entry: options.entry ?? null,
      drainDeadline: deadlineBuffer,
      unstored: unstoredBuffer,
      elision,
      progress,
    };
    try {
      // Loaded here, not at the top: worker_threads brings a dozen internal modules the spawn need not wait for.
      const { Worker } = process.getBuiltinModule("node:worker_threads");
      // The worker's stdout must never reach ours: ours is the client's protocol stream.
      worker = new Worker(options.workerUrl, {
        workerData: init,
        stdout: true,
        stderr: false,
        env: workerEnv(),
      });
      worker.stdout.resume();
    } catch (error) {
      say(`mcpscope: observation is off (${(error as Error).message}); traffic is relayed unchanged\n`);
      queue.markBroken();
      port.discard();
      closed();
      return;
    }
    worker.unref();
    worker.on("message", (message: FromWorker) => {
      if (message.type === "ack") {
        queue.acknowledge(message.bytes);
        if (message.slabs) queue.recycle(message.slabs);
      } else if (message.type === "ready") {
        ready = true;
        queue.acknowledge(0);
      } else if (message.type === "problem") say(`${message.message}\n`);
      else if (message.type === "closed") {
        answered = true;
        const line = lastLine(message);
        if (line) say(line);
        closed();
      }
    });
    worker.on("error", (error) => {
      queue.markBroken();
      say(`mcpscope: observation stopped (${error.message}); traffic is relayed unchanged\n`);
      closed();
    });
    worker.on("exit", () => {
      queue.markBroken();
      closed();
    });
    // Its progress is judged from now: the copies held until its start are not a stall.
    queue.acknowledge(0);
    try {
      port.attach(worker);
    } catch (error) {
      // Called from a timer: a throw here would end the wrapper, and the relay with it.
      queue.markBroken();
      port.discard();
      say(`mcpscope: observation stopped (${(error as Error).message}); traffic is relayed unchanged\n`);
      void worker.terminate();
    }
  };
  const startTimer = setTimeout(start, startAfterMs);
  startTimer.unref();
  /**
   * What was lost when the worker could not close the session itself: the calls it had not stored, and
   * the client's messages that never reached it, from the numbers it kept up to date.
   */
  const lostLine = () => {
    const lost = Number(Atomics.load(unstored, 0));
    const unparsed = Math.max(0, clientLinesAtExit - Number(Atomics.load(unstored, 1)));
    const more =
      unparsed > 0
        ? `, and ${plural(unparsed, "message")} from the client ${unparsed === 1 ? "was" : "were"} not parsed (each may be a call)`
        : "";
    return `${notRecorded(lost)}${more}; its last log lines and its end may not be stored; traffic was unaffected\n`;
  };
  let clientLinesAtExit = 0;
  /** Past this, the worker stops parsing its backlog and counts the calls in it as unobserved. */
  const parseUntil = (since: number) => Math.min(since + EXIT_PARSE_MS, stopBy - STOP_CLOSE_MS);
  return {
    queue,
    start,
    inputEnded() {
      Atomics.store(drainDeadline, 2, BigInt(Date.now()));
      start();
    },
    stop(by) {
      if (by >= stopBy) return;
      stopBy = by;
      Atomics.store(drainDeadline, 1, BigInt(by));
      if (draining) Atomics.store(drainDeadline, 0, BigInt(parseUntil(Date.now())));
      wake();
    },
    async finish(exit, clientLines) {
      // A session that ends before the thread started: it starts now, and stores what waited for it.
      start();
      clientLinesAtExit = clientLines;
      const since = Date.now();
      draining = true;
      // So that the worker can still close the session's row with true counts before the limits below.
      Atomics.store(drainDeadline, 0, BigInt(parseUntil(since)));
      queue.postGaps();
      queue.post(exit);
      // Bounded: a stuck database must not hold the exit for long. While the worker keeps making progress
      // (a backlog of observations after a busy session), wait for it, up to a hard limit.
      let finished = false;
      void done.then(() => {
        finished = true;
      });
      const idleMs = options.exitIdleMs ?? EXIT_IDLE_MS;
      while (!finished) {
        const idle = Date.now() - queue.lastAckAt;
        const at = Date.now();
        if (at - since > EXIT_DRAIN_MS || at >= stopBy || (ready && idle > idleMs && at - since > idleMs))
          break;
        await Promise.race([
          done,
          new Promise<void>((resolve) => {
            wake = resolve;
            setTimeout(resolve, Math.max(0, Math.min(100, stopBy - at))).unref();
          }),
        ]);
      }
      if (!finished) {
        const seconds = ((Date.now() - since) / 1000).toFixed(1);
        const why = Date.now() >= stopBy ? "asked to stop" : "storage too slow";
        say(`mcpscope: stopped storing observations at exit after ${seconds} s (${why}): ${lostLine()}`);
      } else if (!answered) say(`mcpscope: observation ended early: ${lostLine()}`);
      // A thread inside a SQLite call ends only when the call returns: not waited for past the stop deadline
      // (its lock waits are cut to it).
      const ended = worker?.terminate();
      if (Number.isFinite(stopBy)) await Promise.race([ended, sleep(stopBy - Date.now())]);
      else await ended;
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)).unref());
}

/** `3 calls of this session were not recorded` */
function notRecorded(calls: number): string {
  return `${plural(calls, "call")} of this session ${calls === 1 ? "was" : "were"} not recorded`;
}

/**
 * The wrapper's last line once the worker closed the session: whenever calls were lost, how many, and
 * whether the session's end (which holds that count) could be stored. A database that could not be opened
 * said so when it was tried (recording is off: none of the calls), in the session's one line.
 */
function lastLine(closed: Extract<FromWorker, { type: "closed" }>): string | null {
  const lost = closed.unrecorded;
  if (!closed.stored) {
    // Never opened for a lock held all along, or an upgrade that did not come: its rows were held, and
    // are lost only now.
    if (!closed.opened && closed.refusal !== LOCKED && closed.refusal !== AWAITING_UPGRADE) return null;
    const what = lost > 0 ? `${notRecorded(lost)}, and its end` : "this session's end";
    return `mcpscope: ${what} could not be stored (${closed.refusal ?? "the database refused writes"}); traffic was unaffected\n`;
  }
  if (lost === 0) return null;
  return `mcpscope: ${notRecorded(lost)} (the session's record counts them); traffic was unaffected\n`;
}
