import { describe, expect, it } from "vitest";
import { DEFAULT_CAPTURE_LIMIT, keptBytes } from "../../electron/monitor/pipeline/capture.js";
import { ANOMALY_BURST, ANOMALY_SUMMARY_MS } from "../../electron/monitor/protocol/anomaly-limiter.js";
import { LineSplitter } from "../../electron/monitor/protocol/line-splitter.js";
import type {
  CallObservation,
  LogObservation,
  ObservationSink,
  ProtocolEventObservation,
  SessionFacts,
} from "../../electron/monitor/protocol/observations.js";
import { SessionObserver, type Stream } from "../../electron/monitor/protocol/session-observer.js";

class Recorded implements ObservationSink {
  calls: CallObservation[] = [];
  unobservedCalls = 0;
  logs: LogObservation[] = [];
  events: ProtocolEventObservation[] = [];
  facts: SessionFacts = {};
  call(c: CallObservation) {
    this.calls.push(c);
  }
  log(l: LogObservation) {
    this.logs.push(l);
  }
  unobserved(calls: number) {
    this.unobservedCalls += calls;
  }
  protocolEvent(e: ProtocolEventObservation) {
    this.events.push(e);
  }
  session(f: SessionFacts) {
    this.facts = {
      ...this.facts,
      ...Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined)),
    };
  }
}

function session(timeoutMs = 60_000) {
  const sink = new Recorded();
  const observer = new SessionObserver(sink, { timeoutMs });
  let t = 1_000_000;
  const send = (stream: Stream, message: unknown, advance = 10) => {
    t += advance;
    observer.line(stream, Buffer.from(typeof message === "string" ? message : JSON.stringify(message)), t);
  };
  return { sink, observer, send, now: () => t };
}

const rpc = (id: number | string, method: string, params?: unknown) => ({
  jsonrpc: "2.0",
  id,
  method,
  params,
});
const ok = (id: number | string, result: unknown) => ({ jsonrpc: "2.0", id, result });
const err = (id: number | string, code: number, message: string) => ({
  jsonrpc: "2.0",
  id,
  error: { code, message },
});
const note = (method: string, params?: unknown) => ({ jsonrpc: "2.0", method, params });

