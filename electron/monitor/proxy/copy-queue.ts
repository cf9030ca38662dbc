/**
 * The bounded hand-off from the forwarding thread to the observer worker. Bytes are forwarded before a
 * copy is offered here; if the worker falls behind by more than `maxInFlightBytes`, copies are dropped
 * and counted, and the worker is told of the gap so it can resync. The traffic never waits.
 */
import type { Worker } from "node:worker_threads";
import { preciseNow } from "./clock.js";
import { type BatchItem, type ChunksMessage, type PackedBatch, packBatch } from "./copy-batch.js";
import { CopyGaps, type GapMessage } from "./copy-gaps.js";
import { type ElisionSink, LineElider, WholeResultWatch } from "./line-elider.js";
import type { CopyStream, ToWorker } from "./worker-protocol.js";

/**
 * What a queue hands over: batches of copies (and of control messages deferred among them, in order),
 * and gap notices.
 */
export type QueueMessage<S extends string, M = never> = ChunksMessage<S, M> | GapMessage<S>;

/**
 * How long copies gather before they are handed over (observation only: traffic is already forwarded).
 * Each hand-over costs the forwarding thread a message and the observer thread a wake-up on cores shared
 * with the client and the server, so small frequent calls go over in batches of many; a batch that
 * reaches BATCH_BYTES goes at once, so that large payloads reach the observer in moderate steps.
 */
const BATCH_MS = 20;
const BATCH_BYTES = 256 * 1024;

/**
 * Copies of big chunks (a pipe reads up to 64 KiB at a time) go into slabs of this size that the worker
 * hands back once it has read them: a large payload then costs copies, not a fresh allocation per chunk
 * on both threads and the garbage collection that follows.
 */
export const SLAB_BYTES = 64 * 1024;
const SLAB_MIN_CHUNK = 16 * 1024;
/** Slabs kept for reuse (4 MiB); more are left to the garbage collector. */
const MAX_POOLED_SLABS = 64;
/**
 * Past this share of the bound the queue sheds what costs the record least: long server lines are copied
 * short, and copies of the stream shed first (a server's stderr) are dropped, so that a log burst the
 * observer cannot keep up with never fills the queue the calls need (calls are the primary record).
 */
const PRESSED_SHARE = 1 / 4;

export interface CopyQueueOptions {
  /** Bytes handed over and not yet acknowledged, at most (copies past it are dropped and counted). */
  maxInFlightBytes?: number;
  /**
   * Copy small chunks side by side into shared slabs: one buffer per batch to transfer and to collect
   * instead of one per chunk (a copy of what the slab holds when that is at most half of it). The receiver
   * must count each buffer once (see `batchBuffers`).
   */
  packSmall?: boolean;
  /** A stream whose copies are dropped once the queue is pressed (see PRESSED_SHARE), before any other's. */
  shedFirst?: string;
}

/** A batch's bytes as the queue counted them (each buffer once, whole), and the slabs to hand back. */
export function batchBuffers(batch: PackedBatch<string, unknown>): { bytes: number; slabs: ArrayBuffer[] } {
  let bytes = 0;
  const slabs: ArrayBuffer[] = [];
  for (const buffer of batch.buffers) {
    bytes += buffer.byteLength;
    if (buffer.byteLength === SLAB_BYTES) slabs.push(buffer);
  }
  return { bytes, slabs };
}

