/**
 * Requests whose answers are read whole (WHOLE_RESULT_METHODS) may also be counted outside the observer:
 * the wrapper's forwarding thread counts their names in the client's bytes as marks, and copies long lines
 * whole while any stands (proxy/line-elider.ts). Per client line the observer frames, each mark is either
 * taken by a whole-result request the line made, or released at once; a taken mark is released when its
 * request ends, however it ends.
 */

export interface WholeResultMarks {
  /** The marks counted in one client line. */
  marks(line: Buffer): number;
  /** `count` marks stand for no pending request. */
  release(count: number): void;
}

export class WholeResultHolds {
  /** Marks of the client line being read that no request of it has taken yet. */
  private untaken = 0;

  constructor(private readonly counted: WholeResultMarks | undefined) {}

  /** Reads one client line (`read`), then releases the marks no request it made took. */
  line(bytes: Buffer, read: () => void): void {
    if (!this.counted) {
      read();
      return;
    }
    this.untaken = this.counted.marks(bytes);
    try {
      read();
    } finally {
      const left = this.untaken;
      this.untaken = 0;
      this.counted.release(left);
    }
  }

  /**
   * A whole-result request of the line being read takes one of its marks, if one is left (a request read
   * from a cut line has none counted: its answer may be cut, and is then stored as not read).
   */
  take(): boolean {
    if (this.untaken <= 0) return false;
    this.untaken--;
    return true;
  }

  /** A request that took a mark has ended. */
  give(): void {
    this.counted?.release(1);
  }
}
