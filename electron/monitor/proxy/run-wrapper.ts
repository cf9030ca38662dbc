/**
 * `mcpscope run`: the stdio wrapper an MCP client launches instead of the server. It relays bytes both
 * ways unchanged and first, then offers a copy to the observer worker. It fails open: whatever happens to
 * observation or storage, the session goes on, and the exit code is the server's.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { getCompileCacheDir } from "node:module";
import { constants } from "node:os";
import { dirname } from "node:path";
import type { Worker } from "node:worker_threads";
import { plural } from "../../../shared/plural.js";
import { preciseNow } from "./clock.js";
import { CopyQueue } from "./copy-queue.js";
import { HeldPort } from "./held-port.js";
import { CONTROL_SLOTS } from "./line-elider.js";
import { StderrLines } from "./stderr-lines.js";
import type { CopyStream, FromWorker, WorkerInit } from "./worker-protocol.js";

export interface RunOptions {
  command: string;
  args: string[];
  name: string;
  dataDir: string;
  timeoutMs: number;
  /** After the client closes stdin: how long the server has to exit before SIGTERM (then SIGKILL). */
  graceMs: number;
  captureLimit: number;
  maxLineBytes: number;
  /** `run --client`: the MCP client whose config launched this (written by `mcpscope instrument`). */
  client?: string;
  /** Where the observer worker's bundle is. */
  workerUrl: URL;
  /** How long the observer thread waits for the server's first stdout bytes before it starts anyway. */
  observerStartMs?: number;
  /** At exit, how long the observer may make no progress once its database is open (default 3 s). */
  exitIdleMs?: number;
  /** The environment the server inherits (default: this process's). */
  env?: NodeJS.ProcessEnv;
  stdin?: NodeJS.ReadableStream;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
}

const now = preciseNow;

/**
 * At exit, how long the observer may keep parsing its backlog, and how long it may take in all; and how
 * long it may go without progress once it has its database open (opening can wait out another process's
 * lock and run migrations: that is not a stall).
 */
const EXIT_PARSE_MS = 11_000;
const EXIT_DRAIN_MS = 15_000;
const EXIT_IDLE_MS = 3000;

/**
 * When the observer thread starts, so that its start (tens of milliseconds of a core) competes neither
 * with the server's start nor with the first exchanges of the session: once the server has written its
 * first stdout bytes (its first answer, or a line it writes as it starts) and the traffic then pauses for
 * START_QUIET_MS, or START_SETTLE_MS after those bytes if it never pauses; or START_AFTER_MS after the
 * spawn without them, once the traffic has carried START_AT_BYTES, or at exit. Until then the copies wait
 * in the bounded queue, and the exit drain stores them like any others.
 */
const START_QUIET_MS = 10;
const START_SETTLE_MS = 250;
const START_AFTER_MS = 2000;
const START_AT_BYTES = 256 * 1024;

/**
 * Set by a wrapper in its server's environment (to the server's name). A wrapper that finds it was
 * started under another wrapper (a config wrapped twice, by hand and by `mcpscope instrument`): the
 * outer one already records every call, so the inner one relays without recording them a second time.
 */
export const OUTER_WRAPPER_ENV = "MCPSCOPE_RUN_OUTER";

