/**
 * `mcpscope run`: the stdio wrapper an MCP client launches instead of the server. It relays bytes both
 * ways unchanged and first, then offers a copy to the observer worker. It fails open: whatever happens to
 * observation or storage, the session goes on, and the exit code is the server's.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { statSync } from "node:fs";
import { constants } from "node:os";
import { killAtExit, OWN_GROUPS, ProcessGroup, releaseAtExit } from "../process-group.js";
import { markWrapperRecording } from "../wrapper-presence.js";
import { preciseNow } from "./clock.js";
import { countLines } from "./copy-gaps.js";
import { type Observer, relayOnly, startObserver } from "./observer-thread.js";
import { StderrLines } from "./stderr-lines.js";
import { STOP_EXIT_MS, STOP_KILL_MS } from "./stop-budget.js";
import { pausable, relay } from "./stream-relay.js";
import type { CopyStream } from "./worker-protocol.js";

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
  /** `run --entry`: the id of the config entry that launched this (written by `mcpscope instrument`). */
  entry?: string;
  /** Where the observer worker's bundle is. */
  workerUrl: URL;
  /** How long the observer thread waits for the server's first stdout bytes before it starts anyway. */
  observerStartMs?: number;
  /** How long after the server's first stderr bytes, with no stdout bytes yet, the observer thread starts. */
  stderrStartMs?: number;
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
 * After the server exits, how long a process it started may hold its output open (and be relayed); after
 * a stop, how long the pipes may take to close once the server's group was killed (a process outside it
 * may still hold them).
 */
const AFTER_EXIT_OUTPUT_MS = 2000;
const AFTER_STOP_OUTPUT_MS = 200;

