/**
 * The SDK's stdio client transport, as mcpscope needs it: the same framing (the SDK's, in stdout-lines.ts,
 * and `serializeMessage`), plus what supervision needs and `StdioClientTransport` keeps private — the child's
 * exit code and signal, stderr line by line, an injectable `spawn`, and a stop that escalates from closing
 * stdin to SIGTERM to SIGKILL.
 *
 * On POSIX a server launched with the default spawn leads a process group of its own, and the signals go
 * to the whole group: a server started through a shell, `npx` or `uv run` is then stopped with whatever it
 * started, and a child that ignores its stdin closing cannot outlive the stop holding the server's output.
 */
import type { ChildProcess, SpawnOptions } from "node:child_process";
import { serializeMessage } from "@modelcontextprotocol/sdk/shared/stdio.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import crossSpawn from "cross-spawn";
import { MonitoringError } from "../errors.js";
import { killAtExit, OWN_GROUPS, ProcessGroup, releaseAtExit } from "../process-group.js";
import { LineSplitter } from "../protocol/line-splitter.js";
import { type Clock, systemClock } from "./clock.js";
import { StdoutBuffer } from "./stdout-lines.js";
import { DEFAULT_STOP_GRACE_MS } from "./stop-grace.js";

export type SpawnFn = (command: string, args: string[], options: SpawnOptions) => ChildProcess;

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ChildTransportOptions {
  command: string;
  args: string[];
  /** The whole environment of the child (nothing is inherited implicitly). */
  env: Record<string, string>;
  cwd?: string | null;
  /** Default: cross-spawn (what the SDK uses; it resolves `npx.cmd` and friends on Windows). */
  spawn?: SpawnFn;
  clock?: Clock;
  /** How long the child has after stdin closes, and again after SIGTERM. */
  graceMs?: number;
  /** Longest stderr line kept whole; longer ones are cut. */
  maxStderrLine?: number;
}

const defaultSpawn: SpawnFn = (command, args, options) => crossSpawn(command, args, options);

/** Started and not yet closed: what `closeLiveChildren` stops when the process is about to go. */
const live = new Set<ChildProcessTransport>();

/**
 * Stops every server this process launched that is still running (stdin closed, then SIGTERM, then
 * SIGKILL to each one's group): for an exit on a signal, when the servers would otherwise outlive it.
 */
export async function closeLiveChildren(): Promise<void> {
  await Promise.all([...live].map((transport) => transport.close()));
}

/** SIGKILL, at once, to every server this process launched that is still running (and its group). */
export function killLiveChildren(): void {
  for (const transport of live) transport.kill("SIGKILL");
}