/** Resolves with the exit code the wrapper should exit with. */
export async function runWrapper(options: RunOptions): Promise<number> {
  // Read after the spawn: setting up a process's stdio streams takes milliseconds the server can use.
  const streams = () => ({
    stdin: options.stdin ?? process.stdin,
    stdout: options.stdout ?? process.stdout,
    stderr: options.stderr ?? process.stderr,
  });
  // Not the precise clock: its first reading loads perf_hooks, which the spawn need not wait for.
  const startedAt = Date.now();

  const env = options.env ?? process.env;
  const outer = env[OUTER_WRAPPER_ENV] || null;

  // cross-spawn: on Windows, `npx` is `npx.cmd`, which plain spawn cannot start without a shell. Elsewhere
  // it is Node's spawn, so it is not loaded there: the server starts sooner.
  const spawnServer = process.platform === "win32" ? (await import("cross-spawn")).default : spawn;
  let child: ChildProcess;
  try {
    child = spawnServer(options.command, options.args, {
      stdio: ["pipe", "pipe", "pipe"],
      windowsHide: true,
      env: { ...env, [OUTER_WRAPPER_ENV]: outer ?? options.name },
    });
  } catch (error) {
    return startFailed(
      options,
      startedAt,
      outer,
      `cannot start ${options.command}: ${(error as Error).message}`,
    );
  }
  const { stdin, stdout, stderr } = streams();
  const spawned = await new Promise<Error | null>((resolve) => {
    child.once("spawn", () => resolve(null));
    child.once("error", (error) => resolve(error));
  });
  if (spawned)
    return startFailed(
      options,
      startedAt,
      outer,
      startFailure(options.command, spawned as NodeJS.ErrnoException),
    );

  // From here on the server writes to stderr too: the wrapper's lines go between the server's lines.
  const lines = new StderrLines(stderr);
  const say = (line: string) => lines.say(line);
  const observer = outer ? relayOnly(options.name, outer, say) : startObserver(options, startedAt, say);
  observer.queue.post({ type: "child", pid: child.pid ?? null });
  // Before the server's first stdout bytes, then settling (waiting for a pause), then started.
  let phase: "first bytes" | "settling" | "started" = outer ? "started" : "first bytes";
  let lastCopyAt = 0;
  let firstBytesAt = 0;
  const startObserving = () => {
    phase = "started";
    // After whatever else is ready to forward: the bytes go first.
    setImmediate(observer.start);
  };
  const settle = () => {
    if (phase !== "settling") return;
    const at = now();
    if (at - lastCopyAt >= START_QUIET_MS || at - firstBytesAt >= START_SETTLE_MS) startObserving();
    else setTimeout(settle, START_QUIET_MS).unref();
  };
  const copy = (stream: CopyStream, chunk: Buffer) => {
    const at = now();
    try {
      observer.queue.offer(stream, chunk, at);
    } catch (error) {
      // A fault in observation must not end the session: the bytes were forwarded already.
      observer.queue.markBroken();
      say(`mcpscope: observation stopped (${(error as Error).message}); traffic is relayed unchanged\n`);
    }
    lastCopyAt = at;
    if (phase === "started") return;
    // What the traffic carried, not what the queue counts (a whole slab per pack while a batch gathers).
    if (observer.queue.offeredBytes > START_AT_BYTES) startObserving();
    else if (phase === "first bytes" && stream === "out") {
      phase = "settling";
      firstBytesAt = at;
      setTimeout(settle, START_QUIET_MS).unref();
    }
  };

  const childIn = child.stdin!;
  const childOut = child.stdout!;
  const childErr = child.stderr!;

  // Client → server. Forward first; back-pressure by pausing the source, never by buffering.
  stdin.on("data", (chunk: Buffer) => {
    if (!childIn.destroyed && !childIn.write(chunk)) {
      stdin.pause();
      childIn.once("drain", () => stdin.resume());
    }
    copy("in", chunk);
  });
  let graceTimer: NodeJS.Timeout | undefined;
  let clientInputClosed = false;
  const clientClosedInput = () => {
    if (clientInputClosed) return;
    clientInputClosed = true;
    observer.queue.post({ type: "end", stream: "in", at: now() });
    childIn.end();
    // The client is gone: give the server a grace period to exit on its own, then terminate it.
    graceTimer = setTimeout(() => {
      child.kill("SIGTERM");
      graceTimer = setTimeout(() => child.kill("SIGKILL"), options.graceMs);
      graceTimer.unref();
    }, options.graceMs);
    graceTimer.unref();
  };
  stdin.on("end", clientClosedInput);
  stdin.on("error", clientClosedInput);
  childIn.on("error", () => {
    // The server closed its stdin (or died): what the client still sends has nowhere to go.
  });

  // Server → client. If the client stops reading (closed its end), keep draining the server so that it
  // can finish and exit; what it writes is still observed.
  relay(childOut, stdout, (chunk) => copy("out", chunk));
  relay(
    childErr,
    stderr,
    (chunk) => copy("err", chunk),
    (chunk) => lines.relay(chunk),
  );
  childErr.once("end", () => lines.end());

  const forward = (signal: NodeJS.Signals) => () => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  const handlers = (["SIGINT", "SIGTERM", "SIGHUP"] as const).map((signal) => {
    const handler = forward(signal);
    process.on(signal, handler);
    return [signal, handler] as const;
  });

  const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once("close", (code, signal) => resolve({ code, signal }));
    // A grandchild that inherited the server's stdout can hold the pipes open after the server exits.
    child.once("exit", (code, signal) => setTimeout(() => resolve({ code, signal }), 2000).unref());
  });
  if (graceTimer) clearTimeout(graceTimer);
  for (const [signal, handler] of handlers) process.off(signal, handler);
  stdin.pause();

  // The server is gone; a grandchild may still hold its stderr open mid-line: what the wrapper says from
  // here on (and anything held) is written at once, not left behind a timer the exit would not wait for.
  lines.end();
  await observer.finish({ type: "exit", at: now(), exitCode: exit.code, signal: exit.signal });
  if (exit.signal) return 128 + (constants.signals[exit.signal] ?? 0);
  return exit.code ?? 1;
}

/**
 * Forwards `source` to `sink` with back-pressure (pause until drain), handing each chunk to `observe`
 * after it was forwarded. A sink that fails (the client closed it) is dropped, and `source` is drained.
 */
