/**
 * Copies of big chunks go into slabs the observer hands back: a slab comes back only once the observer
 * is done with it, is reused for a later copy, and a copy always holds exactly its chunk's bytes. With
 * `packSmall` (the stdio wrapper), small copies share one slab per batch, counted and handed over once; a
 * pack at most half full goes as a copy of what it holds, counted as that, so that a trickle of small
 * calls holds its real size of the bound, not a slab per batch.
 */
import { describe, expect, it } from "vitest";
import { batchItems } from "../../electron/monitor/proxy/copy-batch.js";
import {
  batchBuffers,
  CopyQueue,
  type QueueMessage,
  SLAB_BYTES,
} from "../../electron/monitor/proxy/copy-queue.js";
import { CONTROL_HEAD, CONTROL_SLOTS } from "../../electron/monitor/proxy/line-elider.js";
import type { CopyStream, ToWorker } from "../../electron/monitor/proxy/worker-protocol.js";

type Sent = ToWorker | QueueMessage<CopyStream, ToWorker>;

/** What went with a message besides a batch's own columns: the copies' buffers. */
function copyBuffers(message: Sent, transfer?: readonly ArrayBuffer[]): ArrayBuffer[] | undefined {
  if (!transfer) return undefined;
  return transfer.filter((buffer) => message.type !== "chunks" || buffer !== message.batch.columns);
}

function queue(packSmall = false) {
  const sent: { message: Sent; transfer?: ArrayBuffer[] }[] = [];
  const q = new CopyQueue(
    {
      postMessage: (message: Sent, transfer?: readonly ArrayBuffer[]) =>
        sent.push({ message, transfer: copyBuffers(message, transfer) }),
    } as never,
    { packSmall },
  );
  const copies = () =>
    sent.flatMap(({ message }) =>
      message.type === "chunks"
        ? batchItems(message.batch).flatMap((item) => ("bytes" in item ? [item.bytes] : []))
        : [],
    );
  return { q, sent, copies };
}

