/**
 * How long `mcpscope run` may take to end once asked to stop, and how that time is shared out. The MCP
 * SDK's client kills a process 2 s after its SIGTERM, which would end the wrapper alone and leave the
 * server running, so everything here fits well inside 2 s: a client's stop ends a wrapped server as it
 * ends a bare one, and the wrapper still says what it could not store and exits with the server's status.
 *
 * The observer thread's SQLite calls are synchronous and cannot be interrupted (not even by terminating
 * the thread, and the process waits for its threads at exit): the bound holds only because every wait
 * for another process's lock is cut to the time left before the stop deadline.
 */

/** After the signal: a server that has not exited is killed with its process group. */
export const STOP_KILL_MS = 1000;
/** After the signal: the wrapper is done storing (and exits right after). */
export const STOP_EXIT_MS = 1400;
/** Of that, kept free of lock waits at the end: the observer thread ending and the process exiting. */
export const STOP_EXIT_MARGIN_MS = 150;
/**
 * Of the time left, what the observer keeps for its last write once it stops parsing its backlog: at
 * most one busy wait, itself cut to the deadline.
 */
export const STOP_CLOSE_MS = 600;

/**
 * How long one write waits for another process's lock once the database is open. Short, because a wait
 * in progress holds up the wrapper's exit. A refused write keeps its rows and is tried again.
 */
export const WRITE_BUSY_MS = 500;
/**
 * How long opening the database may wait for another process's lock in all (a migration or a VACUUM
 * elsewhere), in tries of at most WRITE_BUSY_MS each, so that a stop is noticed between them.
 */
export const OPEN_BUSY_MS = 2000;

/**
 * How long a wait for another process's lock may last now: `cap`, or less once the wrapper was asked to
 * stop (`stopBy`, epoch ms, 0 while it was not): never past the stop deadline less its margin.
 */
export function lockWait(cap: number, stopBy: number, now = Date.now()): number {
  if (stopBy === 0) return cap;
  return Math.max(0, Math.min(cap, stopBy - STOP_EXIT_MARGIN_MS - now));
}
