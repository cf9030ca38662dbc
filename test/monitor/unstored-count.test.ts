/**
 * The count of calls the observer thread keeps up to date for the wrapper, which prints it if the thread
 * cannot close the session in time: at every point it is what would be lost if the thread stopped there,
 * also a request parsed whose answer has not come (or not been parsed) yet. The observer's own code over
 * a real database, in the test's thread.
 */

import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { packBatch } from "../../electron/monitor/proxy/copy-batch.js";
import { Observation } from "../../electron/monitor/proxy/observation.js";
import { drainDeadlineBuffer } from "../../electron/monitor/proxy/worker-protocol.js";
import { BatchWriter } from "../../electron/monitor/store/batch-writer.js";
import { openDb } from "../../electron/monitor/store/db.js";
import { tempDir } from "../helpers/mcp.js";

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(async () => {
  await dir.cleanup();
});

const call = (id: number) => ({
  jsonrpc: "2.0",
  id,
  method: "tools/call",
  params: { name: "echo", arguments: { message: `m${id}` } },
});
const answer = (id: number) => ({ jsonrpc: "2.0", id, result: { content: [] } });

it("counts parsed requests still waiting for their answer, and client lines skipped past the drain's deadline", () => {
  const path = join(dir.path, "mcpscope.db");
  const writer = new BatchWriter({ open: () => openDb(path) });
  const drainDeadline = drainDeadlineBuffer();
  const observation = new Observation(
    {
      dataDir: dir.path,
      sessionId: "unstored",
      server: "echo",
      command: "echo-server",
      startedAt: Date.now(),
      wrapperPid: process.pid,
      timeoutMs: 60_000,
      captureLimit: 64 * 1024,
      maxLineBytes: 4 << 20,
      client: null,
      drainDeadline,
    },
    writer,
    () => {},
  );
  const copy = (stream: "in" | "out", message: unknown) =>
    observation.handle(
      packBatch<"in" | "out", never>(
        [{ stream, at: Date.now(), bytes: new Uint8Array(Buffer.from(`${JSON.stringify(message)}\n`)) }],
        0,
      ).message,
    );

  copy("in", call(1));
  expect(observation.unstoredCalls, "a request waiting for its answer").toBe(1);
  copy("out", answer(1));
  expect(observation.unstoredCalls, "the call, queued for the next write").toBe(1);
  writer.flush();
  expect(observation.unstoredCalls, "the call, stored").toBe(0);

  copy("in", call(2));
  expect(observation.unstoredCalls).toBe(1);
  // The exit drain's parse deadline has passed: the rest is skipped, each client line a call not seen.
  Atomics.store(new BigInt64Array(drainDeadline), 0, 1n);
  copy("out", answer(2));
  copy("in", call(3));
  expect(observation.unstoredCalls, "call 2 waiting, call 3 skipped").toBe(2);

  // Closing the session turns those into what it records: nothing counted twice.
  observation.handle({ type: "exit", at: Date.now(), exitCode: 0, signal: null });
  expect(observation.unstoredCalls).toBe(observation.recorder.unrecordedCalls);
  expect(observation.unstoredCalls).toBe(2);
  const db = openDb(path, { readOnly: true });
  const rows = db.prepare("SELECT request_id, outcome FROM calls ORDER BY request_id").all();
  db.close();
  // Call 2's answer may have been among the skipped copies: counted as unobserved, as call 3 is.
  expect(rows.map((row) => ({ ...row }))).toEqual([{ request_id: "1", outcome: "ok" }]);
});
