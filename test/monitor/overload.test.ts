/**
 * The observer under overload: the forwarding thread's bounded copy queue in front of an observer that
 * cannot keep up (messages wait in its inbox, as behind a slow store), and an exit drain that runs out.
 * Every call the client made ends either stored with the outcome the server gave it, or counted in
 * `sessions.dropped`; never stored with an outcome it did not have.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SessionObserver } from "../../electron/monitor/protocol/session-observer.js";
import { batchItems } from "../../electron/monitor/proxy/copy-batch.js";
import { CopyQueue } from "../../electron/monitor/proxy/copy-queue.js";
import { CONTROL_SLOTS } from "../../electron/monitor/proxy/line-elider.js";
import type { ToWorker, WorkerInit } from "../../electron/monitor/proxy/worker-protocol.js";
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

/** The observer worker, but its inbox is only worked through when the test says (a slow store). */
function slowObserver(sessionId: string, maxInFlightBytes: number, options: { cut?: boolean } = {}) {
  const inbox: ToWorker[] = [];
  const queue = new CopyQueue({ postMessage: (message: ToWorker) => inbox.push(message) }, maxInFlightBytes);
  // As `mcpscope run` sets it up: long server lines cut at the source, progress in shared memory.
  const shared = options.cut
    ? { elision: new SharedArrayBuffer(4 * CONTROL_SLOTS), progress: new SharedArrayBuffer(16) }
    : {};
  if (shared.elision && shared.progress) {
    queue.elideLongLines("out", "in", new Int32Array(shared.elision));
    queue.reportProgressIn(new BigInt64Array(shared.progress));
  }
  const init: WorkerInit = workerInit(dir.path, sessionId, "echo", shared);
  const current = observationOver(init, join(dir.path, "mcpscope.db"), queue);
  let cutLines = 0;
  return {
    queue,
    /** Lines the copy cut (their middles left out) among the messages worked through. */
    get cutLines() {
      return cutLines;
    },
    /** Works through `count` waiting messages (all by default). */
    work(count = Number.POSITIVE_INFINITY) {
      for (let i = 0; i < count && inbox.length > 0; i++) {
        const message = inbox.shift() as ToWorker;
        if (message.type === "chunks")
          cutLines += batchItems(message.batch).filter((item) => "elided" in item && item.elided).length;
        current.handle(message);
      }
    },
    expireDrain() {
      Atomics.store(new BigInt64Array(init.drainDeadline), 0, 1n);
    },
  };
}

const request = (id: number) =>
  `${JSON.stringify({ jsonrpc: "2.0", id, method: "tools/call", params: { name: "echo", arguments: { message: `call ${id} ${"x".repeat(id % 90)}` } } })}\n`;
/** Every fifth call is a tool error: the stored outcome must say so, and only for those. */
const response = (id: number) =>
  `${JSON.stringify({ jsonrpc: "2.0", id, result: { content: [{ type: "text", text: `echo ${id}` }], isError: id % 5 === 0 } })}\n`;
const expectedOutcome = (id: number) => (id % 5 === 0 ? "tool_error" : "ok");
/** A long answer as the SDK writes it: `isError` after the text, the id last. */
const longResponse = (id: number) =>
  `{"result":{"content":[{"type":"text","text":"echo ${id} ${"y".repeat(100_000 + id)}"}],"isError":${id % 5 === 0}},"jsonrpc":"2.0","id":${id}}\n`;

/**
 * A client with three calls in flight; some lines reach the copy queue in two pieces. The observer works
 * through its inbox only every `workEvery` calls, so the 3 KiB queue overflows again and again.
 */
function traffic(
  observer: ReturnType<typeof slowObserver>,
  calls: number,
  options: { workEvery: number; onCall?: (id: number) => void; answer?: (id: number) => string },
) {
  const answer = options.answer ?? response;
  let at = Date.now();
  const offer = (stream: "in" | "out", text: string) => {
    const bytes = Buffer.from(text);
    // Pipes read at most 64 KiB at a time.
    const pieces: Buffer[] = [];
    for (let from = 0; from < bytes.length; from += 65536) pieces.push(bytes.subarray(from, from + 65536));
    if (text.length % 3 === 0 && bytes.length <= 65536)
      pieces.splice(0, 1, bytes.subarray(0, 40), bytes.subarray(40));
    for (const piece of pieces) {
      at += 0.05;
      observer.queue.offer(stream, piece, at);
      observer.queue.flush();
    }
  };
  for (let id = 1; id <= calls; id++) {
    options.onCall?.(id);
    offer("in", request(id));
    if (id > 3) offer("out", answer(id - 3));
    if (id % options.workEvery === 0) observer.work();
  }
  for (let id = Math.max(1, calls - 2); id <= calls; id++) offer("out", answer(id));
  at += 1;
  observer.queue.postGaps();
  observer.queue.post({ type: "exit", at, exitCode: 0, signal: null });
  observer.work();
}

function stored(sessionId: string) {
  const db = openDb(join(dir.path, "mcpscope.db"));
  try {
    const calls = db
      .prepare("SELECT request_id, outcome FROM calls WHERE session_id = ? ORDER BY id")
      .all(sessionId)
      .map((row) => ({ id: Number(row.request_id), outcome: String(row.outcome) }));
    const session = db.prepare("SELECT dropped FROM sessions WHERE id = ?").get(sessionId);
    const gaps = db
      .prepare("SELECT count(*) AS n FROM events WHERE session_id = ? AND type = 'protocol.observation_gap'")
      .get(sessionId);
    const strays = db
      .prepare(
        "SELECT count(*) AS n FROM events WHERE session_id = ? AND type IN ('protocol.unknown_response_id', 'protocol.invalid_json')",
      )
      .get(sessionId);
    return {
      calls,
      dropped: Number(session?.dropped),
      gapEvents: Number(gaps?.n ?? 0),
      strayEvents: Number(strays?.n ?? 0),
    };
  } finally {
    db.close();
  }
}

