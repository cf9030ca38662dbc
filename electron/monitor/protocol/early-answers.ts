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

interface Held {
  key: string;
  at: number;
  read: () => void;
}

export class EarlyAnswers {
  private readonly held: Held[] = [];

  get size(): number {
    return this.held.length;
  }

  /** Holds the answer to request `key` (stream and id), read at `at`; `read` reads it again. */
  hold(key: string, at: number, read: () => void): void {
    // A second answer to the same id is not the one the request waits for: the first goes as it came.
    const same = this.held.findIndex((h) => h.key === key);
    if (same !== -1) this.held.splice(same, 1)[0]?.read();
    this.held.push({ key, at, read });
    if (this.held.length > MAX_EARLY_ANSWERS) this.held.shift()?.read();
  }

  /** The request `key` is now known: its held answer is read. */
  requested(key: string): void {
    if (this.held.length === 0) return;
    const index = this.held.findIndex((h) => h.key === key);
    if (index !== -1) this.held.splice(index, 1)[0]?.read();
  }

  /** Answers held for `afterMs` or longer at `now` are read as they are. */
  expire(now: number, afterMs: number): void {
    while (this.held.length > 0 && now - (this.held[0]?.at ?? now) >= afterMs) this.held.shift()?.read();
  }

  /** Every held answer is read as it is (the session ends). */
  drain(): void {
    for (const held of this.held.splice(0)) held.read();
  }
}
