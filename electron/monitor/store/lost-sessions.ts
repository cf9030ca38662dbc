/**
 * Sessions whose wrapper is gone without closing them (killed, crashed, a full disk at exit, or a backup
 * restored with sessions open in it). The wrapper writes its session's end as it exits; a row still open
 * whose wrapper process no longer runs will never be closed by it, so the engine closes it: at its last
 * recorded activity, marked `lost`, with one `session.lost` event. The same liveness rule tells `restore`
 * which wrappers are still recording.
 */
import { readFileSync } from "node:fs";
import type { SessionEndReason } from "../../../shared/events.js";
import { insertEvent, type TrackedEvent } from "../events/tracker.js";
import type { Db } from "./db.js";

export const LOST_SESSION_EVENT = "session.lost";
/** `sessions.end_reason` of a session the engine closed because its wrapper was gone. */
export const LOST_END_REASON: SessionEndReason = "lost";

/**
 * A process with the wrapper's pid that started this long after its session did is another process that
 * got the pid again (the start time in /proc is in clock ticks from a boot time in whole seconds).
 */
const START_SLACK_MS = 2000;
/** Linux reports process start times in USER_HZ ticks, 100 a second on every architecture Node runs on. */
const USER_HZ = 100;

/**
 * Whether the wrapper that recorded a session started at `startedAt` (epoch ms) still runs as `pid`: the
 * process exists and, on Linux, started no later than the session did (a reused pid belongs to a process
 * started after the wrapper died). Elsewhere only the pid is checked: a reused pid keeps the session open
 * until that process ends too.
 */
export function wrapperAlive(pid: number, startedAt: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  const started = processStartTime(pid);
  return started === null || started <= startedAt + START_SLACK_MS;
}

let bootTime: number | null | undefined;

/** When the process started (epoch ms), where /proc says; null where it cannot be read. */
function processStartTime(pid: number): number | null {
  if (process.platform !== "linux") return null;
  try {
    bootTime ??= Number(/^btime (\d+)$/m.exec(readFileSync("/proc/stat", "utf8"))?.[1]) * 1000 || null;
    if (!bootTime) return null;
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Field 22 (starttime); the command name (field 2) may hold spaces and parentheses.
    const ticks = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19]);
    return Number.isFinite(ticks) ? bootTime + (ticks * 1000) / USER_HZ : null;
  } catch {
    return null;
  }
}

export interface LostSession {
  id: string;
  server: string;
  wrapperPid: number;
  startedAt: number;
  endedAt: number;
}

/** The open sessions whose wrapper is alive, as distinct wrapper pids (`restore` refuses while any record). */
export function liveWrapperPids(db: Db, exceptPid = process.pid): number[] {
  const pids = new Set<number>();
  for (const row of openSessions(db))
    if (row.wrapperPid !== exceptPid && wrapperAlive(row.wrapperPid, row.startedAt)) pids.add(row.wrapperPid);
  return [...pids];
}

function openSessions(db: Db): Array<{ id: string; server: string; wrapperPid: number; startedAt: number }> {
  return db
    .prepare(
      "SELECT id, server, wrapper_pid, started_at FROM sessions WHERE ended_at IS NULL AND wrapper_pid IS NOT NULL",
    )
    .all()
    .map((row) => ({
      id: String(row.id),
      server: String(row.server),
      wrapperPid: Number(row.wrapper_pid),
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
    if (wrapperAlive(open.wrapperPid, open.startedAt)) continue;
    const done = db.transaction(() => {
      const session = { ...open, endedAt: lastActivity(db, open.id, open.startedAt) };
      const changed = db
        .prepare("UPDATE sessions SET ended_at = ?, end_reason = ? WHERE id = ? AND ended_at IS NULL")
        .run(session.endedAt, LOST_END_REASON, open.id);
      if (Number(changed.changes) === 0) return null;
      insertEvent(db, lostSessionEvent(session, now));
      return session;
    });
    if (done) closed.push(done);
  }
  return closed;
}
