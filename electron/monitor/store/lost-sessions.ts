/**
 * Sessions whose wrapper is gone without closing them (killed, crashed, a full disk at exit, or a backup
 * restored with sessions open in it). The wrapper writes its session's end as it exits; a row still open
 * whose wrapper process no longer runs will never be closed by it, so the engine closes it: at its last
 * recorded activity, marked `lost`, with one `session.lost` event, and ends the calls whose task still ran
 * there (lost-tasks.ts). The same liveness rule tells `restore` which wrappers are still recording.
 */

import { rmSync } from "node:fs";
import type { SessionEndReason } from "../../../shared/session-end.js";
import { insertEvent, type TrackedEvent } from "../events/tracker.js";
import { bootTime, processStartTicks } from "../process-start.js";
import { wrapperPresenceFiles } from "../wrapper-presence.js";
import type { Db } from "./db.js";
import { endLostTasks } from "./lost-tasks.js";

export const LOST_SESSION_EVENT = "session.lost";
/** `sessions.end_reason` of a session the engine closed because its wrapper was gone. */
export const LOST_END_REASON: SessionEndReason = "lost";

/**
 * For sessions whose wrapper did not record its start ticks (an older wrapper): a process with the wrapper's
 * pid that started this long after its session did is another process that got the pid again. Minutes, not
 * seconds: this compares the wall clock with a boot time that moves when the clock is set.
 */
const START_SLACK_MS = 10 * 60_000;
/** Linux reports process start times in USER_HZ ticks, 100 a second on every architecture Node runs on. */
const USER_HZ = 100;

/** What a session row says about the wrapper recording it. */
export interface WrapperRef {
  pid: number;
  /** The wrapper's own start ticks (/proc/self/stat) as it wrote them; null where it could not. */
  startTicks: number | null;
  /** The session's start (epoch ms), for rows without start ticks. */
  startedAt: number;
}

/**
 * Whether the wrapper that recorded a session still runs: the one liveness rule, for closing lost sessions
 * and for `restore`. On Linux a process with the same pid and the same start ticks is that wrapper, and one
 * with other ticks got the pid since; without ticks, the process must have started no later than the
 * session did (within a slack for clock steps). Elsewhere only the pid is checked: a reused pid keeps the
 * session open until that process ends too.
 */
export function wrapperAlive(wrapper: WrapperRef): boolean {
  const { pid } = wrapper;
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  const ticks = processStartTicks(pid);
  if (ticks === null) return true;
  if (wrapper.startTicks !== null) return ticks === wrapper.startTicks;
  const boot = bootTime();
  return boot === null || boot + (ticks * 1000) / USER_HZ <= wrapper.startedAt + START_SLACK_MS;
}

export interface LostSession {
  id: string;
  server: string;
  wrapperPid: number;
  startedAt: number;
  endedAt: number;
}

/** The open sessions whose wrapper is alive (another process than `exceptPid`). */
export function liveSessions(
  db: Db,
  exceptPid = process.pid,
): Array<{ id: string; server: string; wrapperPid: number; startedAt: number }> {
  return openSessions(db).filter((row) => row.wrapperPid !== exceptPid && wrapperAlive(wrapperOf(row)));
}

/** Whether a session begun before `time` (epoch ms) is open and its wrapper alive. */
export function liveSessionBegunBefore(db: Db, time: number): boolean {
  return openSessions(db).some((row) => row.startedAt < time && wrapperAlive(wrapperOf(row)));
}

/** The open sessions whose wrapper is alive, as distinct wrapper pids (`restore` refuses while any record). */
export function liveWrapperPids(db: Db, exceptPid = process.pid): number[] {
  return [...new Set(liveSessions(db, exceptPid).map((row) => row.wrapperPid))];
}

/**
 * The wrappers whose presence file says they record into `dataDir` and that still run, as pids: those
 * that have not written their session row yet too. Files of wrappers that are gone (killed) are removed.
 */