describe("the observer under overload", () => {
  it("stores each call it saw whole with its true outcome, and counts every other call as dropped", () => {
    const observer = slowObserver("overload-1", 3 * 1024);
    traffic(observer, 600, { workEvery: 25 });

    const result = stored("overload-1");
    for (const call of result.calls) expect(call.outcome, `call ${call.id}`).toBe(expectedOutcome(call.id));
    expect(new Set(result.calls.map((c) => c.id)).size).toBe(result.calls.length);
    // Overload happened, some calls got through, and the counter is in calls: stored + dropped = made.
    expect(result.gapEvents).toBeGreaterThan(0);
    expect(result.calls.length).toBeGreaterThan(0);
    expect(result.dropped).toBeGreaterThan(0);
    expect(result.calls.length + result.dropped).toBe(600);
    // Answers to lost requests and the rest of a cut line are expected after a gap, not protocol errors.
    expect(result.strayEvents).toBe(0);
  });

  it("with long answers cut at the source: true outcomes or counted, stored text capped", () => {
    // Worked through every 10 calls: 10 whole heads (68 KiB) would not fit in 400 KiB; short ones do.
    const roomy = slowObserver("overload-cut", 400 * 1024, { cut: true });
    traffic(roomy, 200, { workEvery: 10, answer: longResponse });
    expect(roomy.cutLines).toBeGreaterThan(100);
    const kept = stored("overload-cut");
    for (const call of kept.calls) expect(call.outcome, `call ${call.id}`).toBe(expectedOutcome(call.id));
    expect(kept.calls.length).toBe(200);
    expect(kept.dropped).toBe(0);

    // Not even the short copies fit: some are dropped, and counted.
    const tight = slowObserver("overload-cut-tight", 100 * 1024, { cut: true });
    traffic(tight, 200, { workEvery: 10, answer: longResponse });
    const result = stored("overload-cut-tight");
    for (const call of result.calls) expect(call.outcome, `call ${call.id}`).toBe(expectedOutcome(call.id));
    expect(result.calls.length).toBeGreaterThan(0);
    expect(result.dropped).toBeGreaterThan(0);
    expect(result.calls.length + result.dropped).toBe(200);
    expect(result.strayEvents).toBe(0);
  });

  it("when the exit drain runs out, the calls in the skipped backlog are counted, not lost or mislabelled", () => {
    const observer = slowObserver("overload-2", 64 * 1024 * 1024);
    // The queue is big enough to hold everything; the observer falls behind and the drain expires
    // while a backlog of calls is still unparsed.
    traffic(observer, 900, {
      workEvery: 1_000_000,
      onCall: (id) => {
        if (id === 300) observer.work();
        if (id === 600) observer.expireDrain();
      },
    });

    const result = stored("overload-2");
    for (const call of result.calls) expect(call.outcome, `call ${call.id}`).toBe(expectedOutcome(call.id));
    expect(result.calls.length).toBeGreaterThanOrEqual(290);
    expect(result.calls.length).toBeLessThan(300);
    expect(result.calls.length + result.dropped).toBe(900);
  });

  it("a request let go by the pending bound is counted as unobserved, not stored as disconnected", () => {
    const calls: string[] = [];
    const events: string[] = [];
    let unobserved = 0;
    const observer = new SessionObserver(
      {
        call: (call) => calls.push(`${call.requestId}:${call.outcome}`),
        log: () => {},
        protocolEvent: (event) => events.push(event.type),
        session: () => {},
        unobserved: (n) => {
          unobserved += n;
        },
      },
      { maxPending: 2 },
    );
    const line = (text: string) => Buffer.from(text.trimEnd());
    for (const id of [1, 2, 3]) observer.line("in", line(request(id)), id);
    // The server was slow, not gone: every answer comes.
    for (const id of [1, 2, 3]) observer.line("out", line(response(id)), 10 + id);
    observer.close(20);
    expect(calls).toEqual(["2:ok", "3:ok"]);
    expect(unobserved).toBe(1);
    expect(events).toEqual([]);
  });

  it("a request whose answer was lost does not time out or disconnect: it ends unobserved", () => {
    const calls: string[] = [];
    let unobserved = 0;
    const observer = new SessionObserver(
      {
        call: (call) => calls.push(`${call.requestId}:${call.outcome}`),
        log: () => {},
        protocolEvent: () => {},
        session: () => {},
        unobserved: (n) => {
          unobserved += n;
        },
      },
      { timeoutMs: 1000 },
    );
    const line = (text: string) => Buffer.from(text.trimEnd());
    observer.line("in", line(request(1)), 0);
    observer.line("in", line(request(2)), 0);
    observer.line("in", line(request(3)), 0);
    observer.gap("out", 4);
    observer.line("out", line(response(2)), 10);
    observer.tick(5000); // 1 would time out, had its answer not possibly been lost
    observer.line("in", line(request(4)), 5000);
    observer.close(5100); // 3 would disconnect; 4 was sent after the gap and truly never answered
    expect(calls).toEqual(["2:ok", "4:disconnected"]);
    expect(unobserved).toBe(2);
  });
});
