/**
 * Which requests the wrapper's `--timeout` judges, on a virtual clock: a server that does not answer in
 * time, yes; a server's own request to the client (an elicitation a human fills in, a sampling call to an
 * LLM), no, and the tool call waiting on it neither, until the client has answered.
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
});