describe("session era (≤ 2025-11-25)", () => {
  it("pairs requests and responses, classifies every outcome, and learns the session", () => {
    const { sink, observer, send } = session();
    send(
      "in",
      rpc(0, "initialize", {
        protocolVersion: "2025-11-25",
        clientInfo: { name: "claude-code", version: "2.1" },
        capabilities: {},
      }),
    );
    send(
      "out",
      ok(0, {
        protocolVersion: "2025-11-25",
        serverInfo: { name: "files", version: "1.0.0" },
        capabilities: {},
      }),
      40,
    );
    send("in", note("notifications/initialized"));
    send(
      "in",
      rpc(1, "tools/call", { name: "read_file", arguments: { path: "/a" }, _meta: { progressToken: "p1" } }),
    );
    send("out", note("notifications/progress", { progressToken: "p1", progress: 1 }));
    send("out", note("notifications/progress", { progressToken: "p1", progress: 2 }));
    send("out", ok(1, { content: [{ type: "text", text: "hello" }] }), 25);
    send("in", rpc(2, "tools/call", { name: "read_file", arguments: { path: "/etc/shadow" } }));
    send("out", ok(2, { content: [{ type: "text", text: "Access denied" }], isError: true }));
    send("in", rpc(3, "tools/call", { name: "nope" }));
    send("out", err(3, -32602, "Unknown tool: nope"));
    send("in", rpc(4, "prompts/get", { name: "p" }));
    send("out", err(4, -32603, "internal"));
    send("in", rpc("five", "resources/read", { uri: "file:///x" }));
    send("in", note("notifications/cancelled", { requestId: "five", reason: "user" }));
    send("in", rpc(6, "ping"));
    // The server asks the client for sampling: a server→client request, answered on stdin.
    send("out", rpc(0, "sampling/createMessage", { messages: [], maxTokens: 10 }));
    send("in", ok(0, { role: "assistant", content: { type: "text", text: "hi" }, model: "m" }), 300);
    observer.close(9e9);

    const byId = Object.fromEntries(sink.calls.map((c) => [`${c.direction}:${c.requestId}`, c]));
    expect(byId["c2s:0"]).toMatchObject({ method: "initialize", outcome: "ok", durationMs: 40 });
    expect(byId["c2s:1"]).toMatchObject({
      method: "tools/call",
      target: "read_file",
      outcome: "ok",
      durationMs: 45,
      progressCount: 2,
    });
    expect(byId["c2s:2"]).toMatchObject({ outcome: "tool_error", errorMessage: "Access denied" });
    expect(byId["c2s:3"]).toMatchObject({ target: "nope", outcome: "client_error", errorCode: -32602 });
    expect(byId["c2s:4"]).toMatchObject({
      method: "prompts/get",
      target: "p",
      outcome: "server_error",
      errorCode: -32603,
    });
    expect(byId["c2s:five"]).toMatchObject({
      method: "resources/read",
      target: "file:///x",
      outcome: "cancelled",
    });
    expect(byId["c2s:6"]).toMatchObject({ method: "ping", outcome: "disconnected" });
    expect(byId["s2c:0"]).toMatchObject({ method: "sampling/createMessage", outcome: "ok", durationMs: 300 });
    expect(sink.calls).toHaveLength(8);
    expect(sink.facts).toEqual({
      era: "session",
      protocolVersion: "2025-11-25",
      clientName: "claude-code",
      clientVersion: "2.1",
      serverName: "files",
      serverVersion: "1.0.0",
    });
    expect(sink.events).toEqual([]);
  });

  it("blames no server for the client's refusals, a bad URI, or a URL elicitation step", () => {
    const { sink, observer, send } = session();
    // The user declines sampling: the client answers the server's request with an error.
    send("in", rpc(1, "tools/call", { name: "ask" }));
    send("out", rpc(0, "sampling/createMessage", { messages: [], maxTokens: 10 }));
    send("in", err(0, -1, "User rejected sampling request"));
    send("out", ok(1, { content: [] }));
    // A client without roots answers roots/list with method not found.
    send("out", rpc(1, "roots/list"));
    send("in", err(1, -32601, "Method not found"));
    // The client asks for a resource the server does not have.
    send("in", rpc(2, "resources/read", { uri: "file:///missing" }));
    send("out", err(2, -32002, "Resource not found"));
    // The server needs its user to visit a URL first, then the client retries.
    send("in", rpc(3, "tools/call", { name: "connect" }));
    send("out", err(3, -32042, "This request requires browser-based authorization"));
    observer.close(9e9);

    const byId = Object.fromEntries(sink.calls.map((c) => [`${c.direction}:${c.requestId}`, c]));
    expect(byId["s2c:0"]).toMatchObject({ outcome: "client_error", errorCode: -1 });
    expect(byId["s2c:1"]).toMatchObject({ method: "roots/list", outcome: "client_error", errorCode: -32601 });
    expect(byId["c2s:1"]).toMatchObject({ outcome: "ok" });
    expect(byId["c2s:2"]).toMatchObject({ outcome: "client_error", errorCode: -32002 });
    expect(byId["c2s:3"]).toMatchObject({
      outcome: "ok",
      errorCode: -32042,
      errorMessage: "This request requires browser-based authorization",
    });
  });

  it("times out unanswered requests once, and gives a late answer to the timed-out call", () => {
    const { sink, observer, send, now } = session(1000);
    send("in", rpc(1, "tools/call", { name: "slow" }));
    observer.tick(now() + 999);
    expect(sink.calls).toHaveLength(0);
    observer.tick(now() + 1000);
    expect(sink.calls[0]).toMatchObject({ outcome: "timeout", target: "slow" });
    send("out", ok(1, {}), 5000);
    observer.close(now());
    expect(sink.calls).toHaveLength(2);
    expect(sink.calls[1]).toMatchObject({ replaces: "timeout", outcome: "ok", requestId: "1" });
    expect(sink.calls[1]?.bytesOut).toBeGreaterThan(0);
    expect(sink.events.map((e) => e.type)).toEqual(["late_response"]);
  });

  it("reads a log notification's non-standard level as the stderr parser would, keeping it as written", () => {
    const { sink, send } = session();
    const levels = ["warn", "FATAL", "Warning", "err", "trace", "ERROR", "banana", "notice"];
    for (const level of levels) send("out", note("notifications/message", { level, data: `at ${level}` }));
    send("out", note("notifications/message", { level: "warn", data: { path: "/x" } }));
    expect(sink.logs.map((l) => l.level)).toEqual([
      "warning",
      "critical",
      "warning",
      "error",
      "debug",
      "error",
      "info",
      "notice",
      "warning",
    ]);
    expect(sink.logs.map((l) => l.fields)).toEqual([
      ...levels.slice(0, -1).map((rawLevel) => ({ rawLevel })),
      null,
      { path: "/x", rawLevel: "warn" },
    ]);
  });

  it("pairs a null-id error with the one request in flight, else keeps its code and message in the event", () => {
    const { sink, observer, send, now } = session(1000);
    const nullIdError = { jsonrpc: "2.0", id: null, error: { code: -32603, message: "null id error" } };
    send("in", rpc("a", "tools/call", { name: "nullid" }));
    send("out", nullIdError);
    expect(sink.calls[0]).toMatchObject({
      requestId: "a",
      outcome: "server_error",
      errorCode: -32603,
      errorMessage: "null id error",
    });
    // Two in flight: it cannot tell whose, and says what it was.
    send("in", rpc(1, "tools/call", { name: "one" }));
    send("in", rpc(2, "tools/call", { name: "two" }));
    send("out", nullIdError);
    expect(sink.events.map((e) => e.message)).toEqual([
      "a response with a null id: error -32603 null id error",
    ]);
    observer.close(now());
    expect(sink.calls.map((c) => c.outcome)).toEqual(["server_error", "disconnected", "disconnected"]);
  });

  it("leaves a timed-out call alone when its client gave up on it before the answer came", () => {
    const { sink, observer, send, now } = session(1000);
    send("in", rpc(1, "tools/call", { name: "slow" }));
    observer.tick(now() + 1000);
    send("in", note("notifications/cancelled", { requestId: 1, reason: "Request timed out" }), 2000);
    send("out", ok(1, {}), 2000);
    expect(sink.calls.map((c) => c.outcome)).toEqual(["timeout"]);
    expect(sink.events).toEqual([]);
  });

  it("takes a null-id error for the answer to the client's unreadable line, not to the request in flight", () => {
    const { sink, observer, send, now } = session(1000);
    const parseError = { jsonrpc: "2.0", id: null, error: { code: -32700, message: "Parse error" } };
    send("in", rpc(1, "tools/call", { name: "work" }));
    send("in", "{this is not json");
    send("out", parseError);
    send("out", ok(1, { content: [{ type: "text", text: "fine" }] }), 500);
    // A batch the server rejects whole, while a request waits.
    send("in", rpc(2, "tools/call", { name: "work" }));
    send("in", [note("notifications/initialized"), note("notifications/roots/list_changed")]);
    send("out", { jsonrpc: "2.0", id: null, error: { code: -32600, message: "Invalid Request" } });
    send("out", ok(2, { content: [] }));
    // A server that drops bad lines without a word: a later null-id error is the request's again.
    send("in", "not json either");
    send("in", rpc(4, "tools/call", { name: "nullid" }), 2000);
    send("out", parseError);
    observer.close(now());
    expect(sink.calls.map((c) => [c.requestId, c.outcome])).toEqual([
      ["1", "ok"],
      ["2", "ok"],
      ["4", "client_error"],
    ]);
    expect(sink.calls[0]?.durationMs).toBe(520);
    expect(sink.events.map((e) => e.type)).toEqual(["invalid_json", "batch", "invalid_json"]);
  });

  it("gives a request its own answer when it comes after a null-id error that was taken for it", () => {
    const { sink, observer, send, now } = session(1000);
    const parseError = { jsonrpc: "2.0", id: null, error: { code: -32700, message: "Parse error" } };
    send("in", rpc(1, "tools/call", { name: "work" }));
    // A client line the observer never read (its copy was dropped): the server's parse error answers it,
    // and with one request in flight it is taken for that one's answer.
    observer.gap("in", 1, now());
    send("out", parseError);
    send("out", ok(1, { content: [{ type: "text", text: "fine" }] }), 500);
    observer.close(now());
    expect(sink.calls.map((c) => [c.requestId, c.outcome, c.replaces])).toEqual([
      ["1", "client_error", undefined],
      ["1", "ok", "client_error"],
    ]);
    expect(sink.calls[1]?.durationMs).toBe(510);
    expect(sink.events.map((e) => e.message)).toEqual([
      "response to request 1 after a null-id error was taken for its answer, 0.5 s after the request: the call is stored with it (ok)",
    ]);
  });

  it("does not time out a request that keeps reporting progress, as clients that reset on progress see it", () => {
    const { sink, observer, send, now } = session(1000);
    send("in", rpc(1, "tools/call", { name: "long", _meta: { progressToken: "p1" } }));
    send("in", rpc(2, "tools/call", { name: "other", _meta: { progressToken: "p2" } }));
    for (let step = 1; step <= 5; step++) {
      send("out", note("notifications/progress", { progressToken: "p1", progress: step }), 800);
      observer.tick(now());
    }
    // The request without progress timed out; the one reporting progress is still running.
    expect(sink.calls.map((c) => [c.target, c.outcome])).toEqual([["other", "timeout"]]);
    send("out", ok(1, { content: [] }), 900);
    expect(sink.calls[1]).toMatchObject({ target: "long", outcome: "ok", progressCount: 5 });
    expect(sink.calls[1]?.durationMs).toBe(4910);
    // Progress stopped: the clock runs from the last one.
    send("in", rpc(3, "tools/call", { name: "stalls", _meta: { progressToken: "p3" } }));
    send("out", note("notifications/progress", { progressToken: "p3", progress: 1 }), 500);
    observer.tick(now() + 999);
    expect(sink.calls).toHaveLength(2);
    observer.tick(now() + 1000);
    expect(sink.calls[2]).toMatchObject({ target: "stalls", outcome: "timeout" });
    expect(sink.events.map((e) => e.type)).toEqual([]);
  });

  it("links log notifications to the one request in flight", () => {
    const { sink, send } = session();
    send("in", rpc(1, "tools/call", { name: "work" }));
    send(
      "out",
      note("notifications/message", { level: "warning", logger: "db", data: { msg: "slow query", ms: 900 } }),
    );
    send("out", ok(1, {}));
    send("out", note("notifications/message", { level: "error", data: "idle failure" }));
    expect(sink.logs).toMatchObject([
      {
        level: "warning",
        logger: "db",
        requestId: "1",
        source: "mcp",
        fields: { msg: "slow query", ms: 900 },
      },
      { level: "error", message: "idle failure", requestId: null },
    ]);
  });

  it("records malformed input and keeps observing later lines", () => {
    const { sink, observer, send } = session();
    send("in", "{not json");
    observer.line("in", Buffer.from([0x7b, 0xc3, 0x28, 0x7d]), 1);
    send("out", '{"hello":"world"}');
    send("in", JSON.stringify([rpc(10, "tools/list"), rpc(11, "prompts/list")]));
    send("out", ok(99, {}));
    send("in", rpc(1, "tools/list"));
    send("in", rpc(1, "tools/list"));
    send("out", ok(10, { tools: [] }));
    send("out", ok(11, { prompts: [] }));
    send("out", ok(1, { tools: [] }));
    expect(sink.events.map((e) => e.type)).toEqual([
      "invalid_json",
      "invalid_utf8",
      "not_jsonrpc",
      "batch",
      "unknown_response_id",
      "duplicate_request_id",
    ]);
    // The two requests with id 1 cannot be told apart: counted, not stored with a guessed answer.
    expect(sink.calls.map((c) => `${c.requestId}:${c.method}:${c.outcome}`)).toEqual([
      "10:tools/list:ok",
      "11:prompts/list:ok",
    ]);
    expect(sink.unobservedCalls).toBe(2);
  });

  it("records a request with invalid UTF-8 in a string as the server reads it, and reports the bytes", () => {
    const { sink, observer, send } = session();
    const head = Buffer.from(
      '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"m":"a',
    );
    observer.line("in", Buffer.concat([head, Buffer.from([0xff, 0xfe]), Buffer.from('b"}}}')]), 1);
    send("out", ok(1, { content: [] }));
    expect(sink.events.map((e) => e.type)).toEqual(["invalid_utf8"]);
    expect(sink.calls).toHaveLength(1);
    expect(sink.calls[0]).toMatchObject({ requestId: "1", target: "echo", outcome: "ok" });
    // A JSON array of anything but JSON-RPC messages is not a batch.
    send("in", "[1,2,3]");
    expect(sink.events.at(-1)).toMatchObject({ type: "not_jsonrpc" });
  });

  it("summarises a flood of one anomaly instead of storing it line by line", () => {
    const { sink, observer, send, now } = session();
    for (let i = 0; i < 5000; i++) send("out", `this is not json ${i}`, 1);
    send("out", "{still not", 1);
    expect(sink.events).toHaveLength(ANOMALY_BURST);
    observer.tick(now() + ANOMALY_SUMMARY_MS);
    observer.close(now() + ANOMALY_SUMMARY_MS);
    const summary = sink.events.slice(ANOMALY_BURST);
    expect(summary).toHaveLength(1);
    expect(summary[0]?.message).toMatch(/^4,981 more like this in \d+ s \(the last: line is not valid JSON/);
    expect(summary[0]?.type).toBe("invalid_json");
  });

  it("gives each call of a batch the bytes of its own message", () => {
    const { sink, send } = session();
    const requests = [rpc(20, "tools/list"), rpc(21, "prompts/list", { cursor: "é" })];
    const answers = [ok(21, { prompts: [] }), ok(20, { tools: [{ name: "echo" }] })];
    send("in", JSON.stringify(requests));
    send("out", JSON.stringify(answers));
    const size = (value: unknown) => Buffer.byteLength(JSON.stringify(value));
    expect(sink.calls.map((c) => [c.requestId, c.bytesIn, c.bytesOut])).toEqual([
      ["21", size(requests[1]), size(answers[0])],
      ["20", size(requests[0]), size(answers[1])],
    ]);
  });

  it("names a batch of one as one message", () => {
    const { sink, send } = session();
    send("in", JSON.stringify([rpc(12, "tools/list")]));
    expect(sink.events.find((e) => e.type === "batch")?.message).toBe("a JSON-RPC batch of 1 message");
  });

  it("counts a response known only by its edges as unobserved, never with a guessed outcome", () => {
    const { sink, observer, send, now } = session();
    send("in", rpc(42, "resources/read", { uri: "file:///big" }));
    observer.oversized(
      "out",
      Buffer.from('{"result":{"contents":[{"text":"aaaa'),
      Buffer.from('aaaa"}]},"jsonrpc":"2.0","id":42}'),
      5_000_000,
      now() + 7,
    );
    // The middle, never seen, may hold an `isError`: the call is neither `ok` nor a failure.
    expect(sink.calls).toEqual([]);
    expect(sink.unobservedCalls).toBe(1);
    expect(observer.pendingCount).toBe(0);
    expect(sink.events[0]).toMatchObject({ type: "oversized_line", bytes: 5_000_000 });
  });
});

describe("lines past the framing limit", () => {
  const LIMIT = 200_000;
  const big = JSON.stringify("z".repeat(300_000));
  /** A session whose lines go through the splitter as the observer worker frames them. */
  function framed(chunkSizes: number[]) {
    const sink = new Recorded();
    const observer = new SessionObserver(sink, { maxLineBytes: LIMIT });
    const splitter = new LineSplitter(
      {
        line: (bytes, at) => observer.line("out", bytes, at),
        oversized: () => {
          throw new Error("a protocol sink reads cut lines");
        },
        elided: (head, tail, total, hidden, at) => observer.elided("out", head, tail, total, hidden, at),
      },
      LIMIT,
      keptBytes(DEFAULT_CAPTURE_LIMIT),
    );
    const answer = (line: string) => {
      const bytes = Buffer.from(`${line}\n`);
      for (let at = 0, i = 0; at < bytes.length; i++) {
        const size = chunkSizes[i % chunkSizes.length] as number;
        splitter.push(bytes.subarray(at, at + size), 1);
        at += size;
      }
    };
    return { sink, observer, answer };
  }
  const lines = {
    "error at the head": `{"jsonrpc":"2.0","id":1,"error":{"code":-32603,"message":"boom","data":${big}}}`,
    "isError in the middle": `{"jsonrpc":"2.0","id":2,"result":{"content":[{"type":"text","text":${big}}],"isError":true,"structuredContent":{"rows":${big}}}}`,
    "isError in the tail": `{"result":{"content":[{"type":"text","text":${big}}],"isError":true},"jsonrpc":"2.0","id":3}`,
    "no isError anywhere": `{"result":{"contents":[{"text":${big}}]},"jsonrpc":"2.0","id":4}`,
  };

  it.each([
    ["in one chunk", [10_000_000]],
    ["in pipe-sized reads", [65_536]],
    ["in awkward reads", [65_536, 7, 3, 40_000, 1]],
  ])("reads each outcome exactly from the line's two ends, or counts it unobserved (%s)", (_name, sizes) => {
    const { sink, observer, answer } = framed(sizes);
    for (let id = 1; id <= Object.keys(lines).length; id++)
      observer.line("in", Buffer.from(JSON.stringify(rpc(id, "tools/call", { name: "t" }))), 0);
    for (const line of Object.values(lines)) answer(line);
    expect(sink.calls.map((c) => `${c.requestId}:${c.outcome}`)).toEqual([
      "1:server_error",
      "3:tool_error",
      "4:ok",
    ]);
    expect(sink.unobservedCalls).toBe(1);
    expect(observer.pendingCount).toBe(0);
    expect(sink.events.map((e) => e.type)).toEqual(Array(4).fill("oversized_line"));
    // What is kept of the payload is the head's first 64 KiB, and the size is the whole line's.
    const ok = sink.calls.find((c) => c.requestId === "4");
    expect(ok?.bytesOut).toBe(Buffer.byteLength(lines["no isError anywhere"]));
    expect(JSON.stringify(ok?.response).length).toBeLessThan(DEFAULT_CAPTURE_LIMIT + 5000);
  });

  it("reads a client request past the limit from its head, and pairs its answer", () => {
    const sink = new Recorded();
    const observer = new SessionObserver(sink, { maxLineBytes: LIMIT });
    const splitter = new LineSplitter(
      {
        line: (bytes, at) => observer.line("in", bytes, at),
        oversized: () => {},
        elided: (head, tail, total, hidden, at) => observer.elided("in", head, tail, total, hidden, at),
      },
      LIMIT,
      keptBytes(DEFAULT_CAPTURE_LIMIT),
    );
    splitter.push(
      Buffer.from(
        `${JSON.stringify(rpc(9, "tools/call", { name: "upload", arguments: { blob: "y".repeat(300_000) } }))}\n`,
      ),
      0,
    );
    observer.line("out", Buffer.from(JSON.stringify(ok(9, { content: [] }))), 5);
    expect(sink.calls).toEqual([
      expect.objectContaining({ requestId: "9", target: "upload", outcome: "ok" }),
    ]);
  });
});

describe("stateless era (2026-07-28)", () => {
  const meta = {
    "io.modelcontextprotocol/protocolVersion": "2026-07-28",
    "io.modelcontextprotocol/clientInfo": { name: "cursor", version: "3.0" },
    "io.modelcontextprotocol/clientCapabilities": {},
  };

  it("learns the session from server/discover and _meta, without initialize", () => {
    const { sink, send } = session();
    send("in", rpc("d1", "server/discover", { _meta: meta }));
    send(
      "out",
      ok("d1", {
        resultType: "complete",
        supportedVersions: ["2026-07-28"],
        capabilities: { tools: {} },
        _meta: { "io.modelcontextprotocol/serverInfo": { name: "weather", version: "2.0" } },
      }),
    );
    send("in", rpc(2, "tools/call", { name: "forecast", arguments: {}, _meta: meta }));
    send("out", ok(2, { resultType: "complete", content: [] }));
    send(
      "in",
      rpc(3, "tools/call", {
        name: "forecast",
        arguments: {},
        _meta: { ...meta, "io.modelcontextprotocol/protocolVersion": "2099-01-01" },
      }),
    );
    send("out", err(3, -32022, "Unsupported protocol version"));
    expect(sink.facts).toMatchObject({
      era: "stateless",
      clientName: "cursor",
      clientVersion: "3.0",
      serverName: "weather",
      serverVersion: "2.0",
    });
    expect(sink.calls.map((c) => `${c.method}:${c.outcome}`)).toEqual([
      "server/discover:ok",
      "tools/call:ok",
      "tools/call:client_error",
    ]);
  });

  it("treats input_required as a round linked to the retry that completes it", () => {
    const { sink, send } = session();
    send("in", rpc(1, "tools/call", { name: "deploy", arguments: {}, _meta: meta }));
    send(
      "out",
      ok(1, {
        resultType: "input_required",
        inputRequests: { confirm: { method: "elicitation/create", params: {} } },
        requestState: "st-1",
      }),
    );
    expect(sink.calls).toHaveLength(0);
    send(
      "in",
      rpc(2, "tools/call", {
        name: "deploy",
        arguments: {},
        inputResponses: { confirm: { action: "accept" } },
        requestState: "st-1",
        _meta: meta,
      }),
    );
    send(
      "out",
      ok(2, {
        resultType: "input_required",
        inputRequests: { again: { method: "elicitation/create", params: {} } },
        requestState: "st-2",
      }),
    );
    send(
      "in",
      rpc(3, "tools/call", {
        name: "deploy",
        arguments: {},
        inputResponses: { again: {} },
        requestState: "st-2",
        _meta: meta,
      }),
    );
    send("out", ok(3, { resultType: "complete", content: [] }));
    expect(sink.calls).toHaveLength(1);
    expect(sink.calls[0]).toMatchObject({ requestId: "3", target: "deploy", outcome: "ok", rounds: 2 });
  });

  it("keeps subscriptions/listen out of timeouts and ends it with the session", () => {
    const { sink, observer, send, now } = session(1000);
    send("in", rpc(7, "subscriptions/listen", { notifications: { toolsListChanged: true }, _meta: meta }));
    send(
      "out",
      note("notifications/subscriptions/acknowledged", {
        _meta: { "io.modelcontextprotocol/subscriptionId": 7 },
      }),
    );
    observer.tick(now() + 10_000);
    expect(sink.calls).toHaveLength(0);
    observer.close(now() + 20_000);
    expect(sink.calls[0]).toMatchObject({ method: "subscriptions/listen", outcome: "ok" });
  });
});

describe("after a cancellation", () => {
  it("a late answer to the cancelled request is not an anomaly", () => {
    const sink = new Recorded();
    const observer = new SessionObserver(sink);
    observer.line("in", Buffer.from(JSON.stringify(rpc(5, "tools/call", { name: "slow" }))), 1);
    observer.line("in", Buffer.from(JSON.stringify(note("notifications/cancelled", { requestId: 5 }))), 2);
    observer.line("out", Buffer.from(JSON.stringify(ok(5, {}))), 3);
    expect(sink.calls.map((c) => c.outcome)).toEqual(["cancelled"]);
    expect(sink.events).toEqual([]);
  });
});

describe("abandon (the HTTP stream that carried the answers is gone)", () => {
  it("ends just the named pending requests, and a subscription stream as ok", () => {
    const { sink, observer, send, now } = session();
    send("in", rpc(1, "tools/call", { name: "slow" }));
    send("in", rpc(2, "subscriptions/listen", {}));
    send("in", rpc(3, "tools/list"));
    observer.abandon("in", [1, 2, 99], "cancelled", now() + 5, "the client closed the HTTP stream");
    expect(sink.calls.map((c) => [c.requestId, c.outcome, c.errorMessage])).toEqual([
      ["1", "cancelled", "the client closed the HTTP stream"],
      ["2", "ok", null],
    ]);
    expect(observer.pendingCount).toBe(1);
    // A late answer to the cancelled request is allowed, as after notifications/cancelled.
    send("out", ok(1, {}));
    expect(sink.events).toEqual([]);
  });
});
