/**
 * The time each copy carries is when its read was offered: given by the caller, or read by the queue at
 * the offer when not (the wrapper's forwarding thread leaves it to the queue, which then reads no clock
 * for the reads of a long line's middle that it leaves out). The observer times lines and judges its own
 * lateness by these stamps.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { preciseNow } from "../../electron/monitor/proxy/clock.js";
import { batchItems, type Copy } from "../../electron/monitor/proxy/copy-batch.js";
import { CopyQueue } from "../../electron/monitor/proxy/copy-queue.js";
import { CONTROL_HEAD, CONTROL_SLOTS } from "../../electron/monitor/proxy/line-elider.js";
import type { CopyStream, ToWorker } from "../../electron/monitor/proxy/worker-protocol.js";

function queue() {
  const items: Copy<CopyStream>[] = [];
  const q = new CopyQueue<CopyStream, ToWorker>({
    postMessage: (message: ToWorker) => {
      if (message.type === "chunks")
        for (const item of batchItems(message.batch)) if ("stream" in item) items.push(item);
    },
  } as never);
  const control = new Int32Array(new SharedArrayBuffer(4 * CONTROL_SLOTS));
  control[CONTROL_HEAD] = 2000;
  q.elideLongLines("out", "in", control);
  return { q, items };
}

describe("copy stamps", () => {
  it("stamps each copy with when its read was offered, when the caller gives no time", () => {
    const { q, items } = queue();
    const line = Buffer.from(`{"jsonrpc":"2.0","id":1,"result":{"text":"${"x".repeat(50_000)}"}}\n`);
    const request = Buffer.from('{"jsonrpc":"2.0","id":1,"method":"tools/call"}\n');
    const offered: { from: number; to: number; count: number }[] = [];
    const offer = (stream: CopyStream, bytes: Buffer) => {
      const from = preciseNow();
      q.offer(stream, bytes);
      q.flush();
      offered.push({ from, to: preciseNow(), count: items.length });
    };
    offer("in", request);
    for (let at = 0; at < line.length; at += 4096) offer("out", line.subarray(at, at + 4096));
    // The head's copy, the elision, the tail's copy and the newline, each with its own read's time.
    let seen = 0;
    for (const { from, to, count } of offered) {
      for (const item of items.slice(seen, count)) {
        expect(item.at).toBeGreaterThanOrEqual(from);
        expect(item.at).toBeLessThanOrEqual(to);
      }
      seen = count;
    }
    expect(items.map((item) => item.stream)).toEqual(["in", "out", "out", "out", "out"]);
    expect(items[2]?.elided?.bytes).toBe(line.length - 1 - 2000 - 4096);
  });

  it("keeps a time the caller gives", () => {
    const { q, items } = queue();
    q.offer("err", Buffer.from("starting\n"), 1234.5);
    q.offer("out", Buffer.from('{"jsonrpc":"2.0","id":1,"result":{}}\n'), 1235.25);
    q.flush();
    expect(items.map((item) => item.at)).toEqual([1234.5, 1235.25]);
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("reads no clock once nothing is copied, and still counts what went by", () => {
    // A wrapper inside another one relays without observing, and so does one whose observation stopped:
    // every read of theirs is offered to a queue that copies nothing.
    const { q, items } = queue();
    q.markBroken();
    const performanceNow = vi.spyOn(performance, "now");
    const dateNow = vi.spyOn(Date, "now");
    const line = Buffer.from(`{"jsonrpc":"2.0","id":1,"result":{"text":"${"x".repeat(50_000)}"}}\n`);
    q.offer("in", Buffer.from('{"jsonrpc":"2.0","id":1,"method":"initialize"}\n'));
    for (let at = 0; at < line.length; at += 4096) q.offer("out", line.subarray(at, at + 4096));
    q.offer("err", Buffer.from("a log line\n"));
    q.flush();
    expect(performanceNow).not.toHaveBeenCalled();
    expect(dateNow).not.toHaveBeenCalled();
    expect(items).toEqual([]);
    const reads = 1 + Math.ceil(line.length / 4096) + 1;
    expect(q.droppedChunks).toBe(reads);
    expect(q.droppedBytes).toBe(47 + line.length + 11);
    expect(q.offeredBytes).toBe(q.droppedBytes);
  });
});
