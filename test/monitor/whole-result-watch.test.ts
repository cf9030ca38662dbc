/**
 * Answers the observer must read whole (initialize, tools/list, server/discover) are never cut, so the
 * forwarding thread copies long lines whole while one may be pending: it counts the methods' names in the
 * client's bytes as they are forwarded. Here, through the real copy queue and observer worker code: that
 * count goes back to what is really pending, whether a name was only mentioned (a tool's arguments), its
 * request ended without an answer, or its copy was lost, so long answers are cut again after.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CopyQueue } from "../../electron/monitor/proxy/copy-queue.js";
import { CONTROL_SLOTS, CONTROL_WHOLE } from "../../electron/monitor/proxy/line-elider.js";
import type { ToWorker, WorkerInit } from "../../electron/monitor/proxy/worker-protocol.js";
import { openDb } from "../../electron/monitor/store/db.js";
import { tempDir } from "../helpers/mcp.js";
import { observationOver } from "../helpers/observation.js";

const MIB = 1024 * 1024;
const TIMEOUT_MS = 60_000;

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(async () => {
  await dir.cleanup();
});

/** `mcpscope run`'s two threads, but the observer works through its inbox only when the test says. */
function wrapper(sessionId: string, maxInFlightBytes = 32 * MIB) {
  const inbox: ToWorker[] = [];
  const queue = new CopyQueue({ postMessage: (message: ToWorker) => inbox.push(message) }, maxInFlightBytes);
  const control = new Int32Array(new SharedArrayBuffer(4 * CONTROL_SLOTS));
  const progress = new SharedArrayBuffer(16);
  queue.elideLongLines("out", "in", control);
  queue.reportProgressIn(new BigInt64Array(progress));
  const init: WorkerInit = {
    dataDir: dir.path,
    sessionId,
    server: "everything",
    command: "server",
    startedAt: Date.now(),
    wrapperPid: process.pid,
    timeoutMs: TIMEOUT_MS,
    captureLimit: 64 * 1024,
    maxLineBytes: 16 * MIB,
    client: null,
    drainDeadline: new SharedArrayBuffer(8),
    elision: control.buffer as SharedArrayBuffer,
    progress,
  };
  const current = observationOver(init, join(dir.path, "mcpscope.db"), queue);
  let at = Date.now();
  /** Long answers copied as head and tail, among the messages handed over so far. */
  const cut = () => inbox.reduce((n, m) => n + (m.type === "chunks" ? m.batch.elided.length : 0), 0);
  return {
    at: () => at,
    /** The forwarding thread forwards `text` and offers its copy in pipe-sized reads. */
    send(stream: "in" | "out", text: string) {
      const bytes = Buffer.from(`${text}\n`);
      for (let from = 0; from < bytes.length; from += 65536) {
        at += 0.1;
        queue.offer(stream, bytes.subarray(from, from + 65536), at);
      }
      queue.flush();
    },
    /** The forwarding thread forwards `text`; its copy waits in the batch being gathered. */
    gather(stream: "in" | "out", text: string) {
      at += 0.1;
      queue.offer(stream, Buffer.from(`${text}\n`), at);
    },
    /** Answers are cut when they are sent now: a line this long would be copied as head and tail. */
    cutsNext(): boolean {
      const before = cut();
      this.send(
        "out",
        `{"jsonrpc":"2.0","method":"notifications/message","params":{"data":"${"n".repeat(MIB)}"}}`,
      );
      return cut() > before;
    },
    whole: () => Atomics.load(control, CONTROL_WHOLE),
    work() {
      while (inbox.length > 0) current.handle(inbox.shift() as ToWorker);
    },
    tick(now: number) {
      current.tick(now);
    },
    end() {
      at += 1;
      queue.postGaps();
      queue.post({ type: "exit", at, exitCode: 0, signal: null });
      this.work();
    },
  };
}

const request = (id: number, method: string, params: unknown = {}) =>
  JSON.stringify({ jsonrpc: "2.0", id, method, params });
