/**
 * What a session observer remembers of requests that ended without their own answer, per stream they were
 * sent on, so that an answer coming after is told from a stray one: those cancelled (their answer is
 * allowed, and taken by nothing), and those whose call is stored without it — ended as `timeout`, or by a
 * null-id error taken for their answer — whose answer, if it comes, their stored call takes.
 */
import type { Outcome } from "../../../shared/domain.js";
import type { Pending, Stream } from "./pending-requests.js";

/** How many ids of ended requests are remembered per stream before they are forgotten in bulk. */
export const REMEMBERED_IDS = 1000;

/** A request whose call is stored without its answer: what its answer's row needs, and the outcome stored. */
export interface StoredUnanswered {
  entry: Pending;
  outcome: Outcome;
}

/** Why an ended request's answer came: it was cancelled, timed out (its call stored, or not), or guessed. */
export type EndedAnswer = "cancelled" | { timedOut: Pending | null } | { guessed: StoredUnanswered };

const perStream = <T>(make: () => T): Record<Stream, T> => ({ in: make(), out: make() });

export class EndedRequests {
  private readonly cancelled = perStream(() => new Set<string>());
  /** Ended as `timeout`, with what the call stored needs (null when none was stored: it went unobserved). */
  private readonly timedOut = perStream(() => new Map<string, Pending | null>());
  /**
   * Ended by a null-id error taken for their answer (the one in flight): the error may have answered a
   * line the observer never read, so their own answer may still come.
   */
  private readonly guessed = perStream(() => new Map<string, StoredUnanswered>());

  /** Request `key` of `stream` was cancelled: an answer after it is allowed. */
  cancel(stream: Stream, key: string): void {
    remember(this.cancelled[stream], key);
  }

  /**
   * Request `key` of `stream`, ended here already, was given up by its sender too: an answer after this
   * never reached the sender, so it does not take the call (it is allowed, as after any cancellation).
   */
  cancelAfterEnd(stream: Stream, key: string): void {
    if (this.timedOut[stream].delete(key) || this.guessed[stream].delete(key)) this.cancel(stream, key);
  }

  /** Request `key` of `stream` ended as `timeout`; `entry` when its call was stored. */
  timeOut(stream: Stream, key: string, entry: Pending | null): void {
    const timedOut = this.timedOut[stream];
    if (timedOut.size >= REMEMBERED_IDS) timedOut.clear();
    // Its request payload is stored already: only what its answer's row needs is kept.
    timedOut.set(key, entry && { ...entry, request: null });
  }

  /** Request `key` of `stream` was ended, with `outcome`, by a null-id error taken for its answer. */
  guess(stream: Stream, key: string, entry: Pending, outcome: Outcome): void {
    const guessed = this.guessed[stream];
    if (guessed.size >= REMEMBERED_IDS) guessed.clear();
    guessed.set(key, { entry: { ...entry, request: null }, outcome });
  }

  /**
   * A new request of `stream` reuses `key`: an answer with it is now the new one's, never a correction of
   * an older call stored without its answer (that call keeps what it was stored with).
   */
  reused(stream: Stream, key: string): void {
    this.timedOut[stream].delete(key);
    this.guessed[stream].delete(key);
  }

  /** An answer to request `key` of `stream` came: why it may, if that request ended here (then forgotten). */
  answered(stream: Stream, key: string): EndedAnswer | undefined {
    if (this.cancelled[stream].delete(key)) return "cancelled";
    const guessed = this.guessed[stream].get(key);
    if (guessed !== undefined) {
      this.guessed[stream].delete(key);
      return { guessed };
    }
    const timedOut = this.timedOut[stream].get(key);
    if (timedOut === undefined) return undefined;
    this.timedOut[stream].delete(key);
    return { timedOut };
  }

  /** Whether request `key` of `stream` ended here (its answer, should it come, is explained). */
  has(stream: Stream, key: string): boolean {
    return this.cancelled[stream].has(key) || this.timedOut[stream].has(key) || this.guessed[stream].has(key);
  }

  /** Whether request `key` of `stream` has its call stored without its answer, which may still come. */
  storedWithoutAnswer(stream: Stream, key: string): boolean {
    return Boolean(this.timedOut[stream].get(key)) || this.guessed[stream].has(key);
  }
}

/** Adds `key`, forgetting every other first once the set holds REMEMBERED_IDS. */
function remember(set: Set<string>, key: string): void {
  if (set.size >= REMEMBERED_IDS) set.clear();
  set.add(key);
}