export function recordingWrapperPids(dataDir: string, exceptPid = process.pid): number[] {
  const pids: number[] = [];
  for (const { file, presence } of wrapperPresenceFiles(dataDir)) {
    if (presence && wrapperAlive(presence)) {
      if (presence.pid !== exceptPid) pids.push(presence.pid);
    } else if (presence) rmSync(file, { force: true });
  }
  return pids;
}

interface OpenSession {
  id: string;
  server: string;
  wrapperPid: number;
  wrapperStartTicks: number | null;
  startedAt: number;
}

function wrapperOf(row: OpenSession): WrapperRef {
  return { pid: row.wrapperPid, startTicks: row.wrapperStartTicks, startedAt: row.startedAt };
}

/**
 * Read from every schema this mcpscope upgrades from: `restore` asks before a database older wrappers
 * still record into is migrated, and those wrote no start ticks (the column came later).
 */
function openSessions(db: Db): OpenSession[] {
  const hasTicks = db
    .prepare("SELECT 1 AS yes FROM pragma_table_info('sessions') WHERE name = 'wrapper_start_ticks'")
    .get();
  return db
    .prepare(
      `SELECT id, server, wrapper_pid, ${hasTicks ? "wrapper_start_ticks" : "NULL AS wrapper_start_ticks"}, started_at
       FROM sessions WHERE ended_at IS NULL AND wrapper_pid IS NOT NULL`,
    )
    .all()
    .map((row) => ({
      id: String(row.id),
      server: String(row.server),
      wrapperPid: Number(row.wrapper_pid),
      wrapperStartTicks: row.wrapper_start_ticks == null ? null : Number(row.wrapper_start_ticks),
      startedAt: Number(row.started_at),
    }));
}

/**
 * The session's last recorded activity: its last stored call's end, log record or event, else its start.
 * By the newest row ids (indexed by session), not a scan of every row of a long session.
 */
function lastActivity(db: Db, id: string, startedAt: number): number {
  const call = db
    .prepare(
      "SELECT started_at + duration_ms AS t FROM calls WHERE id = (SELECT max(id) FROM calls WHERE session_id = ?)",
    )
    .get(id);
  const log = db
    .prepare("SELECT time AS t FROM logs WHERE id = (SELECT max(id) FROM logs WHERE session_id = ?)")
    .get(id);
  const event = db.prepare("SELECT max(time) AS t FROM events WHERE session_id = ?").get(id);
  return Math.max(startedAt, ...[call?.t, log?.t, event?.t].map((t) => (t == null ? 0 : Number(t))));
}

/** The event that tells the user a session was closed for its wrapper. */
export function lostSessionEvent(session: LostSession, now: number): TrackedEvent {
  return {
    category: "system",
    type: LOST_SESSION_EVENT,
    severity: "low",
    server: session.server,
    session: session.id,
    time: session.endedAt,
    message: `the wrapper of this session (pid ${session.wrapperPid}) ended without closing it (killed, crashed, or its database refused the last write); closed at its last recorded activity`,
    details: {
      wrapperPid: session.wrapperPid,
      lastActivity: new Date(session.endedAt).toISOString(),
      closedAt: new Date(now).toISOString(),
    },
  };
}

/**
 * Closes every open session whose wrapper is gone, each in its own small transaction with its event; a
 * wrapper that wrote its end meanwhile wins. Returns the sessions closed.
 */
export function closeLostSessions(db: Db, now = Date.now()): LostSession[] {
  const closed: LostSession[] = [];
  for (const open of openSessions(db)) {
    if (wrapperAlive(wrapperOf(open))) continue;
    const done = db.transaction(() => {
      const { id, server, wrapperPid, startedAt } = open;
      const session = { id, server, wrapperPid, startedAt, endedAt: lastActivity(db, id, startedAt) };
      const changed = db
        .prepare("UPDATE sessions SET ended_at = ?, end_reason = ? WHERE id = ? AND ended_at IS NULL")
        .run(session.endedAt, LOST_END_REASON, open.id);
      if (Number(changed.changes) === 0) return null;
      endLostTasks(db, id, session.endedAt);
      insertEvent(db, lostSessionEvent(session, now));
      return session;
    });
    if (done) closed.push(done);
  }
  return closed;
}
