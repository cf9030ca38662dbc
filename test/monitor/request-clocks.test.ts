/**
 * Which requests the wrapper's `--timeout` judges, on a virtual clock: a server that does not answer in
 * time, yes; a server's own request to the client (an elicitation a human fills in, a sampling call to an
 * LLM), no, and the tool call waiting on it neither while the client is being waited on; the time the
 * client took is taken off its age, never its whole clock restarted.
 */
import { describe, expect, it } from "vitest";
import type { CallObservation } from "../../electron/monitor/protocol/observations.js";
import { SessionObserver, type Stream } from "../../electron/monitor/protocol/session-observer.js";

const TIMEOUT = 2000;

function session() {
  const calls: CallObservation[] = [];
  const events: string[] = [];
  const observer = new SessionObserver(
    {
      call: (call) => calls.push(call),
      log: () => {},
      protocolEvent: (event) => events.push(event.type),
      session: () => {},
    },
    { timeoutMs: TIMEOUT },
  );
  let now = 1_000_000;
  /** Moves the clock to `at` ms after the start, ticking every second as the wrapper does. */
  const until = (at: number) => {
    while (now < 1_000_000 + at) {
      now = Math.min(now + 1000, 1_000_000 + at);
      observer.tick(now);
    }
  };
  const send = (stream: Stream, message: object) =>
    observer.line(stream, Buffer.from(JSON.stringify({ jsonrpc: "2.0", ...message })), now);
  const outcomes = () => calls.map((c) => `${c.method}:${c.outcome}:${Math.round(c.durationMs)}`);
  return { send, until, outcomes, events };
}

describe("the wrapper's timeout", () => {
  it("does not judge a human answering an elicitation, nor the tool call waiting on it", () => {
    const { send, until, outcomes, events } = session();
    send("in", { id: 1, method: "tools/call", params: { name: "ask-the-user" } });
    until(100);
    send("out", { id: 0, method: "elicitation/create", params: { message: "Your name?" } });
    // The user takes 3.5 timeouts to fill in the form.
    until(100 + 3.5 * TIMEOUT);
    send("in", { id: 0, result: { action: "accept", content: { name: "Ada" } } });
    until(100 + 3.5 * TIMEOUT + 50);
    send("out", { id: 1, result: { content: [{ type: "text", text: "Hello Ada" }] } });
    expect(outcomes()).toEqual([
      `elicitation/create:ok:${3.5 * TIMEOUT}`,
      `tools/call:ok:${100 + 3.5 * TIMEOUT + 50}`,
    ]);
    expect(events).toEqual([]);
  });

  it("runs again for the tool call once the client answered, and for a server that never answers", () => {
    const { send, until, outcomes } = session();
    send("in", { id: 1, method: "tools/call", params: { name: "ask-then-hang" } });
    send("out", { id: 0, method: "sampling/createMessage", params: { messages: [] } });
    until(5000);
    send("in", { id: 0, result: { role: "assistant", content: { type: "text", text: "hi" } } });
    // The server got its answer and then hangs: a timeout, counted from the client's answer.
    until(5000 + TIMEOUT - 1000);
    expect(outcomes()).toEqual(["sampling/createMessage:ok:5000"]);
    until(5000 + TIMEOUT);
    expect(outcomes()).toEqual(["sampling/createMessage:ok:5000", `tools/call:timeout:${5000 + TIMEOUT}`]);
    // A plain call to a server that does not answer is judged as before.
    send("in", { id: 2, method: "tools/call", params: { name: "hang" } });
    until(5000 + 2 * TIMEOUT);
    expect(outcomes()).toHaveLength(3);
    expect(outcomes()[2]).toBe(`tools/call:timeout:${TIMEOUT}`);
  });

  it("times out a hung tool call on a server that pings its client every second", () => {
    const { send, until, outcomes } = session();
    send("in", { id: 1, method: "tools/call", params: { name: "hang" } });
    // Keepalive pings, each answered at once: the client is hardly waited on, the server still hangs.
    for (let t = 1000; t <= 5 * TIMEOUT; t += 1000) {
      until(t);
      send("out", { id: `keepalive-${t}`, method: "ping" });
      send("in", { id: `keepalive-${t}`, result: {} });
    }
    expect(outcomes().filter((o) => o.startsWith("tools/call"))).toEqual([`tools/call:timeout:${TIMEOUT}`]);
  });

  it("counts the time before and after a question to the client, not the time it took", () => {
    const { send, until, outcomes } = session();
    send("in", { id: 1, method: "tools/call", params: { name: "ask-then-hang" } });
    until(1500);
    send("out", { id: 0, method: "elicitation/create", params: { message: "Your name?" } });
    until(1500 + 3 * TIMEOUT);
    send("in", { id: 0, result: { action: "accept", content: { name: "Ada" } } });
    // 1.5 s of the limit were spent before the question: 0.5 s are left after the answer.
    until(1500 + 3 * TIMEOUT + 1000);
    expect(outcomes()).toEqual([
      `elicitation/create:ok:${3 * TIMEOUT}`,
      `tools/call:timeout:${1500 + 3 * TIMEOUT + 1000}`,
    ]);
  });

  it("does not let a request the client never answers turn timeouts off", () => {
    const { send, until, outcomes } = session();
    // A client that ignores requests it does not support.
    send("out", { id: "r1", method: "roots/list" });
    send("in", { id: 1, method: "tools/call", params: { name: "hang" } });
    until(2 * TIMEOUT);
    expect(outcomes()).toEqual([`tools/call:timeout:${2 * TIMEOUT}`]);
    // Unanswered questions to a person hold the clocks for ten limits at most.
    send("out", { id: "e1", method: "elicitation/create", params: { message: "Your name?" } });
    send("in", { id: 2, method: "tools/call", params: { name: "hang" } });
    until(2 * TIMEOUT + 11 * TIMEOUT);
    expect(outcomes()).toEqual([`tools/call:timeout:${2 * TIMEOUT}`, `tools/call:timeout:${11 * TIMEOUT}`]);
  });

  it("times out a hung tool call while the server sends its client pings it never answers", () => {
    const { send, until, outcomes } = session();
    send("in", { id: 1, method: "tools/call", params: { name: "hangs" } });
    // A ping every second, none answered: each holds the clock for a limit, and they overlap for ever.
    for (let k = 0; k < 20 * (TIMEOUT / 1000); k++) {
      send("out", { id: 1000 + k, method: "ping" });
      until((k + 1) * 1000);
    }
    // Paused ten limits at most in all, as behind one question to a person: then its own limit runs out.
    expect(outcomes()).toEqual([`tools/call:timeout:${11 * TIMEOUT}`]);
  });

  it("keeps a server giving up on its own question cancelled, and a client giving up a timeout", () => {
    const { send, until, outcomes } = session();
    const sdkTimeout = "McpError: MCP error -32001: Request timed out";
    send("out", { id: 0, method: "elicitation/create", params: { message: "Your name?" } });
    until(60_000);
    send("out", { method: "notifications/cancelled", params: { requestId: 0, reason: sdkTimeout } });
    send("in", { id: 1, method: "tools/call", params: { name: "slow" } });
    until(61_000);
    send("in", { method: "notifications/cancelled", params: { requestId: 1, reason: sdkTimeout } });
    expect(outcomes()).toEqual(["elicitation/create:cancelled:60000", "tools/call:timeout:1000"]);
  });
});