export class CopyQueue<S extends string = CopyStream, M extends { type: string } = ToWorker> {
  /** Bytes handed over, less those acknowledged by message (see `held` for those acknowledged in memory). */
  private inFlight = 0;
  /** [bytes handled, epoch ms of the last progress], written by the worker (see `reportProgressIn`). */
  private progress: BigInt64Array | null = null;
  private ackedAt = Date.now();
  private readonly gaps = new CopyGaps<S>();
  private broken = false;
  private batch: BatchItem<S, M>[] = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly slabs: ArrayBuffer[] = [];
  /** The slab small copies of this batch are packed into, and how much of it they fill. */
  private pack: ArrayBuffer | null = null;
  private packUsed = 0;
  private batchBytes = 0;
  private readonly maxInFlightBytes: number;
  private readonly packSmall: boolean;
  private readonly shedFirst: string | null;
  private readonly eliders = new Map<S, { elider: LineElider; sink: ElisionSink }>();
  /** When the bytes being offered were read: given, or read from the clock once a copy of them needs it. */
  private offerAt = Number.NaN;
  private watch: { stream: S; watch: WholeResultWatch } | null = null;
  /** Bytes offered in all, copied or not (see `offeredBytes`). */
  private offered = 0;
  droppedBytes = 0;
  droppedChunks = 0;

  constructor(
    private readonly worker: Pick<Worker, "postMessage">,
    options: number | CopyQueueOptions = {},
  ) {
    const {
      maxInFlightBytes = 32 * 1024 * 1024,
      packSmall = false,
      shedFirst = null,
    } = typeof options === "number" ? { maxInFlightBytes: options } : options;
    this.maxInFlightBytes = maxInFlightBytes;
    this.packSmall = packSmall;
    this.shedFirst = shedFirst;
  }

  /**
   * Long lines of `stream` are copied as their head and tail only, sized by `control` (line-elider.ts);
   * `requests` is the stream whose requests for whole answers turn that off while they are pending.
   */
  elideLongLines(stream: S, requests: S, control: Int32Array): void {
    // Pressed: copies shrink before any has to be dropped, whatever the observer knows yet.
    const elider = new LineElider(control, () => this.held > this.pressedBytes);
    const sink: ElisionSink = {
      copy: (bytes) => this.copy(stream, bytes, this.stamp()),
      elided: (elided) => {
        // After a drop the line is lost anyway: the gap notice says so.
        if (this.gaps.has(stream)) return;
        this.batch.push({ stream, at: this.stamp(), bytes: new Uint8Array(0), elided });
        this.schedule();
      },
    };
    this.eliders.set(stream, { elider, sink });
    this.watch = { stream: requests, watch: new WholeResultWatch(control) };
  }

  /**
   * `chunk` was read (and forwarded) at `at`; without it, the queue reads the clock when a copy of the chunk
   * first needs a time, and not at all for a read it leaves out whole (the middle of a long line).
   */
  offer(stream: S, chunk: Buffer, at?: number): void {
    this.offered += chunk.length;
    if (this.broken) {
      // Nothing is copied any more (a wrapper inside another one, or observation stopped): the read is
      // counted, and no clock is read for it (two readings at every read of a relaying wrapper).
      this.droppedBytes += chunk.length;
      this.droppedChunks++;
      return;
    }
    this.offerAt = at ?? Number.NaN;
    const elision = this.eliders.get(stream);
    if (!elision && this.watch?.stream !== stream) {
      this.copy(stream, chunk, this.stamp());
      return;
    }
    try {
      let marks: number | undefined;
      if (this.watch?.stream === stream) {
        this.watch.watch.offer(chunk);
        marks = this.watch.watch.total;
      }
      if (!elision) this.copy(stream, chunk, this.stamp(), marks);
      else elision.elider.offer(chunk, elision.sink);
    } catch (error) {
      // Observation stops here; the caller says why, and the relay goes on.
      this.broken = true;
      throw error;
    }
  }

  /** When the bytes being offered were read (see `offer`). */
  private stamp(): number {
    if (Number.isNaN(this.offerAt)) this.offerAt = preciseNow();
    return this.offerAt;
  }

