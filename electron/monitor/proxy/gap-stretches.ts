/**
 * Gap notices (copy-gaps.ts) come with every batch while the observer is behind, and between them a slow
 * observer lets some copies through: a notice per batch stored as an event would flood the events the
 * observer that is behind must also store. Notices of one stream are added up into one stretch of
 * shedding, stored once with its totals when the stream has had no drop for GAP_QUIET_MS, when a notice
 * comes that long after the stretch's last drop, or when the session ends.
 */

/** How long a stream goes without a drop before its stretch of shedding is told. */
export const GAP_QUIET_MS = 1000;

export interface GapStretch {
  droppedBytes: number;
  droppedLines: number;
  /** When its first and last lost bytes were read. */
  from: number;
  to: number;
}

export class GapStretches<S extends string> {
  private readonly open = new Map<S, GapStretch>();
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly tell: (stream: S, stretch: GapStretch) => void) {}

  /** A gap notice of `stream`: its last lost bytes were read at `at`. */
  add(stream: S, droppedBytes: number, droppedLines: number, at: number): void {
    let stretch = this.open.get(stream);
    if (stretch && at - stretch.to >= GAP_QUIET_MS) {
      this.tell(stream, stretch);
      stretch = undefined;
    }
    if (!stretch) {
      stretch = { droppedBytes: 0, droppedLines: 0, from: at, to: at };
      this.open.set(stream, stretch);
    }
    stretch.droppedBytes += droppedBytes;
    stretch.droppedLines += droppedLines;
    stretch.to = Math.max(stretch.to, at);
    // Notices come with every batch while drops go on: none for this long means the shedding stopped.
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), GAP_QUIET_MS);
    this.timer.unref?.();
  }

  /** Tells every open stretch (quiet, or the session ends). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const [stream, stretch] of this.open) this.tell(stream, stretch);
    this.open.clear();
  }
}
