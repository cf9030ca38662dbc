/**
 * The wrapper starts its observer thread only once the server has written to stdout (or at exit), so
 * that the thread's start does not compete with the server's. What passed before it started waits in the
 * bounded copy queue and is stored like everything else: the calls, the server's stderr, the session.
 * A few sparse lines before then do not start it; at exit the wrapper waits for a thread that is slow to
 * open its database; a thread the held copies cannot be handed to stops observation, never the relay.
 * Once started, the thread runs below the traffic's priority where the system allows it per thread, as
 * the HTTP proxy's observer thread does.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { PassThrough } from "node:stream";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { databasePath } from "../../electron/monitor/paths.js";
import { runWrapper } from "../../electron/monitor/proxy/run-wrapper.js";
import { OBSERVER_NICE } from "../../electron/monitor/proxy/thread-priority.js";
import { startHttpProxy } from "../../electron/monitor/proxy-http/http-proxy.js";
import { openDb } from "../../electron/monitor/store/db.js";
import { ROOT, tempDir, waitFor } from "../helpers/mcp.js";

const SERVER = join(ROOT, "test", "fixtures", "misbehaving-server.mjs");
const WORKER = pathToFileURL(join(ROOT, "test", "fixtures", "marking-observer-worker.mjs"));

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  if (!["observer-worker.mjs", "http-observer-worker.mjs"].every((f) => existsSync(join(ROOT, "dist", f))))
    throw new Error("dist/ is not built: run `node build/build.mjs node` (npm test builds first)");
  dir = await tempDir();
});
afterAll(async () => {
  await dir.cleanup();
});

/** A wrapper in this process around the misbehaving server, its stdio in memory. */
async function wrapper(
  name: string,
  options: { workerUrl?: URL; exitIdleMs?: number; stderrStartMs?: number } = {},
) {
  const dataDir = join(dir.path, name);
  await mkdir(dataDir);
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  const waiters = new Set<() => void>();
  stdout.on("data", (chunk: Buffer) => {
    out += chunk.toString();
    for (const wake of waiters) wake();
  });
  stderr.on("data", (chunk: Buffer) => {
    err += chunk.toString();
    for (const wake of waiters) wake();
  });
  const until = (test: () => boolean) =>
    new Promise<void>((resolve) => {
      const wake = () => {
        if (!test()) return;
        waiters.delete(wake);
        resolve();
      };
      waiters.add(wake);
      wake();
    });
  const exitCode = runWrapper({
    command: process.execPath,
    args: [SERVER],
    name,
    dataDir,
    timeoutMs: 60_000,
    graceMs: 5_000,
    captureLimit: 64 * 1024,
    maxLineBytes: 16 * 1024 * 1024,
    workerUrl: options.workerUrl ?? WORKER,
    exitIdleMs: options.exitIdleMs,
    // Only the server's first stdout bytes, or the exit, may start the thread in these tests
    // (unless a test lets its first stderr bytes start it).
    observerStartMs: 600_000,
    stderrStartMs: "stderrStartMs" in options ? options.stderrStartMs : 600_000,
    stdin,
    stdout,
    stderr,
  });
  return {
    dataDir,
    exitCode,
    send: (value: unknown) => stdin.write(`${JSON.stringify(value)}\n`),
    end: () => stdin.end(),
    stdoutHas: (needle: string) => until(() => out.includes(needle)),
    stderrHas: (needle: string) => until(() => err.includes(needle)),
    stderr: () => err,
    started: () => existsSync(join(dataDir, "observer-started")),
  };
}

function stored(dataDir: string, sql: string): Record<string, unknown>[] {
  const db = openDb(databasePath(dataDir), { readOnly: true });
  try {
    return db.prepare(sql).all() as Record<string, unknown>[];
  } finally {
    db.close();
  }
}

