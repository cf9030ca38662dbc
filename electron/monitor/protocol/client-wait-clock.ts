/**
 * How long a session has spent waiting on its client: the time during which at least one request of the
 * server's to the client was pending. The client's own requests wait on the client too then (a tool that
 * asked the user), so that time is taken off their age; time outside those stretches still counts. Each
 * request of the server's holds the clock for a bounded time, and a request of the client's is paused for
 * a bounded time in all (`paused`): requests the client never answers, sent one after another, would
 * otherwise hold it for ever.
 */

/** Requests of the server's that a person or an LLM answers: they may hold the clock longer (see `hold`). */
const ANSWERED_BY_A_PERSON = new Set(["elicitation/create", "sampling/createMessage"]);
/** How many limits such a request may hold the clock for. */
const PERSON_CEILINGS = 10;

export class ClientWaitClock {
  private waited = 0;
  private at = Number.NEGATIVE_INFINITY;
  /** Requests waited on, each until when it may hold the clock. */
  private readonly holds = new Map<object, number>();

  /**
   * @param limitMs how long one request of the server's may hold the clock (ten times that for one a person
   * or an LLM answers): a request the client never answers then stops holding, so it cannot turn off
   * timeouts for the rest of the session.
   */
  constructor(private readonly limitMs: number) {}

  /** The time spent waiting on the client up to `at` (times before the last one seen count as that one). */
  waitedAt(at: number): number {
    if (at <= this.at) return this.waited;
    if (this.at !== Number.NEGATIVE_INFINITY) {
      let reach = this.at;
      for (const until of this.holds.values()) reach = Math.max(reach, Math.min(until, at));
      this.waited += reach - this.at;
    }
    this.at = at;
    for (const [key, until] of this.holds) if (until <= at) this.holds.delete(key);
    return this.waited;
  }

  /**
   * How long a request of the client's, whose clock (re)started when the time waited was `since`, has been
   * paused by `at`: at most the longest one request of the server's may hold the clock.
   */
  paused(since: number, at: number): number {
    return Math.min(this.waitedAt(at) - since, PERSON_CEILINGS * this.limitMs);
  }

  /** A request of the server's, sent at `at`, starts holding the clock. */
  hold(key: object, method: string, at: number): void {
    this.waitedAt(at);
    const ceilings = ANSWERED_BY_A_PERSON.has(method) ? PERSON_CEILINGS : 1;
    this.holds.set(key, at + ceilings * this.limitMs);
  }

  /** It stops holding, at `at` (or, when that is not known, at the last time seen). */
  release(key: object, at?: number): void {
    if (!this.holds.has(key)) return;
    if (at !== undefined) this.waitedAt(at);
    this.holds.delete(key);
  }
}
