import { Writable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { StderrLines } from "../../electron/monitor/proxy/stderr-lines.js";

/** A stderr that keeps what was written, each write as its own piece. */
function sink(): { stream: Writable; text: () => string } {
  const pieces: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      pieces.push(String(chunk));
      done();
    },
  });
  return { stream, text: () => pieces.join("") };
}

describe("the wrapper's lines on a stderr it shares with the server", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("go out at once between the server's lines", async () => {
    const err = sink();
    const lines = new StderrLines(err.stream);
    lines.relay(Buffer.from("server line\n"));
    lines.say("mcpscope: ours\n");
    lines.relay(Buffer.from("next\n"));
    await vi.runAllTimersAsync();
    expect(err.text()).toBe("server line\nmcpscope: ours\nnext\n");
  });

  it("wait for the end of a line the server is part-way through, and keep its bytes unchanged", async () => {
    const err = sink();
    const lines = new StderrLines(err.stream);
    lines.relay(Buffer.from("a line written in "));
    lines.say("mcpscope: ours\n");
    lines.relay(Buffer.from("two parts\nand the start of "));
    lines.relay(Buffer.from("another\n"));
    await vi.runAllTimersAsync();
    expect(err.text()).toBe("a line written in two parts\nmcpscope: ours\nand the start of another\n");
  });

  it("break a line left unfinished too long, rather than wait for ever or write inside it", async () => {
    const err = sink();
    const lines = new StderrLines(err.stream, 2000);
    lines.relay(Buffer.from("progress: 10%"));
    lines.say("mcpscope: ours\n");
    vi.advanceTimersByTime(1999);
    expect(err.text()).toBe("progress: 10%");
    vi.advanceTimersByTime(1);
    lines.relay(Buffer.from(" 20%\n"));
    await vi.runAllTimersAsync();
    expect(err.text()).toBe("progress: 10%\nmcpscope: ours\n 20%\n");
  });

  it("after the server's stderr ends, write at once on a line of their own", async () => {
    const err = sink();
    const lines = new StderrLines(err.stream);
    lines.relay(Buffer.from("last words without a newline"));
    lines.say("mcpscope: held\n");
    lines.end();
    lines.say("mcpscope: later\n");
    await vi.runAllTimersAsync();
    expect(err.text()).toBe("last words without a newline\nmcpscope: held\nmcpscope: later\n");
  });
});
