/**
 * A client that reuses a request id while the first request with it is still pending (a client bug): the
 * server may answer either first, so no call is stored with an answer or a latency that may be the
 * other's. Both are counted as not observed, the reuse is reported, and the answers are not taken for
 * answers to unknown requests.
 */
import { describe, expect, it } from "vitest";
import type { CallObservation } from "../../electron/monitor/protocol/observations.js";
import { SessionObserver, type Stream } from "../../electron/monitor/protocol/session-observer.js";

function session() {
  const calls: CallObservation[] = [];
  const events: string[] = [];
  let unobserved = 0;
  const observer = new SessionObserver({
    call: (call) => calls.push(call),
    log: () => {},
    protocolEvent: (event) => events.push(event.type),
    session: () => {},
    unobserved: (n) => {
      unobserved += n;
    },
  });
  const send = (stream: Stream, at: number, message: object) =>
    observer.line(stream, Buffer.from(JSON.stringify({ jsonrpc: "2.0", ...message })), at);
  const call = (id: number, name: string) => ({ id, method: "tools/call", params: { name } });
  const answer = (id: number, text: string) => ({ id, result: { content: [{ type: "text", text }] } });
  return {
    send,
    call,
    answer,
    observer,
    stored: () => calls.map((c) => `${c.requestId}:${c.target}:${c.outcome}`),
    events,
    unobserved: () => unobserved,
  };
}

describe("a request id reused while pending", () => {
  it("stores neither call with the other's answer: both are counted, the answers are silent", () => {
    const s = session();
    s.send("in", 0, s.call(3, "slow"));
    s.send("in", 1, s.call(3, "other"));
    s.send("out", 2, s.answer(3, "other done"));
    s.send("out", 500, s.answer(3, "slow done"));
    expect(s.stored()).toEqual([]);
    expect(s.unobserved()).toBe(2);
    expect(s.events).toEqual(["duplicate_request_id"]);

    // The id is free again once both were answered: the next call with it is observed as usual.
    s.send("in", 600, s.call(3, "later"));
    s.send("out", 610, s.answer(3, "later done"));
    s.send("in", 620, s.call(4, "next"));
    s.send("out", 630, s.answer(4, "next done"));
    expect(s.stored()).toEqual(["3:later:ok", "4:next:ok"]);
    expect(s.events).toEqual(["duplicate_request_id"]);
  });

  it("ends nothing as disconnected when an answer never comes", () => {
    const s = session();
    s.send("in", 0, s.call(7, "a"));
    s.send("in", 1, s.call(7, "b"));
    s.send("out", 2, s.answer(7, "one of them"));
    s.observer.close(3);
    expect(s.stored()).toEqual([]);
    expect(s.unobserved()).toBe(2);
  });

  it("stores no call with another's answer when a third request reuses the id before any answer", () => {
    const s = session();
    s.send("in", 0, s.call(1, "a"));
    s.send("in", 1, s.call(1, "b"));
    s.send("in", 2, s.call(1, "c"));
    s.send("out", 100, s.answer(1, "a done"));
    s.send("out", 200, s.answer(1, "b done"));
    s.send("out", 300, s.answer(1, "c done"));
    expect(s.stored()).toEqual([]);
    expect(s.unobserved()).toBe(3);
    // The client is told of each reuse; the server is not blamed for answers it owed.
    expect(s.events).toEqual(["duplicate_request_id", "duplicate_request_id"]);
  });

  it("tracks the id again a timeout after its last reuse, though one answer never came", () => {
    const s = session();
    s.send("in", 0, s.call(7, "first"));
    s.send("in", 1, s.call(7, "second")); // reused while pending
    s.send("out", 2, s.answer(7, "only one answer")); // the other one's is lost
    expect(s.unobserved()).toBe(2);
    // The missing answer could still come within the request timeout (60 s): after it, it is lost.
    for (let i = 0; i < 3; i++) {
      s.send("in", 61_000 + i * 100, s.call(7, `later-${i}`));
      s.send("out", 61_010 + i * 100, s.answer(7, "ok"));
    }
    expect(s.stored()).toEqual(["7:later-0:ok", "7:later-1:ok", "7:later-2:ok"]);
    expect(s.events).toEqual(["duplicate_request_id"]);
    expect(s.unobserved()).toBe(2);
  });
});
