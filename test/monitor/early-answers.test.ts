/**
 * Over HTTP an answer may be read before its request (they travel on different connections): the
 * session observer holds it for its request, a bounded number for a bounded time, and otherwise reads
 * it as it always did. On stdio (one ordered pipe each way) nothing is held.
 */
import { expect, it } from "vitest";
import {
  EARLY_ANSWER_MS,
  MAX_EARLY_ANSWERS,
  MAX_EARLY_BYTES,
} from "../../electron/monitor/protocol/early-answers.js";
import type {
  CallObservation,
  ObservationSink,
  ProtocolEventObservation,
} from "../../electron/monitor/protocol/observations.js";
import { SessionObserver, type Stream } from "../../electron/monitor/protocol/session-observer.js";

const t0 = 1_800_000_000_000;
const TIMEOUT_MS = 60_000;

function session(answersMayLead: boolean, captureLimit?: number) {
  const calls: CallObservation[] = [];
  const events: ProtocolEventObservation[] = [];
  const sink: ObservationSink = {
    call: (c) => calls.push(c),
    log: () => {},
    protocolEvent: (e) => events.push(e),
    session: () => {},
  };
  const observer = new SessionObserver(sink, { timeoutMs: TIMEOUT_MS, answersMayLead, captureLimit });
  const send = (stream: Stream, message: unknown, at: number) =>
    observer.line(stream, Buffer.from(JSON.stringify(message)), at);
  const unknown = () => events.filter((e) => e.type === "unknown_response_id").map((e) => e.message);
  return { observer, calls, events, send, unknown };
}

const request = (id: number, method = "tools/list") => ({ jsonrpc: "2.0", id, method });
const answer = (id: number, result: unknown = { tools: [] }) => ({ jsonrpc: "2.0", id, result });

it("pairs an answer read before its request with it, timed from the request", () => {
  const { calls, send, unknown } = session(true);
  send("out", answer(1), t0 + 7);
  expect(calls).toEqual([]);
  send("in", request(1), t0);
  expect(calls.map((c) => [c.requestId, c.method, c.outcome, c.durationMs])).toEqual([
    ["1", "tools/list", "ok", 7],
  ]);
  expect(calls[0]?.response).toEqual(answer(1));
  expect(unknown()).toEqual([]);
});

it("on stdio, an answer before any request is a response to an unknown request at once", () => {
  const { calls, send, unknown } = session(false);
  send("out", answer(1), t0 + 7);
  expect(unknown()).toEqual(["response to unknown request id 1"]);
  send("in", request(1), t0 + 8);
  expect(calls).toEqual([]);
});

it("keeps a held long answer's payload as its request wants it", () => {
  const { calls, send } = session(true, 1024);
  const long = answer(3, { content: [{ type: "text", text: "x".repeat(20_000) }] });
  send("out", long, t0 + 5);
  send("in", request(3, "tools/call"), t0);
  expect(calls.map((c) => [c.method, c.outcome, c.bytesOut])).toEqual([
    ["tools/call", "ok", JSON.stringify(long).length],
  ]);
  expect(calls[0]?.response).not.toBeNull();
});

it("holds a bounded number: past it, the oldest is read as it came", () => {
  const { calls, send, unknown } = session(true);
  for (let id = 1; id <= MAX_EARLY_ANSWERS + 1; id++) send("out", answer(id), t0 + id);
  expect(unknown()).toEqual(["response to unknown request id 1"]);
  send("in", request(1), t0 + 100);
  send("in", request(MAX_EARLY_ANSWERS + 1), t0 + 100);
  expect(calls.map((c) => [c.requestId, c.outcome])).toEqual([[String(MAX_EARLY_ANSWERS + 1), "ok"]]);
});

it("holds a bounded number of bytes: past it, the oldest is read as it came", () => {
  const { send, unknown } = session(true);
  const big = (id: number) =>
    answer(id, { content: [{ type: "text", text: "x".repeat(MAX_EARLY_BYTES / 2) }] });
  send("out", big(1), t0 + 1);
  expect(unknown()).toEqual([]);
  send("out", big(2), t0 + 2);
  expect(unknown()).toEqual(["response to unknown request id 1"]);
  // One larger than the whole budget is not held at all.
  send("out", answer(3, { content: [{ type: "text", text: "x".repeat(MAX_EARLY_BYTES + 1) }] }), t0 + 3);
  expect(unknown()).toEqual(["response to unknown request id 1", "response to unknown request id 3"]);
});

it("holds for a bounded time, in the copies' time and, later, the clock's", () => {
  const { send, observer, unknown } = session(true);
  send("out", answer(1), t0);
  send("out", { jsonrpc: "2.0", method: "notifications/progress" }, t0 + EARLY_ANSWER_MS - 1);
  expect(unknown()).toEqual([]);
  send("out", { jsonrpc: "2.0", method: "notifications/progress" }, t0 + EARLY_ANSWER_MS);
  expect(unknown()).toEqual(["response to unknown request id 1"]);

  // With no traffic after it, the tick lets it go (no sooner than a request would time out).
  send("out", answer(2), t0 + 10_000);
  observer.tick(t0 + 10_000 + TIMEOUT_MS - 1);
  expect(unknown()).toHaveLength(1);
  observer.tick(t0 + 10_000 + TIMEOUT_MS);
  expect(unknown()).toEqual(["response to unknown request id 1", "response to unknown request id 2"]);
});

it("does not hold an answer whose request is already known to have ended", () => {
  const { calls, send, events } = session(true);
  send("in", request(1, "tools/call"), t0);
  send("in", { jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: 1 } }, t0 + 1);
  send("out", answer(1), t0 + 2);
  // Allowed and silent, as before; a later request reusing the id does not take it.
  send("in", request(1, "tools/call"), t0 + 3);
  expect(calls.map((c) => c.outcome)).toEqual(["cancelled"]);
  expect(events).toEqual([]);
});

it("reads what is still held when the session closes", () => {
  const { calls, send, observer, unknown } = session(true);
  send("in", request(2), t0);
  send("out", answer(1), t0 + 1);
  observer.close(t0 + 2);
  expect(unknown()).toEqual(["response to unknown request id 1"]);
  expect(calls.map((c) => [c.requestId, c.outcome])).toEqual([["2", "disconnected"]]);
});
