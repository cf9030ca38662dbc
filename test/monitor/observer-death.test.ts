/**
 * An observer thread that dies without closing the session (an uncaught error in it): the wrapper's last
 * line still counts what was not recorded, from the numbers the thread kept up to date and the client's
 * messages that never reached it, and the exit status stays the server's.
 */
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { runWrapper } from "../../electron/monitor/proxy/run-wrapper.js";
import { ROOT, tempDir } from "../helpers/mcp.js";

const SERVER = join(ROOT, "test", "fixtures", "life-server.mjs");
const DYING = pathToFileURL(join(ROOT, "test", "fixtures", "dying-observer-worker.mjs"));

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(async () => {
  await dir.cleanup();
});

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

it("a worker that dies at exit: the last line counts the calls it had not stored and the messages it never parsed", async () => {
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
    args: [SERVER, "--exit-code", "3"],
    name: "dying",
    dataDir: join(dir.path, "dying"),
    timeoutMs: 60_000,
    graceMs: 5_000,
    captureLimit: 64 * 1024,
    maxLineBytes: 16 * 1024 * 1024,
    workerUrl: DYING,
    stdin,
    stdout,
    stderr,
  });
  const send = (value: unknown) => stdin.write(`${JSON.stringify(value)}\n`);
  send({
    jsonrpc: "2.0",
    id: 0,
    method: "initialize",
    params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "1" } },
  });
  await until(() => out.includes('"id":0}'), "initialize answered");
  send({ jsonrpc: "2.0", method: "notifications/initialized" });
  send({
    jsonrpc: "2.0",
    id: 1,
    method: "tools/call",
    params: { name: "echo", arguments: { message: "a" } },
  });
  await until(() => out.includes('"id":1}'), "the call answered");
  stdin.end();

  expect(await status).toBe(3);
  const ours = err.split("\n").filter((l) => l.startsWith("mcpscope:"));
  expect(ours.slice(-2)).toEqual([
    "mcpscope: observation stopped (observer crashed); traffic is relayed unchanged",
    "mcpscope: observation ended early: 2 calls of this session were not recorded, and 2 messages from the client were not parsed (each may be a call); its end may not be stored; traffic was unaffected",
  ]);
});