  /** `marks`: on the client's copies, the whole-result marks raised through this chunk's end. */
  private copy(stream: S, chunk: Buffer, at: number, marks?: number): void {
    if (this.packSmall && chunk.length > 0 && chunk.length < SLAB_MIN_CHUNK && !this.broken) {
      this.offerPacked(stream, chunk, at, marks);
      return;
    }
    if (this.broken || this.held + chunk.length > this.boundFor(stream)) {
      if (this.broken || chunk.length === 0) {
        this.droppedBytes += chunk.length;
        this.droppedChunks++;
      } else this.drop(stream, chunk, at);
      return;
    }
    this.postGap(stream);
    // A copy the worker owns: the stream may reuse `chunk`'s memory.
    const bytes = this.copyOf(chunk);
    // What the copy holds in memory: a slab's whole size, however little of it the chunk fills.
    this.inFlight += bytes.buffer.byteLength;
    this.batch.push(marks === undefined ? { stream, at, bytes } : { stream, at, bytes, marks });
    this.batchBytes += chunk.length;
    this.schedule();
  }

  /** A small copy into this batch's pack; a new pack (counted whole against the bound) when it is full. */
  private offerPacked(stream: S, chunk: Buffer, at: number, marks?: number): void {
    const fits = () => this.pack !== null && this.packUsed + chunk.length <= SLAB_BYTES;
    const room = () => this.held + SLAB_BYTES <= this.maxInFlightBytes;
    // The stream shed first is dropped once the queue is pressed, even where its pack has room.
    const shed = stream === this.shedFirst && this.held + chunk.length > this.boundFor(stream);
    if ((!fits() && !room()) || shed) {
      this.drop(stream, chunk, at);
      return;
    }
    // First: a gap notice flushes the batch, and the pack goes with it; the bound is asked again then.
    this.postGap(stream);
    let pack = this.pack;
    if (pack === null || !fits()) {
      if (!room()) {
        this.drop(stream, chunk, at);
        return;
      }
      pack = this.slabs.pop() ?? new ArrayBuffer(SLAB_BYTES);
      this.pack = pack;
      this.packUsed = 0;
      this.inFlight += SLAB_BYTES;
    }
    const bytes = new Uint8Array(pack, this.packUsed, chunk.length);
    bytes.set(chunk);
    this.packUsed += chunk.length;
    this.batch.push(marks === undefined ? { stream, at, bytes } : { stream, at, bytes, marks });
    this.batchBytes += chunk.length;
    this.schedule();
  }

  /** Bytes in flight past which the queue sheds (see PRESSED_SHARE). */
  private get pressedBytes(): number {
    return this.maxInFlightBytes * PRESSED_SHARE;
  }

  /** The most `stream`'s copies may find in flight: the stream shed first stops where the queue is pressed. */
  private boundFor(stream: S): number {
    return stream === this.shedFirst ? this.pressedBytes : this.maxInFlightBytes;
  }

  private drop(stream: S, chunk: Buffer, at: number): void {
    this.droppedBytes += chunk.length;
    this.droppedChunks++;
    this.gaps.add(stream, chunk, at);
    // Told with the next batch, not only before the stream's next copy: a stream that goes on being
    // dropped (or falls silent) still has its loss counted while the session runs.
    this.schedule();
  }

  private copyOf(chunk: Buffer): Uint8Array {
    if (chunk.length < SLAB_MIN_CHUNK || chunk.length > SLAB_BYTES) return new Uint8Array(chunk);
    const bytes = new Uint8Array(this.slabs.pop() ?? new ArrayBuffer(SLAB_BYTES), 0, chunk.length);
    bytes.set(chunk);
    return bytes;
  }

  /** Slabs the worker is done with, back for reuse. */
  recycle(buffers: readonly ArrayBuffer[]): void {
    for (const buffer of buffers) {
      if (buffer.byteLength === SLAB_BYTES && this.slabs.length < MAX_POOLED_SLABS) this.slabs.push(buffer);
    }
  }

