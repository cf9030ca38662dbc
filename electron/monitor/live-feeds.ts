/**
 * The engine's live events: who listens to what, and the pollers behind `calls.new`, `logs.new` and
 * `events.new`. Wrappers write from other processes, so new rows are found by id while anyone listens,
 * a page of up to 500 at a time (at most 20 pages a tick for logs and events, so a flood cannot hold
 * the engine). A stored call can change after it was emitted (metrics/call-correction.ts): such calls are
 * followed and emitted again under `calls.new` once their row changed (a list takes the newer copy of an id).
 */
import type { EventName } from "../../shared/api.js";
import type { CallSummary } from "../../shared/domain.js";
import { eventsAfter, lastEventId } from "./events/queries.js";
import type { LoggingSystem } from "./logs/logging-system.js";
import { readState, STATE } from "./metrics/rollups.js";
import type { Db } from "./store/db.js";
import { callsAfter, callsByIds, lastCallId, runningCalls } from "./store/queries.js";

/** A page shorter than this is the last one for now. */
const PAGE_ROWS = 500;
/** Calls followed for a correction of their row; past this, the oldest are let go. */
const FOLLOWED = 500;
/** When `calls.new` gets its first listener, the newest calls looked through for ones to follow. */
const FOLLOW_FROM_ROWS = 5000;

export interface LiveFeedsOptions {
  db: Db;
  logging: LoggingSystem;
  pollIntervalMs?: number;
  /** New calls were emitted (the inventory's traffic figures may have moved). */
  callsSeen?: (calls: CallSummary[]) => void;
}

export class LiveFeeds {
  private readonly listeners = new Map<EventName, Set<(payload: unknown) => void>>();
  private lastCall: number;
  private lastLog: number;
  private lastEvent = 0;
  /**
   * Calls whose stored row may still be corrected, by id, with what was last emitted of it (`shape`):
   * those of a task (its status and end come later), timed out (its answer may come after all), or ended
   * by an error (a null-id error taken for its answer may be followed by its own). A correction renews the
   * rollup generation, so they are read again only when it changed, not every tick.
   */
  private readonly followed = new Map<number, string>();
  /** The rollup generation when the followed calls were last read. */
  private generation: number | null = null;
  private pollers: NodeJS.Timeout[] = [];
  private stopped = false;

  constructor(private readonly options: LiveFeedsOptions) {
    this.lastCall = lastCallId(options.db);
    this.lastLog = options.logging.lastId();
  }

  /** Starts polling for new rows (each feed reads only while it has listeners). */
  start(): void {
    const { db, logging } = this.options;
    this.lastEvent = this.safeLastEventId(0);
    this.pollers = [
      this.poller(
        "calls.new",
        "calls",
        Number.POSITIVE_INFINITY,
        () => callsAfter(db, this.lastCall, PAGE_ROWS),
        (id) => {
          this.lastCall = id;
        },
        (calls) => {
          this.follow(calls);
          this.options.callsSeen?.(calls);
        },
      ),
      unrefd(setInterval(() => this.rereadFollowed(), this.options.pollIntervalMs ?? 300)),
      this.poller(
        "logs.new",
        "log records",
        20,
        () => logging.after(this.lastLog, PAGE_ROWS),
        (id) => {
          this.lastLog = id;
        },
      ),
      this.poller(
        "events.new",
        "events",
        20,
        () => eventsAfter(db, this.lastEvent, PAGE_ROWS),
        (id) => {
          this.lastEvent = id;
        },
      ),
    ];
  }

  emit(event: EventName, payload: unknown): void {
    for (const listener of this.listeners.get(event) ?? []) {
      try {
        listener(payload);
      } catch {
        // One broken subscriber must not stop the others.
      }
    }
  }

  listening(event: EventName): boolean {
    return (this.listeners.get(event)?.size ?? 0) > 0;
  }

  subscribe(event: EventName, listener: (payload: unknown) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    // A feed nobody listened to starts from the newest row, not from what it last emitted.
    if (event === "calls.new" && set.size === 0) {
      this.lastCall = Math.max(this.lastCall, this.safeLastCallId());
      this.followRecent();
    }
    if (event === "events.new" && set.size === 0) this.lastEvent = this.safeLastEventId(this.lastEvent);
    if (event === "logs.new" && set.size === 0) {
      try {
        this.lastLog = Math.max(this.lastLog, this.options.logging.lastId());
      } catch {}
    }
    set.add(listener);
    return () => set.delete(listener);
  }

  /** The database was replaced (a restore): its rows have other ids, so the feeds go on from its newest. */
  rewind(): void {
    this.followed.clear();
    this.lastCall = this.safeLastCallId();
    // Lists reload the restored rows while still listening: its calls are followed as for a fresh list.
    if (this.listening("calls.new")) this.followRecent();
    this.lastEvent = this.safeLastEventId(0);
    try {
      this.lastLog = this.options.logging.lastId();
    } catch {}
  }

