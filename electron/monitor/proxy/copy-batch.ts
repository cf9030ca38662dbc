/**
 * How a batch of copies crosses from the forwarding thread to the observer: as columns of numbers in one
 * transferred buffer beside the copies' own buffers, not as an array of objects. Structured cloning an
 * object per copy cost the forwarding thread about a microsecond each (a 20 ms batch of sequential small
 * calls took 150–200 µs to post, and every call that arrived meanwhile waited); columns cost a few.
 */
import type { Elision } from "./line-elider.js";

export interface Copy<S extends string> {
  stream: S;
  at: number;
  bytes: Uint8Array;
  /** Set on an empty copy: the bytes of the line's middle left out here (see line-elider.ts). */
  elided?: Elision;
  /** On a copy of the client's bytes: the whole-result marks raised through its end (WholeResultWatch). */
  marks?: number;
}

export type BatchItem<S extends string, M> = Copy<S> | { control: M };

/** A batch as it is posted. Read it with `batchItems`. */
export interface PackedBatch<S extends string, M> {
  /** The batch's distinct stream names; a copy's stream is an index into them. */
  streams: S[];
  /** Per item: `at` and `marks` (Float64, NaN for none), then stream, buffer, offset and length (Uint32 each). */
  columns: ArrayBuffer;
  count: number;
  /** The copies' distinct buffers, each once (transferred with the batch). */
  buffers: ArrayBuffer[];
  /** The few items that are not plain copies: [index, elision] and [index, control message]. */
  elided: [number, Elision][];
  controls: [number, M][];
}

export interface ChunksMessage<S extends string, M> {
  type: "chunks";
  batch: PackedBatch<S, M>;
  /** Bytes copied to the worker and not yet acknowledged when this batch left (this batch included). */
  inFlight: number;
}

/** In a buffer column: a copy with no bytes (its own empty buffer, not one of the batch's). */
const NO_BUFFER = 0xffffffff;
/** In a stream column: a control message, not a copy. */
const CONTROL = 0xffffffff;
/** Bytes per item: two Float64 columns and four Uint32 ones. */
const ITEM_BYTES = 2 * 8 + 4 * 4;

/** The message for `items` and what to transfer with it. */
export function packBatch<S extends string, M>(
  items: readonly BatchItem<S, M>[],
  inFlight: number,
): { message: ChunksMessage<S, M>; transfer: ArrayBuffer[] } {
  const count = items.length;
  const columns = new ArrayBuffer(count * ITEM_BYTES);
  const { at, marks, stream, buffer, offset, length } = columnsOf(columns, count);
  const streams: S[] = [];
  const streamIndex = new Map<S, number>();
  const buffers: ArrayBuffer[] = [];
  const bufferIndex = new Map<ArrayBufferLike, number>();
  const elided: [number, Elision][] = [];
  const controls: [number, M][] = [];
  for (let i = 0; i < count; i++) {
    const item = items[i] as BatchItem<S, M>;
    if ("control" in item) {
      stream[i] = CONTROL;
      controls.push([i, item.control]);
      continue;
    }
    let s = streamIndex.get(item.stream);
    if (s === undefined) {
      s = streams.push(item.stream) - 1;
      streamIndex.set(item.stream, s);
    }
    stream[i] = s;
    at[i] = item.at;
    marks[i] = item.marks ?? Number.NaN;
    if (item.elided) elided.push([i, item.elided]);
    if (item.bytes.byteLength === 0) {
      buffer[i] = NO_BUFFER;
      continue;
    }
    let b = bufferIndex.get(item.bytes.buffer);
    if (b === undefined) {
      b = buffers.push(item.bytes.buffer as ArrayBuffer) - 1;
      bufferIndex.set(item.bytes.buffer, b);
    }
    buffer[i] = b;
    offset[i] = item.bytes.byteOffset;
    length[i] = item.bytes.byteLength;
  }
  return {
    message: { type: "chunks", batch: { streams, columns, count, buffers, elided, controls }, inFlight },
    transfer: [columns, ...buffers],
  };
}

function columnsOf(columns: ArrayBuffer, count: number) {
  return {
    at: new Float64Array(columns, 0, count),
    marks: new Float64Array(columns, count * 8, count),
    stream: new Uint32Array(columns, count * 16, count),
    buffer: new Uint32Array(columns, count * 20, count),
    offset: new Uint32Array(columns, count * 24, count),
    length: new Uint32Array(columns, count * 28, count),
  };
}

/** The items of a posted batch, in order. */
export function batchItems<S extends string, M>(batch: PackedBatch<S, M>): BatchItem<S, M>[] {
  const { count, columns, streams, buffers } = batch;
  const { at, marks, stream, buffer, offset, length } = columnsOf(columns, count);
  const elided = new Map(batch.elided);
  const controls = new Map(batch.controls);
  const items: BatchItem<S, M>[] = new Array(count);
  for (let i = 0; i < count; i++) {
    if (stream[i] === CONTROL) {
      items[i] = { control: controls.get(i) as M };
      continue;
    }
    const b = buffer[i] as number;
    const copy: Copy<S> = {
      stream: streams[stream[i] as number] as S,
      at: at[i] as number,
      bytes:
        b === NO_BUFFER
          ? new Uint8Array(0)
          : new Uint8Array(buffers[b] as ArrayBuffer, offset[i] as number, length[i] as number),
    };
    const elision = elided.get(i);
    if (elision) copy.elided = elision;
    if (!Number.isNaN(marks[i])) copy.marks = marks[i];
    items[i] = copy;
  }
  return items;
}
