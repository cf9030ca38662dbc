/**
 * The MCP sessions seen through one HTTP proxy, each followed by its own SessionObserver and
 * SessionRecorder — the same classification and store as a stdio session — over one shared batch
 * writer. A session is keyed by its `Mcp-Session-Id`, by the legacy SSE transport's `sessionId`, or is
 * the proxy's one logical session for requests that carry neither (the stateless era).
 */
import { randomUUID } from "node:crypto";
import type { ProxySessionEndReason } from "../../../shared/session-end.js";
import type { LogSettingsSource } from "../logs/log-settings.js";
import type { CallObservation, ObservationSink } from "../protocol/observations.js";
import { SessionObserver } from "../protocol/session-observer.js";
import { TaskCalls } from "../protocol/task-calls.js";
import { SESSION_WATCHERS } from "../session-watchers.js";
import type { BatchWriter } from "../store/batch-writer.js";
import type { Db } from "../store/db.js";
import { SessionRecorder } from "../store/session-recorder.js";

/** How the key of a legacy HTTP+SSE session starts (its `sessionId` follows). */
export const LEGACY_SSE_KEY = "sse:";
export const STATELESS = "stateless";

export interface HttpSession {
  key: string;
  /** mcpscope's id for the session (the stored row's). */
  id: string;
  recorder: SessionRecorder;
  observer: SessionObserver;
  /** Where the session's observations go (its recorder, each call with its exchange's HTTP status). */
  sink: ObservationSink;
  /** HTTP status of the exchange that carried each request, by direction and request id. */
  statusOf: Map<string, number>;
  closedAt: number | null;
  /** Exchanges bound to the session and not yet over (a GET stream may stay open for hours). */
  openExchanges: number;
  lastActive: number;
  /** The upstream answered one of its exchanges (not refused, not unreachable). */
  served: boolean;
}

export interface HttpSessionsOptions {
  server: string;
  upstream: string;
  proxyPid: number;
  /** Stored with each session: the MCP client whose entry the proxy stands for (null: unknown). */
  client?: string | null;
  /** Stored with each session: the id of the entry the proxy stands for (null: unknown). */
  entry?: string | null;
  timeoutMs: number;
  captureLimit: number;
  logSettings: LogSettingsSource;
  /** The data dir written to (its audit key). */
  dataDir: string;
}

/** How long a closed session's recorder stays to write its final row. */
const KEEP_CLOSED_MS = 60_000;
/**
 * Clients rarely DELETE their sessions: one with no open exchange for this long is ended (at its last
 * activity); if it comes back, it is followed as a new session.
 */
const IDLE_MS = 30 * 60_000;
/**
 * A session the upstream never served (unreachable, or refusing every request) is no open session to
 * show: it ends after this much idle, while a client retrying more often still keeps it as one.
 */
const UNSERVED_IDLE_MS = 60_000;
/** Beyond this many open sessions, the longest idle are ended first. */
export const MAX_OPEN = 1000;

export class HttpSessions {
  private readonly sessions = new Map<string, HttpSession>();
  /** Closed sessions whose final row may not be written yet, and when to stop writing it. */
  private readonly closed: { session: HttpSession; forgetAt: number }[] = [];
  private lastTick = 0;
  /** The sessions whose rows the batch being written kept. */
  private readonly inBatch = new Set<HttpSession>();
  /**
   * The tasks created where no session is named (session-less exchanges, the stateless session): a
   * task outlives the exchange that created it, and its client polls it on other exchanges, each read by
   * an observer of its own, so they share this one follower. Expired by `expireStatelessTasks`, ended
   * when the proxy stops.
   */
  private readonly statelessTasks = new TaskCalls();

  constructor(
    private readonly writer: BatchWriter,
    private readonly options: HttpSessionsOptions,
  ) {}

  get(key: string): HttpSession | undefined {
    return this.sessions.get(key);
  }