describe("copy slabs", () => {
  it("copies big chunks into slabs, reuses a slab handed back, and keeps small chunks apart", () => {
    const { q, sent, copies } = queue();
    const big = Buffer.alloc(40_000, 0x61);
    q.offer("out", big, 1);
    q.offer("in", Buffer.from('{"id":1}\n'), 2);
    q.flush();
    const [first, small] = copies();
    expect(first?.buffer.byteLength).toBe(SLAB_BYTES);
    expect(Buffer.from(first ?? []).equals(big)).toBe(true);
    expect(small?.buffer.byteLength).toBe(9);
    // Every copy's memory is handed over with the batch.
    expect(sent[0]?.transfer).toEqual([first?.buffer, small?.buffer]);

    // The observer is done with the slab: the next big copy reuses it, and holds only its own bytes.
    q.recycle([first?.buffer as ArrayBuffer, small?.buffer as ArrayBuffer]);
    const next = Buffer.alloc(20_000, 0x62);
    q.offer("out", next, 3);
    q.flush();
    const reused = copies()[2];
    expect(reused?.buffer).toBe(first?.buffer);
    expect(reused?.byteLength).toBe(20_000);
    expect(Buffer.from(reused ?? []).equals(next)).toBe(true);
    // A chunk over a slab is copied on its own.
    q.offer("out", Buffer.alloc(SLAB_BYTES + 1), 4);
    q.flush();
    expect(copies()[3]?.buffer.byteLength).toBe(SLAB_BYTES + 1);
  });

  it("counts a slab's whole size against the queue's bound, and drops what would pass it", () => {
    const { q, copies } = queue();
    // 16 KiB chunks each take a 64 KiB slab: a 256 KiB bound holds four of them, not sixteen.
    const bounded = new CopyQueue({ postMessage: () => {} } as never, 4 * SLAB_BYTES);
    for (let i = 0; i < 6; i++) bounded.offer("out", Buffer.alloc(16 * 1024, 0x61), i);
    expect(bounded.pendingBytes).toBe(4 * SLAB_BYTES);
    expect(bounded.droppedChunks).toBe(2);
    // The observer acknowledges what it was sent, counted the same way: the queue is empty again.
    q.offer("out", Buffer.alloc(16 * 1024), 1);
    q.flush();
    q.acknowledge(copies()[0]?.buffer.byteLength ?? 0);
    expect(q.pendingBytes).toBe(0);
  });

  it("packs a batch's small copies into one slab, handed over and acknowledged once, then reused", () => {
    const { q, sent, copies } = queue(true);
    // 800 bytes each: the fifty fill more than half the pack, which then goes over whole.
    const lines = Array.from({ length: 50 }, (_, i) =>
      Buffer.from(`{"jsonrpc":"2.0","id":${i},"pad":"${"x".repeat(800 - 34 - String(i).length)}"}\n`),
    );
    const big = Buffer.alloc(40_000, 0x61);
    for (const [i, line] of lines.entries()) {
      q.offer(i % 2 ? "out" : "in", line, i);
      if (i === 25) q.offer("out", big, i);
    }
    // One pack for the fifty lines, one slab for the big chunk: that is what the bound counts.
    expect(q.pendingBytes).toBe(2 * SLAB_BYTES);
    q.flush();
    const batch = copies();
    expect(batch).toHaveLength(51);
    const small = batch.filter((copy) => copy.byteLength !== big.length);
    // Each copy holds exactly its chunk, in order, all in one buffer.
    expect(small.map((copy) => Buffer.from(copy).toString())).toEqual(lines.map((line) => line.toString()));
    expect(new Set(small.map((copy) => copy.buffer)).size).toBe(1);
    expect(sent[0]?.transfer).toHaveLength(2);
    // The observer counts each buffer once, as the queue did, and hands both slabs back.
    const message = sent[0]?.message;
    if (message?.type !== "chunks") throw new Error("expected a batch of copies");
    const { bytes, slabs } = batchBuffers(message.batch);
    expect(bytes).toBe(2 * SLAB_BYTES);
    expect(slabs).toHaveLength(2);
    q.acknowledge(bytes);
    expect(q.pendingBytes).toBe(0);
    q.recycle(slabs);
    const next = Array.from({ length: 3 }, (_, i) => Buffer.alloc(12_000, 0x62 + i));
    for (const chunk of next) q.offer("in", chunk, 99);
    q.flush();
    const reused = copies().slice(51);
    expect(slabs).toContain(reused[0]?.buffer);
    expect(reused.every((copy) => copy.buffer === reused[0]?.buffer)).toBe(true);
    expect(Buffer.concat(reused).equals(Buffer.concat(next))).toBe(true);
  });

  it("starts another pack when one is full, drops what a new pack would take past the bound, then tells the gap", () => {
    const sent: Sent[] = [];
    const bounded = new CopyQueue({ postMessage: (message: Sent) => sent.push(message) } as never, {
      maxInFlightBytes: 2 * SLAB_BYTES,
      packSmall: true,
    });
    const chunk = Buffer.alloc(10_000, 0x0a);
    // Six 10,000-byte chunks fill a 64 KiB pack; the seventh starts a second; the thirteenth has no room.
    for (let i = 0; i < 6; i++) bounded.offer("in", chunk, i);
    bounded.flush();
    for (let i = 6; i < 14; i++) bounded.offer(i < 12 ? "in" : "out", chunk, i);
    expect(bounded.pendingBytes).toBe(2 * SLAB_BYTES);
    expect(bounded.droppedChunks).toBe(2);
    expect(bounded.droppedBytes).toBe(20_000);

    // The observer is done with the first batch. The next copy of the stream that lost two chunks needs a
    // new pack: the batch gathered so far goes first, then the notice of the gap, then the copy.
    bounded.acknowledge(SLAB_BYTES);
    bounded.offer("out", Buffer.from("after the gap\n"), 20);
    expect(bounded.pendingBytes).toBe(2 * SLAB_BYTES);
    bounded.flush();
    expect(sent.map((message) => message.type)).toEqual(["chunks", "chunks", "gap", "chunks"]);
    expect(sent[2]).toMatchObject({ type: "gap", stream: "out", droppedBytes: 20_000, droppedLines: 20_000 });
    const last = sent[3];
    if (last?.type !== "chunks") throw new Error("expected a batch of copies");
    const copy = batchItems(last.batch)[0];
    expect(copy && "bytes" in copy ? Buffer.from(copy.bytes).toString() : null).toBe("after the gap\n");
  });
  it("packs a long line's head and tail beside small copies, the cut in order, acknowledged once in shared memory", () => {
    const { q, sent } = queue(true);
    const control = new Int32Array(new SharedArrayBuffer(4 * CONTROL_SLOTS));
    Atomics.store(control, CONTROL_HEAD, 10_000);
    const progress = new BigInt64Array(new SharedArrayBuffer(16));
    q.elideLongLines("out", "in", control);
    q.reportProgressIn(progress);

    q.offer("out", Buffer.from('{"id":1}\n'), 1);
    const line = Buffer.concat([Buffer.alloc(150_000, 0x61), Buffer.alloc(50_000, 0x62), Buffer.from("\n")]);
    for (let at = 0; at < line.length; at += 50_000) q.offer("out", line.subarray(at, at + 50_000), 2);
    q.flush();

    const batches = sent.filter(({ message }) => message.type === "chunks");
    expect(batches).toHaveLength(1);
    const batch = batches[0]?.message as Extract<Sent, { type: "chunks" }>;
    const items = batchItems(batch.batch).flatMap((item) => ("bytes" in item ? [item] : []));
    // The small line, the head, the cut, the tail, the newline: in the order the server wrote them.
    expect(items.map((item) => item.elided ?? Buffer.from(item.bytes).toString().slice(0, 8))).toEqual([
      '{"id":1}',
      "aaaaaaaa",
      { bytes: 200_000 - 10_000 - 4096, hidden: false },
      "bbbbbbbb",
      "\n",
    ]);
    const copied = Buffer.concat(items.map((item) => item.bytes));
    expect(
      copied.equals(
        Buffer.concat([Buffer.from('{"id":1}\n'), line.subarray(0, 10_000), line.subarray(-4097)]),
      ),
    ).toBe(true);
    // Every byte copied shares one slab, handed over once and counted once.
    const pack = items[0]?.bytes.buffer;
    expect(
      items.filter((item) => item.bytes.byteLength > 0).every((item) => item.bytes.buffer === pack),
    ).toBe(true);
    expect(batches[0]?.transfer?.filter((buffer) => buffer === pack)).toHaveLength(1);
    // Under half a slab: what goes over is a copy of just those bytes, and that is what counts.
    expect(pack?.byteLength).toBe(copied.length);
    expect(q.pendingBytes).toBe(copied.length);
    const { bytes, slabs } = batchBuffers(batch.batch);
    expect(bytes).toBe(copied.length);
    expect(slabs).toEqual([]);
    Atomics.add(progress, 0, BigInt(bytes));
    expect(q.pendingBytes).toBe(0);
  });

  it("counts a trickle of small batches as their bytes, not a slab each, and keeps the slab for the next", () => {
    const sent: { message: Sent; transfer?: ArrayBuffer[] }[] = [];
    // Sixteen slabs: counted whole, a hundred batches of one line each would pass it six times over.
    const trickle = new CopyQueue(
      {
        postMessage: (message: Sent, transfer?: readonly ArrayBuffer[]) =>
          sent.push({ message, transfer: copyBuffers(message, transfer) }),
      } as never,
      { maxInFlightBytes: 16 * SLAB_BYTES, packSmall: true },
    );
    const line = (i: number) => Buffer.from(`{"jsonrpc":"2.0","id":${i},"method":"ping"}\n`.padStart(100));
    let offered = 0;
    for (let i = 0; i < 100; i++) {
      trickle.offer(i % 3 ? "in" : "err", line(i), i);
      offered += line(i).length;
      // Batches end on the timer, and early on a control message (the pack goes with them either way).
      if (i % 2) trickle.flush();
      else trickle.post({ type: "child", pid: i });
    }
    expect(trickle.droppedChunks).toBe(0);
    expect(trickle.pendingBytes).toBe(offered);
    expect(trickle.offeredBytes).toBe(offered);
    const batches = sent.flatMap(({ message, transfer }) =>
      message.type === "chunks" ? [{ message, transfer }] : [],
    );
    expect(batches).toHaveLength(100);
    // Each batch hands over one buffer holding exactly its line; the observer counts the same bytes.
    let acknowledged = 0;
    for (const [i, { message, transfer }] of batches.entries()) {
      expect(transfer?.map((buffer) => buffer.byteLength)).toEqual([line(i).length]);
      const copy = batchItems(message.batch)[0];
      expect(copy && "bytes" in copy ? Buffer.from(copy.bytes).equals(line(i)) : false).toBe(true);
      acknowledged += batchBuffers(message.batch).bytes;
    }
    expect(acknowledged).toBe(offered);
    trickle.acknowledge(acknowledged);
    expect(trickle.pendingBytes).toBe(0);

    // The slab stayed here: a batch that fills it past half goes over in it, whole.
    for (let i = 0; i < 3; i++) trickle.offer("in", Buffer.alloc(12_000, 0x0a), 200 + i);
    trickle.flush();
    const last = sent[sent.length - 1];
    expect(last?.transfer?.map((buffer) => buffer.byteLength)).toEqual([SLAB_BYTES]);
    expect(trickle.pendingBytes).toBe(SLAB_BYTES);
  });

  it("asks the bound again when a gap notice ends the pack, before it takes another slab", () => {
    const bounded = new CopyQueue({ postMessage: () => {} } as never, {
      maxInFlightBytes: 2 * SLAB_BYTES,
      packSmall: true,
    });
    // One full pack handed over, a second one half full: the bound is reached.
    for (let i = 0; i < 6; i++) bounded.offer("in", Buffer.alloc(10_000, 0x0a), i);
    bounded.flush();
    for (let i = 0; i < 5; i++) bounded.offer("in", Buffer.alloc(11_000, 0x0a), i);
    expect(bounded.pendingBytes).toBe(2 * SLAB_BYTES);
    // Too big for what is left of the pack, and no room for another: dropped, a gap on "out".
    bounded.offer("out", Buffer.alloc(15_000, 0x0a), 10);
    expect(bounded.droppedChunks).toBe(1);
    // Small enough for the pack, but its gap notice hands the pack over first: a new one would pass the bound.
    bounded.offer("out", Buffer.from("after the gap\n"), 11);
    expect(bounded.pendingBytes).toBeLessThanOrEqual(2 * SLAB_BYTES);
    expect(bounded.droppedChunks).toBe(2);
  });
});