  /**
   * A control message that can wait for the next batch, in order with the copies around it: one
   * message to the worker per batch, however many requests an HTTP exchange's events make.
   */
  defer(message: M): void {
    if (this.broken) return;
    this.batch.push({ control: message });
    this.schedule();
  }

  private schedule(): void {
    if (this.batchBytes >= BATCH_BYTES) {
      this.flush();
      return;
    }
    if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), BATCH_MS);
      this.timer.unref();
    }
  }

  /**
   * Tells the worker what it missed of `stream`: before the copy that follows, or before a stream that no
   * copy will follow ends (one HTTP body) — else a drop at its tail would never be said.
   */
  postGap(stream: S): void {
    const gap = this.gaps.take(stream);
    if (gap) this.post(gap);
  }

  /** Tells the worker every gap not yet followed by a copy (at the end: what it missed last). */
  postGaps(): void {
    this.flush();
  }

  /**
   * Hands the gathered copies to the worker now, then the gaps since: every copy of a stream still in
   * the batch was offered before that stream's gap (a copy after a drop tells the gap first).
   */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.batch.length > 0) {
      const items = this.batch;
      this.batch = [];
      this.batchBytes = 0;
      this.endPack(items);
      const { message, transfer } = packBatch(items, this.held);
      this.send(message, transfer);
    }
    for (const gap of this.gaps.takeAll()) this.send(gap);
  }

  /**
   * The pack goes with its batch; the next batch's small copies start another. A pack mostly empty (a
   * trickle of small calls, a batch ended early by a control message) goes as a copy of what it holds,
   * counted as that, and its slab stays here for the next pack: counted whole, each such batch would hold
   * a slab's worth of the bound, and while the observer is not started or stalls a trickle of little
   * traffic would fill the bound and lose copies.
   */
  private endPack(items: BatchItem<S, M>[]): void {
    const pack = this.pack;
    this.pack = null;
    if (pack === null || this.packUsed > SLAB_BYTES / 2) return;
    const used = pack.slice(0, this.packUsed);
    for (const item of items) {
      if ("bytes" in item && item.bytes.buffer === pack)
        item.bytes = new Uint8Array(used, item.bytes.byteOffset, item.bytes.byteLength);
    }
    this.inFlight -= SLAB_BYTES - this.packUsed;
    this.recycle([pack]);
  }

  acknowledge(bytes: number): void {
    this.inFlight = Math.max(0, this.inFlight - bytes);
    this.ackedAt = Date.now();
  }

  /** Copies handed over but not yet processed by the worker. */
  get pendingBytes(): number {
    return this.held;
  }

  /**
   * Bytes offered since the queue was made, whatever was copied or dropped of them: what the traffic
   * carried, not what its copies hold (a slab counts whole while a batch gathers).
   */
  get offeredBytes(): number {
    return this.offered;
  }

  /** When the worker last reported progress (epoch ms). */
  get lastAckAt(): number {
    return this.progress ? Math.max(this.ackedAt, Number(Atomics.load(this.progress, 1))) : this.ackedAt;
  }

  /**
   * The worker reports what it handled in `progress` (two BigInt64s: bytes handled in all, when it last
   * made progress) instead of a message per batch and per database batch, each of which woke this
   * thread.
   */
  reportProgressIn(progress: BigInt64Array): void {
    this.progress = progress;
  }

  private get held(): number {
    return this.progress ? this.inFlight - Number(Atomics.load(this.progress, 0)) : this.inFlight;
  }

  /** The worker is gone: drop every later copy. */
  markBroken(): void {
    this.broken = true;
  }

  /** Sends a control message, after the copies gathered before it (order matters to the worker). */
  post(message: M | QueueMessage<S, M>): void {
    this.flush();
    this.send(message);
  }

  private send(message: M | QueueMessage<S, M>, transfer?: ArrayBuffer[]): void {
    if (this.broken) return;
    try {
      this.worker.postMessage(message, transfer);
    } catch {
      this.broken = true;
    }
  }
}
