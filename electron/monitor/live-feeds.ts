/**
 * The engine's live events: who listens to what, and the pollers behind `calls.new`, `logs.new` and
 * `events.new`. Wrappers write from other processes, so new rows are found by id while anyone listens,
 * a page of up to 500 at a time (at most 20 pages a tick for logs and events, so a flood cannot hold
 * the engine).
 */
import type { EventName } from "../../shared/api.js";
import type { CallSummary } from "../../shared/domain.js";
import { eventsAfter, lastEventId } from "./events/queries.js";
import type { LoggingSystem } from "./logs/logging-system.js";
import type { Db } from "./store/db.js";
import { callsAfter, callsByIds, lastCallId } from "./store/queries.js";

/** A page shorter than this is the last one for now. */
const PAGE_ROWS = 500;
/** Calls emitted while their task ran that are read again until it ends; past this, the oldest are let go. */
const RUNNING_TASKS = 500;

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
   * Calls emitted while their task ran (MCP tasks), by id, with the state last emitted: their row changes
   * when the task does, and is emitted again under `calls.new` (a list takes the newer copy of an id).
   */
  private readonly runningTasks = new Map<number, string>();
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
          this.noteRunningTasks(calls);
          this.options.callsSeen?.(calls);
        },
      ),
      unrefd(setInterval(() => this.rereadRunningTasks(), this.options.pollIntervalMs ?? 300)),
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
    if (event === "calls.new" && set.size === 0)
      this.lastCall = Math.max(this.lastCall, this.safeLastCallId());
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
    this.lastCall = this.safeLastCallId();
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

  private noteRunningTasks(calls: readonly CallSummary[]): void {
    for (const call of calls) {
      if (call.task === null || call.outcome !== null) continue;
      if (this.runningTasks.size >= RUNNING_TASKS) {
        const oldest = this.runningTasks.keys().next().value;
        if (oldest !== undefined) this.runningTasks.delete(oldest);
      }
      this.runningTasks.set(call.id, call.task.state);
    }
  }

  /** Emits again the calls whose task changed since they were emitted, and lets go of those that ended. */
  private rereadRunningTasks(): void {
    if (this.stopped || this.runningTasks.size === 0 || !this.listeners.get("calls.new")?.size) return;
    try {
      const ids = [...this.runningTasks.keys()];
      const rows = callsByIds(this.options.db, ids);
      const stored = new Set(rows.map((row) => row.id));
      // Pruned meanwhile: nothing more to tell of it.
      for (const id of ids) if (!stored.has(id)) this.runningTasks.delete(id);
      const changed = rows.filter((row) => row.task?.state !== this.runningTasks.get(row.id));
      for (const row of changed) {
        if (row.outcome === null && row.task) this.runningTasks.set(row.id, row.task.state);
        else this.runningTasks.delete(row.id);
      }
      if (changed.length > 0) this.emit("calls.new", changed);
    } catch (error) {
      this.options.logging.warn(
        "poll",
        `cannot read running tasks' calls: ${(error as Error).message}; retrying`,
      );
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

function unrefd(timer: NodeJS.Timeout): NodeJS.Timeout {
  timer.unref();
  return timer;
}
