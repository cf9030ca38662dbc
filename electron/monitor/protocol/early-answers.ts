/**
 * Answers read before their requests. Over HTTP a request and its answer may travel on different
 * connections (the legacy SSE transport answers a POST on its GET stream), and the copy of the answer can
 * reach the observer before the request is known to it. Such an answer is held, a bounded number for a
 * bounded time, and read again as soon as its request is; one whose request does not come is read as it
 * would have been at once (a response to an unknown request).
 */

/** Answers held at most per session; past it the oldest is read at once. */
export const MAX_EARLY_ANSWERS = 64;
/** How long (in the time the copies were read) an answer waits for its request. */
export const EARLY_ANSWER_MS = 5_000;
/** Bytes of answers held at most per session; past it the oldest are read at once. */
export const MAX_EARLY_BYTES = 8 * 1024 * 1024;

interface Held {
  key: string;
  at: number;
  size: number;
  read: () => void;
}

export class EarlyAnswers {
  private readonly held: Held[] = [];
  private bytes = 0;

  get size(): number {
    return this.held.length;
  }

  /**
   * Holds the answer to request `key` (stream and id), `size` bytes, read at `at`; `read` reads it again.
   * One larger than the whole budget is read at once.
   */
  hold(key: string, at: number, size: number, read: () => void): void {
    if (size > MAX_EARLY_BYTES) {
      read();
      return;
    }
    // A second answer to the same id is not the one the request waits for: the first goes as it came.
    const same = this.held.findIndex((h) => h.key === key);
    if (same !== -1) this.release(same);
    this.held.push({ key, at, size, read });
    this.bytes += size;
    while (this.held.length > MAX_EARLY_ANSWERS || this.bytes > MAX_EARLY_BYTES) this.release(0);
  }

  /** The request `key` is now known: its held answer is read. */
  requested(key: string): void {
    if (this.held.length === 0) return;
    const index = this.held.findIndex((h) => h.key === key);
    if (index !== -1) this.release(index);
  }

  /** Answers held for `afterMs` or longer at `now` are read as they are. */
  expire(now: number, afterMs: number): void {
    while (this.held.length > 0 && now - (this.held[0]?.at ?? now) >= afterMs) this.release(0);
  }

  /** Every held answer is read as it is (the session ends). */
  drain(): void {
    while (this.held.length > 0) this.release(0);
  }

  private release(index: number): void {
    const [held] = this.held.splice(index, 1);
    if (!held) return;
    this.bytes -= held.size;
    held.read();
  }
}
