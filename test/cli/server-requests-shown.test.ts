/**
 * A request the server sent its client (a user declining sampling) reads as the client's answer wherever
 * the CLI lists calls: `calls` and `session` name its direction, and `stats` lists it apart from the
 * server's own figures.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { cliOkInProcess } from "../helpers/cli-in-process.js";
import { tempDir } from "../helpers/mcp.js";
import { recordCalls } from "../metrics/workload.js";

let dir: Awaited<ReturnType<typeof tempDir>>;
let session: string;
beforeAll(async () => {
  dir = await tempDir();
  const at = Date.now() - 60_000;
  const ids = recordCalls(dir.path, [
    { server: "asker", method: "tools/call", target: "ask", outcome: "ok", startedAt: at, durationMs: 40 },
    {
      server: "asker",
      direction: "s2c",
      requestId: "s1",
      method: "sampling/createMessage",
      target: null,
      outcome: "client_error",
      errorCode: -1,
      startedAt: at + 10,
      durationMs: 20,
    },
  ]);
  session = ids.get("asker") ?? "";
});
afterAll(() => dir.cleanup());

const run = (...args: string[]) => cliOkInProcess([...args, "--data-dir", dir.path]).then((r) => r.stdout);
const lineOf = (text: string, needle: string) => text.split("\n").find((l) => l.includes(needle)) ?? "";

it("calls and session name the direction of the server's request, not of the client's", async () => {
  const calls = await run("calls");
  expect(lineOf(calls, "sampling/createMessage")).toContain("sampling/createMessage (server → client)");
  expect(lineOf(calls, "tools/call ask")).not.toContain("→");
  const timeline = await run("session", session);
  expect(lineOf(timeline, "sampling/createMessage")).toContain(
    "sampling/createMessage (server → client) → client_error",
  );
});

it("stats counts the server's request apart, with the client's answer", async () => {
  const stats = await run("stats");
  expect(stats).toContain("asker: 1 call, 0 errors (0.0%)");
  expect(stats).toContain("Requests it sent its client (not in its figures):");
  expect(lineOf(stats, "sampling/createMessage")).toMatch(/sampling\/createMessage\s+1\s+1 client_error/);
});