/**
 * When the observer thread starts, so that its start (tens of milliseconds of a core) competes neither
 * with the server's start nor with the first exchanges of the session: once the server has written its
 * first stdout bytes (its first answer, or a line it writes as it starts) and the traffic then pauses for
 * START_QUIET_MS, or START_SETTLE_MS after those bytes if it never pauses; or START_SETTLE_MS after its
 * first stderr bytes if no stdout bytes came by then (a server that logs but is not talked to yet: its
 * first lines are stored as promptly as later ones, and a server whose banner precedes its first answer
 * still starts it by the stdout rule); or START_AFTER_MS after the spawn without either, once the
 * traffic has carried START_AT_BYTES, or at exit. Until then the copies wait in the bounded queue, and the
 * exit drain stores them like any others.
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

  // Each signal is passed on to the server itself, once (as a client's kill of a bare server would reach
  // it). The first also starts the stop: kill the group if the server lingers, and end storing early.
  // The handlers are in place before the spawn (the server's own group no longer gets a signal sent to
  // the wrapper's, and the default action would end the wrapper without a word), and stay until the
  // wrapper is done: a signal during the exit drain ends the drain, not the wrapper.
  let stopping = false;
  let killTimer: NodeJS.Timeout | undefined;
  // Once the server has exited: end the relay of what it left holding its output (after a stop).
  let cutOff: () => void = () => {};
  /** The server and its observer, once they exist: a signal that came before waits for them. */
  let running: { child: ChildProcess; group: ProcessGroup; observer: Observer } | null = null;
  let held: NodeJS.Signals | null = null;
  const forward = (signal: NodeJS.Signals) => {
    if (!running) {
      held ??= signal;
      return;
    }
    const { child, group, observer } = running;
    if (!group.exited) child.kill(signal);
    if (stopping) return;
    stopping = true;
    observer.stop(Date.now() + STOP_EXIT_MS);
    if (!group.exited) {
      killTimer = setTimeout(() => group.kill("SIGKILL"), STOP_KILL_MS);
      killTimer.unref();
    } else cutOff();
  };
  const handlers = (["SIGINT", "SIGTERM", "SIGHUP"] as const).map((signal) => {
    const handler = () => forward(signal);
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  const removeHandlers = () => {
    for (const [signal, handler] of handlers) process.off(signal, handler);
  };

  // cross-spawn: on Windows, `npx` is `npx.cmd`, which plain spawn cannot start without a shell. Elsewhere
  // it is Node's spawn, so it is not loaded there: the server starts sooner.
  const spawnServer = process.platform === "win32" ? (await import("cross-spawn")).default : spawn;
  let child: ChildProcess;
  try {
    // A group of its own: a signal to the wrapper's group (a terminal's Ctrl-C) reaches the server once,
    // passed on by the wrapper, and the server's group can be killed as a whole.
    child = spawnServer(options.command, options.args, {
      stdio: ["pipe", "pipe", "pipe"],
      windowsHide: true,
      detached: OWN_GROUPS,
      env: { ...env, [OUTER_WRAPPER_ENV]: outer ?? options.name },
    });
  } catch (error) {
    removeHandlers();
    return startFailed(options, startedAt, outer, {
      message: `cannot start ${options.command}: ${(error as Error).message}`,
      code: 127,
    });
  }
  const { stdin, stdout, stderr } = streams();
  const spawned = await new Promise<Error | null>((resolve) => {
    child.once("spawn", () => resolve(null));
    child.once("error", (error) => resolve(error));
  });
  if (spawned) {
    removeHandlers();
    return startFailed(
      options,
      startedAt,
      outer,
      startFailure(options.command, spawned as NodeJS.ErrnoException),
    );
  }
  const group = new ProcessGroup(child, OWN_GROUPS);
  // If the wrapper itself ends abnormally (an uncaught error), the server does not outlive it.
  killAtExit(group);
  // Recording from now on, though the session row waits for the observer: `restore` must see it already.
  const unmarkRecording = outer ? () => {} : markWrapperRecording(options.dataDir, startedAt);

  // From here on the server writes to stderr too: the wrapper's lines go between the server's lines.
  const lines = new StderrLines(stderr);
  const say = (line: string) => lines.say(line);
  const observer = outer
    ? relayOnly(options.name, outer, say)
    : startObserver(options, startedAt, options.observerStartMs ?? START_AFTER_MS, say);
  observer.queue.post({ type: "child", pid: child.pid ?? null });
  running = { child, group, observer };
  if (held) forward(held);
  // Before the server's first stdout bytes, then settling (waiting for a pause), then started.
  let phase: "first bytes" | "settling" | "started" = outer ? "started" : "first bytes";
  let lastCopyAt = 0;
  let firstBytesAt = 0;
  let stderrTimer: NodeJS.Timeout | null = null;
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
    // Once observing, the queue reads the clock only for the reads it copies (not a long line's middle).
    const at = phase === "started" ? undefined : now();
    try {
      observer.queue.offer(stream, chunk, at);
    } catch (error) {
      // A fault in observation must not end the session: the bytes were forwarded already.
      observer.queue.markBroken();
      say(`mcpscope: observation stopped (${(error as Error).message}); traffic is relayed unchanged\n`);
    }
    if (at === undefined) return;
    lastCopyAt = at;
    // What the traffic carried, not what the queue counts (a whole slab per pack while a batch gathers).
    if (observer.queue.offeredBytes > START_AT_BYTES) startObserving();
    else if (phase === "first bytes" && stream === "out") {
      phase = "settling";
      firstBytesAt = at;
      setTimeout(settle, START_QUIET_MS).unref();
    } else if (phase === "first bytes" && stream === "err" && !stderrTimer) {
      stderrTimer = setTimeout(() => {
        if (phase === "first bytes") startObserving();
      }, options.stderrStartMs ?? START_SETTLE_MS);
      stderrTimer.unref();
    }
  };

  const childIn = child.stdin!;
  const childOut = child.stdout!;
  const childErr = child.stderr!;

  // Client → server. Forward first; back-pressure by pausing the source, never by buffering.
  // The client's lines, counted after forwarding: what a drain cut short may have left unparsed.
  let clientLines = 0;
  const clientInput = pausable(stdin, childIn);
  stdin.on("data", (chunk: Buffer) => {
    if (!childIn.destroyed && !childIn.write(chunk)) clientInput.pause();
    copy("in", chunk);
    clientLines += countLines(chunk);
  });
  let graceTimer: NodeJS.Timeout | undefined;
  let clientInputClosed = false;
  const clientClosedInput = () => {
    if (clientInputClosed) return;
    clientInputClosed = true;
    observer.queue.post({ type: "end", stream: "in", at: now() });
    childIn.end();
    // No more requests: the observer starts now if it has not, and need not give way to the traffic.
    phase = "started";
    observer.inputEnded();
    // The client is gone: give the server a grace period to exit on its own, then terminate it.
    graceTimer = setTimeout(() => {
      child.kill("SIGTERM");
      graceTimer = setTimeout(() => group.kill("SIGKILL"), options.graceMs);
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

  // Whether the client had begun to stop the server when it exited: told at the exit, not once the pipes
  // close, by which time a client that saw the server go may have closed its end too.
  let exitedOnItsOwn = false;
  const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    // The server's output is relayed to its end (what it wrote before exiting is still in the pipes).
    child.once("close", (code, signal) => resolve({ code, signal }));
    // A process the server started can hold the pipes open after the server exits: its output is relayed
    // for a while, not for ever. After a stop it is killed with the server's group at once, and the pipes
    // then close as soon as they are read.
    child.once("exit", (code, signal) => {
      exitedOnItsOwn = !clientInputClosed && !stopping;
      cutOff = () => {
        group.kill("SIGKILL");
        setTimeout(() => resolve({ code, signal }), AFTER_STOP_OUTPUT_MS).unref();
      };
      if (stopping) cutOff();
      else setTimeout(() => resolve({ code, signal }), AFTER_EXIT_OUTPUT_MS).unref();
    });
  });
  if (graceTimer) clearTimeout(graceTimer);
  if (killTimer) clearTimeout(killTimer);
  stdin.pause();

  // The server is gone; a grandchild may still hold its stderr open mid-line: what the wrapper says from
  // here on (and anything held) is written at once, not left behind a timer the exit would not wait for.
  lines.end();
  await observer.finish(
    { type: "exit", at: now(), exitCode: exit.code, signal: exit.signal, exitedOnItsOwn },
    clientLines,
  );
  unmarkRecording();
  removeHandlers();
  // Asked to stop: what the server left running goes with the wrapper (see killAtExit above).
  if (!stopping) releaseAtExit(group);
  return exitStatus(exit);
}

/** The server's exit status as a shell gives it: its exit code, or 128 + the number of the signal that ended it. */
function exitStatus(exit: { code: number | null; signal: NodeJS.Signals | null }): number {
  if (exit.signal) return 128 + (constants.signals[exit.signal] ?? 0);
  return exit.code ?? 1;
}

/**
 * The server could not be started: said in one line, then recorded as an event of its session where the
 * data dir takes it, bounded like any session's end and silent about its own problems (fail-open: the
 * exit code stays as a shell would give it).
 */
async function startFailed(
  options: RunOptions,
  startedAt: number,
  outer: string | null,
  failure: { message: string; code: number },
): Promise<number> {
  (options.stderr ?? process.stderr).write(`mcpscope: ${failure.message}\n`);
  if (outer) return failure.code; // the outer wrapper records its own server
  try {
    const observer = startObserver(options, startedAt, 0, () => {});
    observer.queue.post({ type: "child", pid: null });
    observer.queue.post({ type: "start_failed", at: Date.now(), message: failure.message });
    await observer.finish({ type: "exit", at: Date.now(), exitCode: null, signal: null }, 0);
  } catch {
    // Recording is best effort; the answer to the client is the line above and the exit code.
  }
  return failure.code;
}

/** The line and the exit status a shell would give: 127 for a command not found, 126 for one it cannot run. */
function startFailure(command: string, error: NodeJS.ErrnoException): { message: string; code: number } {
  if (error.code === "ENOENT")
    return {
      message: `cannot start ${command}: command not found; check the command and your PATH`,
      code: 127,
    };
  if (error.code === "EACCES") {
    const folder = isDirectory(command);
    return {
      message: `cannot start ${command}: ${folder ? "is a directory" : "permission denied; is it executable?"}`,
      code: 126,
    };
  }
  return { message: `cannot start ${command}: ${error.message}`, code: 126 };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
