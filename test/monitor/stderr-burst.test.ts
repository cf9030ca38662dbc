/**
 * A server that floods its stderr (a debug burst, a dumped stack) while the observer cannot keep up: the
 * wrapper's copy queue sheds log lines before calls, so the calls made during and after the burst are all
 * stored, the log lines it shed are counted as such, and a loss is counted while the session runs.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
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

/** The wrapper's queue (smaller bound) in front of an observer whose inbox is worked through on demand. */
function wrapper(sessionId: string) {
  const inbox: ToWorker[] = [];
  const queue = new CopyQueue(
    { postMessage: (message: ToWorker) => inbox.push(message) },
    { ...WRAPPER_QUEUE, maxInFlightBytes: BOUND },
  );
  const observation = observationOver(
    workerInit(dir.path, sessionId, "chatty"),
    join(dir.path, "mcpscope.db"),
    queue,
  );
  let at = Date.now();
  const offer = (stream: "in" | "out" | "err", text: string) => {
    at += 0.1;
    queue.offer(stream, Buffer.from(text), at);
  };
  return {
    queue,
    offer,
    call(id: number) {
      offer(
        "in",
        `${JSON.stringify({ jsonrpc: "2.0", id, method: "tools/call", params: { name: `x${id}` } })}\n`,
      );
      offer("out", `${JSON.stringify({ jsonrpc: "2.0", id, result: { content: [] } })}\n`);
    },
    work() {
      queue.flush();
      while (inbox.length > 0) observation.handle(inbox.shift() as ToWorker);
    },
    exit() {
      queue.postGaps();
      queue.post({ type: "exit", at: at + 1, exitCode: 0, signal: null });
      this.work();
    },
  };
}

function stored(sessionId: string) {
  const db = openDb(join(dir.path, "mcpscope.db"));
  try {
    const calls = db
      .prepare("SELECT target, outcome FROM calls WHERE session_id = ? ORDER BY started_at")
      .all(sessionId)
      .map((row) => `${String(row.target)}:${String(row.outcome)}`);
    const logs = Number(db.prepare("SELECT count(*) AS n FROM logs WHERE session_id = ?").get(sessionId)?.n);
    const gaps = db
      .prepare(
        "SELECT message, details FROM events WHERE session_id = ? AND type = 'protocol.observation_gap'",
      )
      .all(sessionId);
    const dropped = db.prepare("SELECT dropped FROM sessions WHERE id = ?").get(sessionId)?.dropped;
    return {
      calls,
      logs,
      gaps: gaps.map((row) => String(row.message)),
      gapStreams: gaps.map((row) => JSON.parse(String(row.details)).stream),
      dropped: dropped === undefined ? null : Number(dropped),
    };
  } finally {
    db.close();
  }
}

describe("a stderr burst the observer cannot keep up with", () => {
  it("sheds log lines, not calls: every call during and after the burst is stored", () => {
    const w = wrapper("burst");
    w.call(1);
    w.work();
    // The burst: 3.5 MiB of stderr (over three times the bound) while the observer is stalled, calls among it.
    const line = (n: number) => `[debug] line ${n} ${"p".repeat(40)}\n`;
    let lines = 0;
    for (let id = 2; id <= 11; id++) {
      // As a pipe reads it: at most 64 KiB at a time.
      for (let piece = 0; piece < 6; piece++) {
        let chunk = "";
        while (chunk.length < 60 * 1024) chunk += line(lines++);
        w.offer("err", chunk);
      }
      w.call(id);
    }
    // The burst is over; the observer catches up, and the calls go on.
    w.work();
    for (let id = 12; id <= 30; id++) w.call(id);
    w.exit();

    const result = stored("burst");
    expect(result.calls).toEqual(Array.from({ length: 30 }, (_, i) => `x${i + 1}:ok`));
    expect(result.dropped).toBe(0);
    // What was shed is said, in log lines, and adds up with what was stored.
    const shed = result.gaps.map((message) => Number(/^(\d+) stderr lines? /.exec(message)?.[1]));
    // One stretch of shedding, one notice with its totals, on the stream it was.
    expect(shed).toHaveLength(1);
    expect(result.gapStreams).toEqual(["server stderr"]);
    expect(result.logs + shed.reduce((a, b) => a + b, 0)).toBe(lines);
  });

  it("counts calls lost in dropped copies while the session runs, not only at its end", async () => {
    const w = wrapper("lost-live");
    w.call(1);
    w.work();
    // More calls than the bound holds while the observer is stalled: some copies are dropped.
    for (let id = 2; id <= 10_000; id++) w.call(id);
    // The client pauses: no copy follows the drop, yet the observer learns of it.
    // The observer works through what it is handed as it comes, as the worker does.
    await vi.waitFor(
      () => {
        w.work();
        expect(stored("lost-live").dropped).toBeGreaterThan(0);
      },
      { timeout: 5000 },
    );
    w.exit();
  });

  it("stores a stretch of shedding once, with its totals, while a slow observer lets some lines through", () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    try {
      const w = wrapper("flapping");
      const line = `[debug] ${"x".repeat(100)}\n`;
      const chunk = Buffer.from(line.repeat(10));
      const t = Date.now();
      // Call traffic the observer has not taken yet presses the queue.
      for (let i = 0; i < 300; i++) w.queue.offer("out", chunk, t + i);
      // Three seconds of logging, ten lines every 10 ms; the observer finishes two chunks every 50 ms, so
      // some lines get through between drops all along.
      for (let i = 0; i < 300; i++) {
        w.queue.offer("err", chunk, t + 1000 + i * 10);
        if (i % 5 === 4) w.queue.acknowledge(chunk.length * 2);
        vi.advanceTimersByTime(10);
      }
      vi.advanceTimersByTime(5000);
      w.exit();
      const result = stored("flapping");
      const shed = result.gaps.map((message) => Number(/^(\d+) stderr lines? /.exec(message)?.[1]));
      expect(shed).toHaveLength(1);
      const [lines = 0] = shed;
      expect(lines).toBeGreaterThan(0);
      expect(result.logs + lines).toBe(3000);
    } finally {
      vi.useRealTimers();
    }
  });
});