const answer = (id: number, result: unknown) => JSON.stringify({ jsonrpc: "2.0", id, result });
/** A 1 MiB tool result as the SDK writes it (`isError` after the content, the id last). */
const bigResult = (id: number) =>
  `{"result":{"content":[{"type":"text","text":"${"r".repeat(MIB)}"}],"isError":false},"jsonrpc":"2.0","id":${id}}`;
const TOOLS = {
  tools: [{ name: "echo", inputSchema: { type: "object", description: "t".repeat(200_000) } }],
};

function stored(sessionId: string) {
  const db = openDb(join(dir.path, "mcpscope.db"));
  try {
    const calls = db
      .prepare("SELECT request_id, method, outcome FROM calls WHERE session_id = ? ORDER BY id")
      .all(sessionId)
      .map((row) => `${row.request_id}:${row.method}:${row.outcome}`);
    const session = db.prepare("SELECT dropped FROM sessions WHERE id = ?").get(sessionId);
    return { calls, dropped: Number(session?.dropped) };
  } finally {
    db.close();
  }
}

describe("the count of requests for whole answers", () => {
  it("holds while such a request is pending, and its long answer is copied whole", () => {
    const w = wrapper("whole-held");
    w.send("in", request(1, "initialize", { protocolVersion: "2025-06-18", capabilities: {} }));
    w.send("in", request(2, "tools/list"));
    expect(w.whole()).toBe(2);
    w.work();
    expect(w.whole()).toBe(2);
    expect(w.cutsNext()).toBe(false);
    w.send("out", answer(1, { protocolVersion: "2025-06-18", capabilities: {}, serverInfo: { name: "s" } }));
    w.send("out", answer(2, TOOLS));
    w.work();
    expect(w.whole()).toBe(0);
    expect(w.cutsNext()).toBe(true);
    w.end();
    expect(stored("whole-held").calls).toEqual(["1:initialize:ok", "2:tools/list:ok"]);
  });

  it("lets go of a name a tool's arguments mention once the observer has read the line: a 1 MiB result is cut", () => {
    const w = wrapper("whole-mentioned");
    // An LLM client relaying MCP, asked about MCP: the names are in its arguments, not its method.
    const args = { server: "github", method: "tools/list", next: ["initialize", "server/discover"] };
    w.send("in", request(1, "tools/call", { name: "mcp_call", arguments: args }));
    expect(w.whole()).toBe(3);
    w.work();
    expect(w.whole()).toBe(0);
    const before = w.cutsNext();
    w.send("out", bigResult(1));
    w.work();
    expect(before).toBe(true);
    w.end();
    expect(stored("whole-mentioned").calls).toEqual(["1:tools/call:ok"]);
  });

  it("holds one mark for a tools/list whose line also mentions the name, and lets go of it when answered", () => {
    const w = wrapper("whole-both");
    w.send("in", request(1, "tools/list", { _meta: { note: "tools/list" } }));
    expect(w.whole()).toBe(2);
    w.work();
    expect(w.whole()).toBe(1);
    w.send("out", answer(1, TOOLS));
    w.work();
    expect(w.whole()).toBe(0);
  });

  it("lets go when the request ends without an answer: cancelled, timed out, or at the session's end", () => {
    const w = wrapper("whole-ended");
    w.send("in", request(1, "tools/list"));
    w.send("in", request(2, "tools/list"));
    w.send("in", request(3, "initialize", { protocolVersion: "2025-06-18", capabilities: {} }));
    w.work();
    expect(w.whole()).toBe(3);
    w.send(
      "in",
      JSON.stringify({ jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: 1 } }),
    );
    w.work();
    expect(w.whole()).toBe(2);
    w.send("out", answer(3, { protocolVersion: "2025-06-18", capabilities: {}, serverInfo: { name: "s" } }));
    w.work();
    w.tick(w.at() + TIMEOUT_MS + 1);
    expect(w.whole()).toBe(0);
    expect(w.cutsNext()).toBe(true);
    w.end();
    expect(stored("whole-ended").calls).toEqual([
      "1:tools/list:cancelled",
      "3:initialize:ok",
      "2:tools/list:timeout",
    ]);
  });

  it("lets go when a request's answer asks for input, and holds again for its retry", () => {
    const w = wrapper("whole-rounds");
    w.send("in", request(1, "tools/list"));
    w.work();
    w.send("out", answer(1, { resultType: "input_required", inputRequests: {}, requestState: "s1" }));
    w.work();
    expect(w.whole()).toBe(0);
    w.send("in", request(2, "tools/list", { requestState: "s1", inputResponses: {} }));
    w.work();
    expect(w.whole()).toBe(1);
    w.send("out", answer(2, { tools: [] }));
    w.work();
    expect(w.whole()).toBe(0);
    w.end();
    expect(stored("whole-rounds").calls).toEqual(["2:tools/list:ok"]);
  });

  it("a tools/list whose answer's copy was lost lets go when it ends unobserved, and later answers are cut", () => {
    const w = wrapper("whole-answer-lost", 512 * 1024);
    w.send("in", request(1, "tools/list"));
    w.work();
    // Copied whole while it is pending, and past the queue's bound: dropped.
    w.send("out", answer(1, { tools: [{ name: "x", description: "d".repeat(MIB) }] }));
    w.work();
    // The observer learns of the loss with the next copy of the server's stream that goes through.
    w.send("out", JSON.stringify({ jsonrpc: "2.0", method: "notifications/tools/list_changed" }));
    w.work();
    expect(w.whole()).toBe(1);
    w.tick(w.at() + TIMEOUT_MS + 1);
    expect(w.whole()).toBe(0);
    w.send("in", request(2, "tools/call", { name: "big" }));
    w.work();
    expect(w.cutsNext()).toBe(true);
    w.send("out", bigResult(2));
    w.end();
    const result = stored("whole-answer-lost");
    expect(result.calls).toEqual(["2:tools/call:ok"]);
    expect(result.dropped).toBe(1);
  });

  it("lets go of names in client lines whose copies were lost, once the observer has caught up", () => {
    const w = wrapper("whole-request-lost", 128 * 1024);
    // The queue is full of an unread client line: the next ones are dropped.
    w.send(
      "in",
      JSON.stringify({ jsonrpc: "2.0", method: "notifications/x", params: { pad: "p".repeat(120_000) } }),
    );
    w.send("in", request(1, "tools/list"));
    w.send("in", request(2, "tools/call", { name: "mcp_call", arguments: { method: "initialize" } }));
    expect(w.whole()).toBe(2);
    w.work();
    // The observer has not seen the gap yet (it is told with the next client copy): the names stand.
    expect(w.whole()).toBe(2);
    w.send("in", request(3, "tools/call", { name: "echo" }));
    // Sent after: not framed yet when the observer settles, so its own name must stand.
    w.send("in", request(4, "tools/list"));
    expect(w.whole()).toBe(3);
    w.work();
    expect(w.whole()).toBe(1);
    w.send("out", answer(4, { tools: [] }));
    w.work();
    expect(w.whole()).toBe(0);
    expect(w.cutsNext()).toBe(true);
    w.send("out", bigResult(3));
    w.end();
    expect(stored("whole-request-lost").calls).toEqual(["4:tools/list:ok", "3:tools/call:ok"]);
  });

  it("lets go of names in lost client lines while the client keeps sending, always ahead of the observer", () => {
    const w = wrapper("whole-request-lost-busy", 128 * 1024);
    w.send(
      "in",
      JSON.stringify({ jsonrpc: "2.0", method: "notifications/x", params: { pad: "p".repeat(120_000) } }),
    );
    w.send("in", request(1, "tools/list"));
    expect(w.whole()).toBe(1);
    w.work();
    for (let id = 2; id < 8; id++) {
      w.send("in", request(id, "tools/call", { name: "echo" }));
      // The next request is already forwarded and counted, its copy not yet handed over.
      w.gather("in", request(100 + id, "ping"));
      w.work();
      w.send("out", answer(id, { content: [] }));
    }
    w.gather("in", request(200, "ping"));
    w.work();
    expect(w.whole()).toBe(0);
    w.end();
  });
});
