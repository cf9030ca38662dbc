/** Where the sampler's roots come from: managed servers, live `mcpscope run` wrappers, mcpscope itself. */
import type { Db } from "../store/db.js";
import type { Supervisor } from "../supervisor/supervisor.js";
import type { SampleRoot } from "./sampler.js";

export const OWN_SERVER_NAME = "mcpscope";
/**
 * The `mcpscope run` wrappers, together: a label of their own so that the engine's figure stays the
 * engine's, however many clients start wrappers.
 */
export const WRAPPERS_SERVER_NAME = "mcpscope run";
/** The labels of mcpscope's own processes among the servers' resource samples. */
export const OWN_PROCESS_LABELS: ReadonlySet<string> = new Set([OWN_SERVER_NAME, WRAPPERS_SERVER_NAME]);

/** mcpscope's own process (the engine, or the CLI); its managed servers are counted as theirs. */
export function ownRoot(pid = process.pid): SampleRoot {
  return { server: OWN_SERVER_NAME, serverId: null, pid, own: true };
}

export function managedRoots(supervisor: Supervisor): SampleRoot[] {
  return supervisor.processes().map((p) => ({ server: p.server, serverId: p.serverId, pid: p.pid }));
}

/**
 * Servers behind live wrappers (sessions without an end), and the wrappers themselves (as
 * mcpscope's own processes, under WRAPPERS_SERVER_NAME).
 * Each is sampled only while the server is still the wrapper's child: a wrapper killed with SIGKILL
 * leaves its session open, and its pids may be reused.
 */
export function wrapperRoots(db: Db, limit = 500): SampleRoot[] {
  const rows = db
    .prepare(
      `SELECT server, pid, wrapper_pid FROM sessions
       WHERE ended_at IS NULL AND pid IS NOT NULL AND wrapper_pid IS NOT NULL
       ORDER BY started_at DESC LIMIT ?`,
    )
    .all(limit);
  const roots: SampleRoot[] = [];
  for (const row of rows) {
    const guard = { pid: Number(row.pid), ppid: Number(row.wrapper_pid) };
    roots.push({ server: String(row.server), serverId: null, pid: guard.pid, guard });
    roots.push({ server: WRAPPERS_SERVER_NAME, serverId: null, pid: guard.ppid, guard, own: true });
  }
  return roots;
}
