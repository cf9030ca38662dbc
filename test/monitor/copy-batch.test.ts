/**
 * A batch of copies crosses to the observer as columns: what the observer reads back is every item in
 * order — stream, time, bytes (views into the same buffers, each buffer sent once), cut lines and
 * control messages between the copies.
 */
import { describe, expect, it } from "vitest";
import { type BatchItem, batchItems, packBatch } from "../../electron/monitor/proxy/copy-batch.js";

type Control = { type: "request"; id: number };

describe("copy batches", () => {
  it("reads back every item in order, each buffer sent once", () => {
    const slab = new ArrayBuffer(64);
    const own = new Uint8Array([1, 2, 3]);
    new Uint8Array(slab).set([10, 11, 12, 13, 14, 15]);
    const items: BatchItem<string, Control>[] = [
      { stream: "in", at: 1.25, bytes: new Uint8Array(slab, 0, 2) },
      { control: { type: "request", id: 7 } },
      { stream: "x9:res", at: 2.5, bytes: new Uint8Array(slab, 2, 4) },
      { stream: "out", at: 3, bytes: new Uint8Array(0), elided: { bytes: 1_000_000, hidden: true } },
      { stream: "in", at: 4.125, bytes: own, marks: 3 },
      { control: { type: "request", id: 8 } },
    ];
    const { message, transfer } = packBatch(items, 4096);
    expect(message.inFlight).toBe(4096);
    expect(message.batch.buffers).toEqual([slab, own.buffer]);
    expect(transfer).toEqual([message.batch.columns, slab, own.buffer]);

    const back = batchItems(message.batch);
    expect(back).toHaveLength(items.length);
    expect(back[1]).toEqual({ control: { type: "request", id: 7 } });
    expect(back[5]).toEqual({ control: { type: "request", id: 8 } });
    const copies = back.flatMap((item) => ("bytes" in item ? [item] : []));
    expect(copies.map((c) => [c.stream, c.at, [...c.bytes], c.elided, c.marks])).toEqual([
      ["in", 1.25, [10, 11], undefined, undefined],
      ["x9:res", 2.5, [12, 13, 14, 15], undefined, undefined],
      ["out", 3, [], { bytes: 1_000_000, hidden: true }, undefined],
      ["in", 4.125, [1, 2, 3], undefined, 3],
    ]);
    // Views into the buffers that were sent, not copies of them.
    expect(copies[0]?.bytes.buffer).toBe(slab);
    expect(copies[1]?.bytes.buffer).toBe(slab);
  });

  it("survives a real post to another thread", async () => {
    const { MessageChannel } = await import("node:worker_threads");
    const { port1, port2 } = new MessageChannel();
    const bytes = new Uint8Array(Buffer.from('{"jsonrpc":"2.0","id":1}\n'));
    const { message, transfer } = packBatch<"out", never>([{ stream: "out", at: 5, bytes }], 0);
    const received = new Promise<typeof message>((resolve) => port2.once("message", resolve));
    port1.postMessage(message, transfer);
    // Transferred: this side no longer holds the bytes.
    expect(bytes.byteLength).toBe(0);
    const [copy] = batchItems((await received).batch);
    port1.close();
    expect(copy && "bytes" in copy ? Buffer.from(copy.bytes).toString() : null).toBe(
      '{"jsonrpc":"2.0","id":1}\n',
    );
  });

  it("packs an empty batch", () => {
    const { message } = packBatch<string, never>([], 0);
    expect(batchItems(message.batch)).toEqual([]);
  });
});
