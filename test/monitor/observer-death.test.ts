/**
 * An observer thread that dies without closing the session (an uncaught error in it): the wrapper's last
 * line still counts what was not recorded, from the numbers the thread kept up to date and the client's
 * messages that never reached it, and the exit status stays the server's.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ROOT, tempDir } from "../helpers/mcp.js";
import { initializeAndCall, runInProcess } from "./wrapper-in-process.js";

const DYING = pathToFileURL(join(ROOT, "test", "fixtures", "dying-observer-worker.mjs"));

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(async () => {
  await dir.cleanup();
});

it("a worker that dies at exit: the last line counts the calls it had not stored and the messages it never parsed", async () => {
  const run = runInProcess("dying", join(dir.path, "dying"), DYING);
  await initializeAndCall(run);
  run.stdin.end();

  expect(await run.status).toBe(3);
  const ours = run
    .err()
    .split("\n")
    .filter((l) => l.startsWith("mcpscope:"));
  expect(ours.slice(-2)).toEqual([
    "mcpscope: observation stopped (observer crashed); traffic is relayed unchanged",
    "mcpscope: observation ended early: 2 calls of this session were not recorded, and 2 messages from the client were not parsed (each may be a call); its last log lines and its end may not be stored; traffic was unaffected",
  ]);
});
