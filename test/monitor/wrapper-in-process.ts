/**
 * `mcpscope run` in this process, with an observer thread of the test's choosing (a fixture that dies,
 * or never answers), over in-memory streams, and the life-server fixture as the server: what the tests
 * of the wrapper's exit paths share.
 */
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { runWrapper } from "../../electron/monitor/proxy/run-wrapper.js";
import { CONDITION_MS, ROOT } from "../helpers/mcp.js";

export const LIFE_SERVER = join(ROOT, "test", "fixtures", "life-server.mjs");

export async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + CONDITION_MS;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export interface InProcessRun {
  status: Promise<number>;
  stdin: PassThrough;
  out(): string;
  err(): string;
}

/** Starts the wrapper on the life-server (exiting with code 3) with `workerUrl` as its observer thread. */
export function runInProcess(name: string, dataDir: string, workerUrl: URL): InProcessRun {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (chunk: Buffer) => {
    out += chunk.toString();
  });
  stderr.on("data", (chunk: Buffer) => {
    err += chunk.toString();
  });
  const status = runWrapper({
    command: process.execPath,
    args: [LIFE_SERVER, "--exit-code", "3"],
    name,
    dataDir,
    timeoutMs: 60_000,
    graceMs: 5_000,
    captureLimit: 64 * 1024,
    maxLineBytes: 16 * 1024 * 1024,
    workerUrl,
    stdin,
    stdout,
    stderr,
  });
  return { status, stdin, out: () => out, err: () => err };
}

/** The client's side of a short session: initialize, initialized, one answered call. */
export async function initializeAndCall(run: InProcessRun): Promise<void> {
  const send = (value: unknown) => run.stdin.write(`${JSON.stringify(value)}\n`);
  send({
    jsonrpc: "2.0",
    id: 0,
    method: "initialize",
    params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "1" } },
  });
  await until(() => run.out().includes('"id":0}'), "initialize answered");
  send({ jsonrpc: "2.0", method: "notifications/initialized" });
  send({
    jsonrpc: "2.0",
    id: 1,
    method: "tools/call",
    params: { name: "echo", arguments: { message: "a" } },
  });
  await until(() => run.out().includes('"id":1}'), "the call answered");
}