export class ChildProcessTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  /** One line of the child's stderr, without its newline. */
  onstderr?: (line: string) => void;
  /** The child exited (before `onclose`). */
  onexit?: (exit: ChildExit) => void;

  private child: ChildProcess | null = null;
  private readonly buffer = new StdoutBuffer();
  private exitInfo: ChildExit | null = null;
  private exitWaiters: Array<() => void> = [];
  private closeWaiters: Array<() => void> = [];
  private closed = false;
  private spawned = false;
  private readonly clock: Clock;
  /**
   * Whether the child leads its own process group, signalled as a whole. Only with the default spawn: an
   * injected one may hand back a stand-in whose pid names no process of ours.
   */
  private readonly group: boolean;
  private processGroup: ProcessGroup | null = null;

  constructor(private readonly options: ChildTransportOptions) {
    this.clock = options.clock ?? systemClock();
    this.group = !options.spawn && OWN_GROUPS;
  }

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  /** How the child ended, once it has. */
  get exit(): ChildExit | null {
    return this.exitInfo;
  }

  async start(): Promise<void> {
    if (this.child) throw new Error("ChildProcessTransport already started");
    const { command, args, env, cwd } = this.options;
    const child = (this.options.spawn ?? defaultSpawn)(command, args, {
      env,
      cwd: cwd ?? undefined,
      stdio: ["pipe", "pipe", "pipe"],
      shell: false,
      windowsHide: true,
      detached: this.group,
    });
    this.child = child;
    live.add(this);
    const processGroup = new ProcessGroup(child, this.group, () => this.exitInfo !== null);
    this.processGroup = processGroup;
    // Out of the terminal's reach in their own groups, servers still running at exit are killed with it.
    if (this.group) killAtExit(processGroup);
    await new Promise<void>((resolve, reject) => {
      child.once("spawn", () => {
        this.spawned = true;
        resolve();
      });
      child.once("error", (error: NodeJS.ErrnoException) => {
        live.delete(this);
        releaseAtExit(processGroup);
        reject(startError(command, cwd, error));
      });
    });
    child.on("error", (error) => this.onerror?.(error));
    child.stdin?.on("error", (error) => this.onerror?.(error));
    child.stdout?.on("data", (chunk: Buffer) => {
      try {
        this.buffer.append(chunk);
      } catch (error) {
        this.onerror?.(error as Error);
        return;
      }
      for (;;) {
        let message: JSONRPCMessage | null;
        try {
          message = this.buffer.readMessage();
        } catch (error) {
          // A line that is not JSON-RPC (a stray log line on stdout): report it and go on.
          this.onerror?.(error as Error);
          continue;
        }
        if (message === null) break;
        this.onmessage?.(message);
      }
    });
    const splitter = new LineSplitter(
      {
        line: (bytes) => this.onstderr?.(bytes.toString("utf8").replace(/\r$/, "")),
        oversized: (head, _tail, total) =>
          this.onstderr?.(`${head.toString("utf8")}…[truncated ${total - head.length} bytes]`),
      },
      this.options.maxStderrLine ?? 16 * 1024,
    );
    child.stderr?.on("data", (chunk: Buffer) => splitter.push(chunk, 0));
    child.once("exit", (code, signal) => {
      this.exitInfo = { code, signal };
      this.onexit?.(this.exitInfo);
      for (const waiter of this.exitWaiters.splice(0)) waiter();
    });
    child.once("close", () => {
      live.delete(this);
      releaseAtExit(processGroup);
      splitter.end(0);
      this.buffer.clear();
      this.closed = true;
      for (const waiter of this.closeWaiters.splice(0)) waiter();
      this.onclose?.();
    });
  }

  async send(message: JSONRPCMessage): Promise<void> {
    const stdin = this.child?.stdin;
    if (!stdin || stdin.destroyed || this.exitInfo) throw new Error("the server process is not running");
    await new Promise<void>((resolve, reject) => {
      stdin.write(serializeMessage(message), (error) => (error ? reject(error) : resolve()));
    });
  }

  /** Sends a signal now (e.g. SIGKILL for a test of crash handling), to the child's group where it has one. */
  kill(signal: NodeJS.Signals = "SIGTERM"): void {
    this.processGroup?.kill(signal);
  }

  /**
   * Closes stdin; after `graceMs` sends SIGTERM; after another `graceMs`, SIGKILL. Then, if what the
   * child started still holds its output open, SIGTERM and SIGKILL to its group the same way. Resolves
   * once the child has exited and its output is closed, or the last wait ran out.
   */
  async close(): Promise<void> {
    const child = this.child;
    if (!child || !this.spawned || this.closed) return;
    const grace = this.options.graceMs ?? DEFAULT_STOP_GRACE_MS;
    if (!this.exitInfo) child.stdin?.end();
    await this.stop(() => this.waitExit(grace));
    if (this.group) await this.stop(() => this.waitClosed(grace));
  }

  /** Waits for `done` as things are, then after SIGTERM, then after SIGKILL, until one wait holds. */
  private async stop(done: () => Promise<boolean>): Promise<void> {
    for (const signal of [null, "SIGTERM", "SIGKILL"] as const) {
      if (signal) this.kill(signal);
      if (await done()) return;
    }
  }

  /** Resolves true when the child has exited, false after `ms`. */
  waitExit(ms: number): Promise<boolean> {
    if (this.exitInfo) return Promise.resolve(true);
    return this.waitFor(this.exitWaiters, ms);
  }

  /** Resolves true once the child has exited and its stdout and stderr have ended (all read), false after `ms`. */
  waitClosed(ms: number): Promise<boolean> {
    if (this.closed || !this.spawned) return Promise.resolve(this.closed);
    return this.waitFor(this.closeWaiters, ms);
  }

  private waitFor(waiters: Array<() => void>, ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const waiter = () => {
        this.clock.clearTimeout(timer);
        resolve(true);
      };
      const timer = this.clock.setTimeout(() => {
        const at = waiters.indexOf(waiter);
        if (at >= 0) waiters.splice(at, 1);
        resolve(false);
      }, ms);
      waiters.push(waiter);
    });
  }
}

function startError(command: string, cwd: string | null | undefined, error: NodeJS.ErrnoException): Error {
  const what =
    error.code === "ENOENT"
      ? cwd
        ? `command not found (or the working directory ${cwd} does not exist); check the command and your PATH`
        : "command not found; check the command and your PATH"
      : error.code === "EACCES"
        ? "permission denied; is it executable?"
        : error.message;
  return MonitoringError.collection(`cannot start ${command}: ${what}`, error);
}
