/**
 * What the copy queue dropped of each stream since that stream's last copy went through, and the notice
 * that tells the observer worker of it. A notice goes with the next batch (or before the stream's next
 * copy): the worker needs it promptly to resync its line splitter and to know which requests may have lost
 * their answers. Coalescing the notices into one stored event per stretch of shedding is the worker's
 * (gap-stretches.ts), so a slow observer never delays what the bookkeeping needs.
 */

/** A gap notice: what was lost of `stream`, and when its last lost bytes were read. */
export interface GapMessage<S extends string> {
  type: "gap";
  stream: S;
  droppedBytes: number;
  droppedLines: number;
  midLine: boolean;
  at: number;
}

/** Newlines in `chunk` (native search; this runs only for dropped copies). */
export function countLines(chunk: Uint8Array): number {
  let lines = 0;
  for (let at = chunk.indexOf(0x0a); at !== -1; at = chunk.indexOf(0x0a, at + 1)) lines++;
  return lines;
}

export class CopyGaps<S extends string> {
  private readonly open = new Map<S, GapMessage<S>>();

  has(stream: S): boolean {
    return this.open.has(stream);
  }

  get size(): number {
    return this.open.size;
  }

  /** A copy of `stream` read at `at` was dropped. */
  add(stream: S, chunk: Uint8Array, at: number): void {
    const gap = this.open.get(stream) ?? {
      type: "gap",
      stream,
      droppedBytes: 0,
      droppedLines: 0,
      midLine: false,
      at,
    };
    gap.droppedBytes += chunk.length;
    gap.droppedLines += countLines(chunk);
    gap.midLine = chunk[chunk.length - 1] !== 0x0a;
    gap.at = at;
    this.open.set(stream, gap);
  }

  /** The notice for `stream`'s gap, which is then closed; undefined when nothing was dropped. */
  take(stream: S): GapMessage<S> | undefined {
    const gap = this.open.get(stream);
    this.open.delete(stream);
    return gap;
  }

  /** The notices of every open gap, which are then closed. */
  takeAll(): GapMessage<S>[] {
    const all = [...this.open.values()];
    this.open.clear();
    return all;
  }
}