  /** Stops polling; listeners still hear what the engine emits while it closes. */
  stop(): void {
    this.stopped = true;
    for (const timer of this.pollers) clearInterval(timer);
  }

  unsubscribeAll(): void {
    this.listeners.clear();
  }

  /**
   * Every poll interval, while `event` has listeners: reads rows after the cursor, moves the cursor to
   * the last one (`advance`), emits them, then tells `emitted`; until a short page or `maxPages` pages.
   */
  private poller<T extends { id: number }>(
    event: EventName,
    what: string,
    maxPages: number,
    read: () => T[],
    advance: (lastId: number) => void,
    emitted?: (rows: T[]) => void,
  ): NodeJS.Timeout {
    const tick = () => {
      if (this.stopped || !this.listeners.get(event)?.size) return;
      try {
        for (let page = 0; page < maxPages; page++) {
          const rows = read();
          if (rows.length === 0) break;
          advance((rows[rows.length - 1] as T).id);
          this.emit(event, rows);
          emitted?.(rows);
          if (rows.length < PAGE_ROWS) break;
        }
      } catch (error) {
        // A locked or busy database: try again on the next tick.
        this.options.logging.warn("poll", `cannot read new ${what}: ${(error as Error).message}; retrying`);
      }
    };
    const timer = setInterval(tick, this.options.pollIntervalMs ?? 300);
    timer.unref();
    return timer;
  }

  /** Follows the emitted calls whose row may still be corrected. */
  private follow(calls: readonly CallSummary[]): void {
    for (const call of calls) {
      if (!mayBeCorrected(call)) continue;
      this.followed.delete(call.id);
      if (this.followed.size >= FOLLOWED) {
        const oldest = this.followed.keys().next().value;
        if (oldest !== undefined) this.followed.delete(oldest);
      }
      this.followed.set(call.id, shape(call));
    }
  }

  /**
   * A first listener's list was read from the store, not from this feed: the calls still running (a task
   * may run for hours, behind any number of newer calls) and the newest calls that may still be corrected
   * are followed from now, so their correction reaches it too. In id order, so that past the bound the
   * oldest are let go, as later calls let them go.
   */
  private followRecent(): void {
    try {
      this.follow(runningCalls(this.options.db, FOLLOWED));
      this.follow(callsAfter(this.options.db, this.lastCall - FOLLOW_FROM_ROWS, FOLLOW_FROM_ROWS));
      // Those followed before were not read while nobody listened: all are read once more.
      this.generation = null;
    } catch {
      // Unreadable now: the calls emitted from now on are followed still.
    }
  }

  /** Emits again the followed calls whose row changed since they were emitted; lets go of those pruned. */
  private rereadFollowed(): void {
    if (this.stopped || this.followed.size === 0 || !this.listeners.get("calls.new")?.size) return;
    try {
      // Read before the rows: a correction stored after this read renews it again, and is read next tick.
      const generation = readState(this.options.db, STATE.generation);
      if (generation === this.generation) return;
      const ids = [...this.followed.keys()];
      const rows = callsByIds(this.options.db, ids);
      this.generation = generation;
      const stored = new Set(rows.map((row) => row.id));
      // Pruned meanwhile: nothing more to tell of it.
      for (const id of ids) if (!stored.has(id)) this.followed.delete(id);
      const changed = rows.filter((row) => shape(row) !== this.followed.get(row.id));
      for (const row of changed) this.followed.set(row.id, shape(row));
      if (changed.length > 0) this.emit("calls.new", changed);
    } catch (error) {
      this.options.logging.warn("poll", `cannot read corrected calls: ${(error as Error).message}; retrying`);
    }
  }

  private safeLastEventId(fallback: number): number {
    try {
      return Math.max(fallback, lastEventId(this.options.db));
    } catch {
      return fallback;
    }
  }

  private safeLastCallId(): number {
    try {
      return lastCallId(this.options.db);
    } catch {
      return this.lastCall;
    }
  }
}

/** Whether a stored call's row may still change (metrics/call-correction.ts says how). */
function mayBeCorrected(call: CallSummary): boolean {
  return call.task !== null || call.outcome === "timeout" || call.errorCode !== null;
}

/** What a correction changes of a call, as one comparable string. */
function shape(call: CallSummary): string {
  return JSON.stringify([call.outcome, call.durationMs, call.errorCode, call.errorMessage, call.task]);
}

function unrefd(timer: NodeJS.Timeout): NodeJS.Timeout {
  timer.unref();
  return timer;
}