  /** Binds an exchange to the session for `key`, started at `at` if it is new; `release` when it is over. */
  open(key: string, at: number): HttpSession {
    const existing = this.sessions.get(key);
    if (existing) {
      existing.openExchanges++;
      existing.lastActive = Math.max(existing.lastActive, at);
      return existing;
    }
    const identity = {
      sessionId: randomUUID(),
      server: this.options.server,
      command: key === STATELESS ? this.options.upstream : `${this.options.upstream} (session ${key})`,
      startedAt: at,
      pid: null,
      wrapperPid: this.options.proxyPid,
      client: this.options.client ?? null,
      entry: this.options.entry ?? null,
    };
    const statusOf = new Map<string, number>();
    const recorder = new SessionRecorder(
      this.writer,
      identity,
      this.options.captureLimit,
      this.options.logSettings,
      SESSION_WATCHERS.map((factory) =>
        factory({
          identity,
          writer: this.writer,
          dataDir: this.options.dataDir,
          client: this.options.client ?? null,
          via: "proxy",
        }),
      ),
    );
    // The writer is shared by every session of this proxy: its drops are counted once, at the end.
    recorder.countsWriterDrops = false;
    // Each call carries the HTTP status of the exchange that carried its request.
    const sink = {
      call: (call: CallObservation) => {
        const key = `${call.direction}:${call.requestId}`;
        const httpStatus = statusOf.get(key) ?? null;
        statusOf.delete(key);
        recorder.call({ ...call, httpStatus });
      },
      log: recorder.log.bind(recorder),
      protocolEvent: recorder.protocolEvent.bind(recorder),
      session: recorder.session.bind(recorder),
      unobserved: recorder.unobserved.bind(recorder),
    };
    const session: HttpSession = {
      key,
      id: identity.sessionId,
      recorder,
      observer: new SessionObserver(sink, {
        timeoutMs: this.options.timeoutMs,
        captureLimit: this.options.captureLimit,
        // The legacy SSE transport answers a POST on its GET stream, which may be read first. Elsewhere a
        // request is always read before its answer, and ids of the shared stateless session collide.
        answersMayLead: key.startsWith(LEGACY_SSE_KEY),
        ...(key === STATELESS ? { tasks: this.statelessTasks } : {}),
      }),
      sink,
      statusOf,
      closedAt: null,
      openExchanges: 1,
      lastActive: at,
      served: false,
    };
    this.sessions.set(key, session);
    return session;
  }

  /**
   * An observer for the requests of one exchange alone: a POST that names no session pairs its requests
   * with the answers on its own response, since independent clients all number their requests from 0.
   */
  exchangeObserver(sink: ObservationSink): SessionObserver {
    return new SessionObserver(sink, {
      timeoutMs: this.options.timeoutMs,
      captureLimit: this.options.captureLimit,
      tasks: this.statelessTasks,
    });
  }

  /**
   * Ends the session-less tasks unheard of past their bound (task-calls.ts); `waitedOn` names those a
   * `tasks/result` of any exchange still waits on.
   */
  expireStatelessTasks(now: number, waitedOn: () => ReadonlySet<string>): void {
    this.statelessTasks.expire(now, this.options.timeoutMs, () => {
      const waited = new Set(waitedOn());
      for (const key of this.sessions.get(STATELESS)?.observer.taskResultsWaiting() ?? []) waited.add(key);
      return waited;
    });
  }

  /** The session ended (DELETE, its SSE stream closed, or the proxy stopped): pending requests end too. */
  close(session: HttpSession, at: number, reason: ProxySessionEndReason): void {
    if (session.closedAt !== null) return;
    session.closedAt = at;
    session.observer.close(at);
    session.recorder.ended({ endedAt: at, exitCode: null, signal: null, reason });
    this.sessions.delete(session.key);
    this.closed.push({ session, forgetAt: Math.max(at, this.lastTick) + KEEP_CLOSED_MS });
  }

  closeAll(at: number): void {
    // Their calls' rows go to their sessions, before those end.
    this.statelessTasks.close(at);
    const all = [...this.sessions.values()];
    // The shared writer's drops are counted once, on one session.
    const first = all[0];
    if (first) first.recorder.countsWriterDrops = true;
    for (const session of all) this.close(session, at, "proxy_stopped");
  }

  release(session: HttpSession, at: number): void {
    session.openExchanges = Math.max(0, session.openExchanges - 1);
    session.lastActive = Math.max(session.lastActive, at);
  }

  tick(now: number): void {
    this.lastTick = now;
    for (const session of this.sessions.values()) session.observer.tick(now);
    const idle = [...this.sessions.values()]
      .filter((s) => s.openExchanges === 0)
      .sort((a, b) => a.lastActive - b.lastActive);
    let excess = this.sessions.size - MAX_OPEN;
    for (const session of idle) {
      const idleFor = now - session.lastActive;
      const overIdle = idleFor >= (session.served ? IDLE_MS : UNSERVED_IDLE_MS);
      if (!overIdle && excess <= 0) continue;
      // Idle past the limit is said as idle, even when there are also too many open.
      this.close(session, session.lastActive, overIdle ? "idle" : "too_many_open");
      excess--;
    }
    while (this.closed.length > 0 && now > (this.closed[0]?.forgetAt ?? now)) this.closed.shift();
  }

  /**
   * Inside each batch's transaction: every session row that changed, each alone, so that one the
   * database refuses skips itself and not the rows of the proxy's other sessions.
   */
  writeRows(db: Db): void {
    this.inBatch.clear();
    for (const session of this.all())
      if (this.writer.alone(db, () => session.recorder.writeSessionRow(db))) this.inBatch.add(session);
  }

  /** The batch that ran `writeRows` committed: the rows it kept are stored. */
  committed(): void {
    for (const session of this.inBatch) session.recorder.committed();
    this.inBatch.clear();
  }

  private *all(): Iterable<HttpSession> {
    yield* this.sessions.values();
    for (const closed of this.closed) yield closed.session;
  }
}