describe("the observer thread's late start", () => {
  it("stores a call made before the thread started, with the server's stderr from before it", async () => {
    const w = await wrapper("before-start");
    // The server is up and has read a line (it says so on stderr), but has written nothing to stdout.
    w.send({ cmd: "stderr_text", text: "server ready\n" });
    await w.stderrHas("server ready\n");
    expect(w.started(), "observer thread started before the server's first stdout byte").toBe(false);
    w.send({
      jsonrpc: "2.0",
      id: 1,
      method: "tools/call",
      params: { name: "echo", arguments: { message: "early" } },
    });
    await w.stdoutHas('"id":1');
    w.end();
    expect(await w.exitCode).toBe(0);
    expect(w.started()).toBe(true);
    expect(
      stored(w.dataDir, "SELECT request_id, method, target, outcome FROM calls").map((row) => ({ ...row })),
    ).toEqual([{ request_id: "1", method: "tools/call", target: "echo", outcome: "ok" }]);
    const lines = stored(w.dataDir, "SELECT message FROM logs").map((row) => row.message);
    expect(lines).toContain("server ready");
  });

  it("starts at exit when the server never wrote to stdout, and stores the session and its stderr", async () => {
    const w = await wrapper("never-answered");
    w.send({ cmd: "stderr_text", text: "cannot read config, giving up\n" });
    await w.stderrHas("giving up\n");
    expect(w.started()).toBe(false);
    w.send({ cmd: "exit", code: 3 });
    expect(await w.exitCode).toBe(3);
    expect(w.started()).toBe(true);
    expect(stored(w.dataDir, "SELECT server, exit_code FROM sessions").map((row) => ({ ...row }))).toEqual([
      { server: "never-answered", exit_code: 3 },
    ]);
    const lines = stored(w.dataDir, "SELECT message FROM logs").map((row) => row.message);
    expect(lines).toContain("cannot read config, giving up");
  });

  it("starts soon after the server's first stderr bytes when no stdout came, so its first lines are stored while it runs", async () => {
    const w = await wrapper("stderr-first", { stderrStartMs: undefined });
    w.send({ cmd: "stderr_text", text: "booting, no client yet\n" });
    await w.stderrHas("booting, no client yet\n");
    const lines = () => {
      try {
        return stored(w.dataDir, "SELECT message FROM logs").map((row) => row.message);
      } catch {
        return []; // the thread has not created the database yet
      }
    };
    await waitFor(() => lines().includes("booting, no client yet"));
    expect(w.started()).toBe(true);
    w.end();
    expect(await w.exitCode).toBe(0);
  });

  it("is not started by a few sparse lines before the server's first stdout byte", async () => {
    const w = await wrapper("sparse-stderr");
    // Twelve stderr lines 30 ms apart: each reaches the queue in a batch of its own.
    for (let i = 0; i < 12; i++) {
      w.send({ cmd: "sleep", ms: 30 });
      w.send({ cmd: "stderr_text", text: `warming up ${i}\n` });
    }
    await w.stderrHas("warming up 11\n");
    expect(w.started(), "observer thread started by a few hundred bytes of stderr").toBe(false);
    w.send({ jsonrpc: "2.0", id: 1, method: "ping" });
    await w.stdoutHas('"id":1');
    w.end();
    expect(await w.exitCode).toBe(0);
    expect(stored(w.dataDir, "SELECT method, outcome FROM calls").map((row) => ({ ...row }))).toEqual([
      { method: "ping", outcome: "ok" },
    ]);
    const lines = stored(w.dataDir, "SELECT message FROM logs").map((row) => row.message);
    expect(lines.filter((line) => String(line).startsWith("warming up"))).toHaveLength(12);
  });

  it("waits at exit for a thread started then that is slow to open its database", async () => {
    // The exit drain gives up after 500 ms without progress here (room for a slow commit on a busy
    // machine once the worker runs); the worker takes 1.5 s to open.
    const w = await wrapper("slow-open", {
      workerUrl: pathToFileURL(join(ROOT, "test", "fixtures", "slow-open-observer-worker.mjs")),
      exitIdleMs: 500,
    });
    w.send({ cmd: "stderr_text", text: "fatal: no config\n" });
    await w.stderrHas("no config\n");
    w.send({ cmd: "exit", code: 2 });
    expect(await w.exitCode).toBe(2);
    expect(w.stderr()).not.toContain("stopped storing observations");
    expect(stored(w.dataDir, "SELECT server, exit_code FROM sessions").map((row) => ({ ...row }))).toEqual([
      { server: "slow-open", exit_code: 2 },
    ]);
    const lines = stored(w.dataDir, "SELECT message FROM logs").map((row) => row.message);
    expect(lines).toContain("fatal: no config");
  });

  it("opening at exit is not held against the thread as a stall, and the call its lock held back is counted", async () => {
    // The thread is held up a second before its last word, as a busy machine holds it: no progress
    // meanwhile, which the drain would give up on after 200 ms once the database is open.
    const w = await wrapper("locked-open", {
      workerUrl: pathToFileURL(join(ROOT, "test", "fixtures", "starved-observer-worker.mjs")),
      exitIdleMs: 200,
    });
    // Another connection locks even readers out (as a migration or a VACUUM elsewhere can) for longer
    // than an open waits.
    openDb(databasePath(w.dataDir)).close();
    const lock = new DatabaseSync(databasePath(w.dataDir));
    lock.exec("PRAGMA locking_mode = EXCLUSIVE");
    lock.exec("BEGIN EXCLUSIVE; CREATE TABLE held_lock(x); INSERT INTO held_lock VALUES (1)");
    try {
      // In one write: the server exits at the first line, so the request (a call) is never answered and
      // the server never writes to stdout: the thread starts, and opens the database, at exit.
      w.send({ cmd: "exit", code: 2 });
      w.send({ jsonrpc: "2.0", id: 1, method: "ping" });
      expect(await w.exitCode).toBe(2);
    } finally {
      lock.exec("ROLLBACK");
      lock.close();
    }
    // Waited for (2 s of tries, then the held second: the lock is still being waited out, the database
    // never opened) though the drain gives up after 200 ms without progress once it is open: no "storage
    // too slow".
    const ours = w
      .stderr()
      .split("\n")
      .filter((line) => line.startsWith("mcpscope:"));
    // A lock is not a broken database: the open's line says the rows are held, and the last line counts
    // the call that was still held when the lock outlasted the exit.
    expect(ours).toEqual([
      expect.stringMatching(/database is locked; holding up to \d+ rows .*; traffic unaffected$/),
      "mcpscope: 1 call of this session was not recorded, and its end could not be stored (the database was locked by another process); traffic was unaffected",
    ]);
  });

  it("relays on when the copies held for the thread cannot be handed to it", async () => {
    // A real DataCloneError from the real worker's postMessage, as any message it cannot take would raise.
    const original = Worker.prototype.postMessage;
    Worker.prototype.postMessage = function (this: Worker, message: unknown, transfer?: never) {
      original.call(this, { message, unclonable: () => {} }, transfer);
    };
    try {
      const w = await wrapper("attach-fails");
      w.send({ jsonrpc: "2.0", id: 1, method: "ping" });
      await w.stdoutHas('"id":1');
      await w.stderrHas("mcpscope: observation stopped");
      w.send({ jsonrpc: "2.0", id: 2, method: "ping" });
      await w.stdoutHas('"id":2');
      w.end();
      expect(await w.exitCode).toBe(0);
      const said = w
        .stderr()
        .split("\n")
        .filter((line) => line.startsWith("mcpscope:"));
      expect(said).toHaveLength(2);
      expect(said[0]).toMatch(
        /^mcpscope: observation stopped \(.*could not be cloned.*\); traffic is relayed unchanged$/,
      );
      // The thread never had a message: both of the client's are counted as lost.
      expect(said[1]).toBe(
        "mcpscope: observation ended early: 0 calls of this session were not recorded, and 2 messages from the client were not parsed (each may be a call); its last log lines and its end may not be stored; traffic was unaffected",
      );
    } finally {
      Worker.prototype.postMessage = original;
    }
  });
});

