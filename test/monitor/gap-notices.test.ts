/**
 * When the wrapper drops copies of the server's answers (the observer is behind), the observer is told
 * promptly, with when the lost bytes were read: only requests sent before then may have lost their
 * answer. A request sent after it still ends with its real outcome (a hung server's `timeout`), not as
 * unobserved, so the timeout alert sees it.
 */
import { join } from "node:path";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { CopyQueue } from "../../electron/monitor/proxy/copy-queue.js";
import { WRAPPER_QUEUE } from "../../electron/monitor/proxy/observer-thread.js";
import type { ToWorker } from "../../electron/monitor/proxy/worker-protocol.js";
import { openDb } from "../../electron/monitor/store/db.js";
import { tempDir } from "../helpers/mcp.js";
import { observationOver, workerInit } from "../helpers/observation.js";

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(async () => {
  await dir.cleanup();
});

const BOUND = 1024 * 1024;
const line = (message: object) => Buffer.from(`${JSON.stringify({ jsonrpc: "2.0", ...message })}\n`);

it("a request sent after its server's answers were lost still times out when the server hangs", () => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
  try {
    const inbox: ToWorker[] = [];
    const queue = new CopyQueue(
      { postMessage: (message: ToWorker) => inbox.push(message) },
      { ...WRAPPER_QUEUE, maxInFlightBytes: BOUND },
    );
    const observation = observationOver(
      workerInit(dir.path, "hung", "hung"),
      join(dir.path, "mcpscope.db"),
      queue,
    );
    const work = () => {
      while (inbox.length > 0) observation.handle(inbox.shift() as ToWorker);
    };
    const t = Date.now();
    queue.offer("in", line({ id: 5, method: "tools/call", params: { name: "a" } }), t);
    // The observer stalls behind a large answer; the answer to 5 is then dropped.
    const note = {
      method: "notifications/message",
      params: { level: "debug", data: "x".repeat(200 * 1024) },
    };
    for (let i = 0; i < 5; i++) queue.offer("out", line(note), t + 1 + i);
    queue.offer("out", line({ id: 5, result: { content: [] } }), t + 10);
    // The observer catches up; the server hangs from here on. The client sends 6 half a second later.
    queue.acknowledge(BOUND);
    queue.offer("in", line({ id: 6, method: "tools/call", params: { name: "b" } }), t + 500);
    vi.advanceTimersByTime(20);
    // The loss of 5's answer is told with the batch, stamped with when the lost bytes were read.
    expect(inbox.filter((m) => m.type === "gap")).toEqual([
      expect.objectContaining({ stream: "out", droppedLines: 1, at: t + 10 }),
    ]);
    work();
    for (let at = t + 1000; at <= t + 70_000; at += 1000) observation.tick(at);
    queue.post({ type: "exit", at: t + 71_000, exitCode: 0, signal: null });
    work();

    const db = openDb(join(dir.path, "mcpscope.db"));
    try {
      const calls = db
        .prepare("SELECT target, outcome FROM calls WHERE session_id = 'hung' ORDER BY started_at")
        .all()
        .map((row) => `${String(row.target)}:${String(row.outcome)}`);
      const dropped = Number(db.prepare("SELECT dropped FROM sessions WHERE id = 'hung'").get()?.dropped);
      // 5 may have been answered in the lost bytes: not observed. 6 was sent after: the server hung on it.
      expect(calls).toEqual(["b:timeout"]);
      expect(dropped).toBe(1);
    } finally {
      db.close();
    }
  } finally {
    vi.useRealTimers();
  }
});
