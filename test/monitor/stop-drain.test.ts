/**
 * A stop request (SIGTERM, as the MCP SDK's client sends 2 s after closing stdin) that comes while the
 * wrapper waits for a stuck observer at exit ends the wait: the wrapper says what it could not store,
 * counting the client's messages the observer never parsed, and returns the server's exit status. The
 * observer here never answers, so without the stop the wrapper would wait out its full drain limit (15 s).
 * A signal that comes before the server has even started is held and passed on once it has.
 */
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { runWrapper } from "../../electron/monitor/proxy/run-wrapper.js";
import { ROOT, tempDir } from "../helpers/mcp.js";
import { initializeAndCall, LIFE_SERVER, runInProcess, until } from "./wrapper-in-process.js";

const SILENT = pathToFileURL(join(ROOT, "test", "fixtures", "silent-observer-worker.mjs"));

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(async () => {
  await dir.cleanup();
});

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

it("a stop during the exit drain ends a stuck drain, counts the unparsed messages, and keeps the server's status", async () => {
  const before = new Set(process.listeners("SIGTERM"));
  const run = runInProcess("stuck", join(dir.path, "stuck"), SILENT);
  await initializeAndCall(run);
  const pid = Number(/life-server: pid (\d+)/.exec(run.err())?.[1]);
  run.stdin.end();
  await until(() => !running(pid), "the server exited");

  // The signal, as the process would deliver it to the wrapper's handler (not to the test runner's).
  const stop = process.listeners("SIGTERM").find((listener) => !before.has(listener));
  expect(stop).toBeDefined();
  (stop as (signal: NodeJS.Signals) => void)("SIGTERM");

  expect(await run.status).toBe(3);
  const ours = run
    .err()
    .split("\n")
    .filter((l) => l.startsWith("mcpscope:"));
  expect(ours.at(-1)).toMatch(
    /^mcpscope: stopped storing observations at exit after \d+\.\d s \(asked to stop\): 0 calls of this session were not recorded, and 3 messages from the client were not parsed \(each may be a call\); its last log lines and its end may not be stored; traffic was unaffected$/,
  );
  // Its handlers are gone with it.
  expect(process.listeners("SIGTERM").filter((listener) => !before.has(listener))).toEqual([]);
});

it("a signal that comes before the server exists is held, then passed on to it once it does", async () => {
  const before = new Set(process.listeners("SIGTERM"));
  const status = runWrapper({
    command: process.execPath,
    args: [LIFE_SERVER],
    name: "early-signal",
    dataDir: join(dir.path, "early-signal"),
    timeoutMs: 60_000,
    graceMs: 5_000,
    captureLimit: 64 * 1024,
    maxLineBytes: 16 * 1024 * 1024,
    workerUrl: pathToFileURL(join(ROOT, "dist", "observer-worker.mjs")),
    stdin: new PassThrough(),
    stdout: new PassThrough(),
    stderr: new PassThrough(),
  });
  // The wrapper has not even seen its server start: a Ctrl-C this early must not end it silently.
  const stop = process.listeners("SIGTERM").find((listener) => !before.has(listener));
  expect(stop, "no SIGTERM handler before the server started").toBeDefined();
  (stop as (signal: NodeJS.Signals) => void)("SIGTERM");
  // The server was ended by the signal passed on to it, as a bare one would be.
  expect(await status).toBe(128 + 15);
  expect(process.listeners("SIGTERM").filter((listener) => !before.has(listener))).toEqual([]);
});