/** The nice value of each thread of this process, by thread id (Linux). */
function threadNice(): Map<number, number> {
  const out = new Map<number, number>();
  for (const tid of readdirSync("/proc/self/task")) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
      out.set(Number(tid), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16]));
    } catch {
      // The thread ended meanwhile.
    }
  }
  return out;
}

describe("the observer thread's priority", () => {
  const base = process.platform === "linux" ? (threadNice().get(process.pid) ?? 0) : 0;
  it.skipIf(process.platform !== "linux" || OBSERVER_NICE <= 0 || base >= 19)(
    "runs below the traffic's priority, and the forwarding thread does not (Linux, at a priority that can be lowered: SKIPPED otherwise)",
    async () => {
      const target = Math.min(19, base + OBSERVER_NICE);
      expect(target).toBeGreaterThan(base);
      const lowered = () => [...threadNice().values()].filter((nice) => nice === target).length;
      const before = lowered();
      const w = await wrapper("priority");
      w.send({ jsonrpc: "2.0", id: 1, method: "ping" });
      await w.stdoutHas('"id":1');
      await vi.waitFor(() => expect(lowered()).toBe(before + 1), { timeout: 10_000, interval: 20 });
      expect(threadNice().get(process.pid)).toBe(base);
      w.end();
      expect(await w.exitCode).toBe(0);
    },
  );

  it.skipIf(process.platform !== "linux" || OBSERVER_NICE <= 0 || base >= 19)(
    "is not lowered once the client closed its input, and starts then: the session's end is stored at the traffic's priority",
    async () => {
      const dataDir = join(dir.path, "input-ended");
      await mkdir(dataDir);
      const stdin = new PassThrough();
      const stderr = new PassThrough();
      let err = "";
      stderr.on("data", (chunk: Buffer) => {
        err += chunk.toString();
      });
      // A server that stays after its stdin closes (as one that ignores it does), until a signal ends it.
      const exitCode = runWrapper({
        command: process.execPath,
        args: [
          "-e",
          `process.stderr.write("pid " + process.pid + "\\n"); process.stdin.resume(); setInterval(() => {}, 1 << 30)`,
        ],
        name: "input-ended",
        dataDir,
        timeoutMs: 60_000,
        graceMs: 600_000,
        captureLimit: 64 * 1024,
        maxLineBytes: 16 * 1024 * 1024,
        workerUrl: pathToFileURL(join(ROOT, "test", "fixtures", "nice-reporting-observer-worker.mjs")),
        // Neither the server's output nor a timer starts the thread here: only the client's stdin end.
        observerStartMs: 600_000,
        stderrStartMs: 600_000,
        stdin,
        stdout: new PassThrough(),
        stderr,
      });
      const pid = Number(await waitFor(() => /pid (\d+)/.exec(err)?.[1]));
      expect(existsSync(join(dataDir, "observer-started"))).toBe(false);
      stdin.end();
      const nice = await waitFor(() => {
        try {
          return readFileSync(join(dataDir, "observer-nice"), "utf8");
        } catch {
          return undefined;
        }
      });
      // Set up while the server still runs, and not below the traffic's priority.
      expect(() => process.kill(pid, 0)).not.toThrow();
      expect(Number(nice)).toBe(base);
      process.kill(pid, "SIGTERM");
      expect(await exitCode).toBe(128 + 15);
      expect(stored(dataDir, "SELECT exit_signal FROM sessions").map((row) => ({ ...row }))).toEqual([
        { exit_signal: "SIGTERM" },
      ]);
    },
  );

  it.skipIf(process.platform !== "linux" || OBSERVER_NICE <= 0 || base >= 19)(
    "is lowered for the HTTP proxy's observer too (Linux, at a priority that can be lowered: SKIPPED otherwise)",
    async () => {
      const target = Math.min(19, base + OBSERVER_NICE);
      const lowered = () => [...threadNice().values()].filter((nice) => nice === target).length;
      const before = lowered();
      const dataDir = join(dir.path, "http-priority");
      await mkdir(dataDir);
      const proxy = await startHttpProxy({
        upstream: new URL("http://127.0.0.1:9/mcp"),
        host: "127.0.0.1",
        port: 0,
        name: "priority",
        dataDir,
        timeoutMs: 60_000,
        captureLimit: 64 * 1024,
        maxLineBytes: 16 * 1024 * 1024,
        workerUrl: pathToFileURL(join(ROOT, "dist", "http-observer-worker.mjs")),
        report: () => {},
      });
      try {
        await vi.waitFor(() => expect(lowered()).toBe(before + 1), { timeout: 10_000, interval: 20 });
        expect(threadNice().get(process.pid)).toBe(base);
      } finally {
        await proxy.close();
      }
    },
  );
});