function relay(
  source: NodeJS.ReadableStream,
  sink: NodeJS.WritableStream,
  observe: (chunk: Buffer) => void,
  write: (chunk: Buffer) => boolean = (chunk) => sink.write(chunk),
): void {
  let sinkGone = false;
  const gone = () => {
    sinkGone = true;
    source.resume();
  };
  sink.on("error", gone);
  source.on("data", (chunk: Buffer) => {
    if (!sinkGone && !(sink as { destroyed?: boolean }).destroyed && !write(chunk)) {
      source.pause();
      sink.once("drain", () => source.resume());
    }
    observe(chunk);
  });
}

/**
 * The server could not be started: said in one line, then recorded as an event of its session where the
 * data dir takes it, bounded like any session's end and silent about its own problems (fail-open: the
 * exit code stays 127).
 */
async function startFailed(
  options: RunOptions,
  startedAt: number,
  outer: string | null,
  failure: string,
): Promise<number> {
  (options.stderr ?? process.stderr).write(`mcpscope: ${failure}\n`);
  if (outer) return 127; // the outer wrapper records its own server
  try {
    const observer = startObserver(options, startedAt, () => {});
    observer.queue.post({ type: "child", pid: null });
    observer.queue.post({ type: "start_failed", at: Date.now(), message: failure });
    await observer.finish({ type: "exit", at: Date.now(), exitCode: null, signal: null });
  } catch {
    // Recording is best effort; the answer to the client is the line above and the exit code.
  }
  return 127;
}

function startFailure(command: string, error: NodeJS.ErrnoException): string {
  if (error.code === "ENOENT")
    return `cannot start ${command}: command not found; check the command and your PATH`;
  if (error.code === "EACCES") return `cannot start ${command}: permission denied; is it executable?`;
  return `cannot start ${command}: ${error.message}`;
}

interface Observer {
  queue: CopyQueue;
  /** Starts the observer thread (once; later calls do nothing). */
  start(): void;
  finish(exit: Extract<import("./worker-protocol.js").ToWorker, { type: "exit" }>): Promise<void>;
}

/** An observer that records nothing, for a wrapper inside another one. */
function relayOnly(name: string, outer: string, say: (line: string) => void): Observer {
  say(
    `mcpscope: ${name} is already wrapped by mcpscope run (${outer}), which records its calls; relaying without recording them twice\n`,
  );
  const queue = new CopyQueue({ postMessage: () => {} });
  queue.markBroken();
  return { queue, start: () => {}, finish: async () => {} };
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
function startObserver(options: RunOptions, startedAt: number, say: (line: string) => void): Observer {
  const deadlineBuffer = new SharedArrayBuffer(8);
  const drainDeadline = new BigInt64Array(deadlineBuffer);
  // Made with the queue, not with the thread: copies are cut and counted from the first byte, and the
  // thread, started late, receives them with the copies that waited for it.
  const elision = new SharedArrayBuffer(4 * CONTROL_SLOTS);
  const progress = new SharedArrayBuffer(16);
  const port = new HeldPort();
  const queue = new CopyQueue(port, { packSmall: true });
  queue.elideLongLines("out", "in", new Int32Array(elision));
  queue.reportProgressIn(new BigInt64Array(progress));
  let worker: Worker | null = null;
  /** The worker has its database open: from then on, a long wait for its progress is a stall. */
  let ready = false;
  let closed: () => void = () => {};
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
      drainDeadline: deadlineBuffer,
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
        // The database took this session's writes, then refused even the last one: this line is the only
        // record of the loss. (One that never took a write said at the start that recording is off.)
        if (!message.stored && message.written > 0)
          say(
            `mcpscope: ${plural(message.unrecorded, "call")} of this session ${message.unrecorded === 1 ? "was" : "were"} not recorded, and its end could not be stored (the database refused writes); traffic was unaffected\n`,
          );
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
  const startTimer = setTimeout(start, options.observerStartMs ?? START_AFTER_MS);
  startTimer.unref();
  return {
    queue,
    start,
    async finish(exit) {
      // A session that ends before the thread started: it starts now, and stores what waited for it.
      start();
      const since = Date.now();
      // Past this, the worker stops parsing its backlog and counts the calls in it as unobserved, so that
      // it can still close the session's row with true counts before the hard limit below.
      Atomics.store(drainDeadline, 0, BigInt(since + EXIT_PARSE_MS));
      queue.postGaps(exit.at);
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
        if (Date.now() - since > EXIT_DRAIN_MS || (ready && idle > idleMs && Date.now() - since > idleMs))
          break;
        await Promise.race([done, new Promise((resolve) => setTimeout(resolve, 100).unref())]);
      }
      if (!finished) {
        say(
          `mcpscope: stopped storing observations at exit after ${Math.round((Date.now() - since) / 1000)} s (storage too slow; ${queue.pendingBytes} bytes not yet parsed); traffic was unaffected\n`,
        );
      }
      await worker?.terminate();
    },
  };
}
