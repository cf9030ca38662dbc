/**
 * The observer's work must not delay the traffic it observes. On a machine with few cores its batches
 * (a few milliseconds of parsing, masking and writing every 20 ms) compete with the client, the server
 * and the forwarding thread; a woken forwarding thread could wait out an observer's whole time slice, and
 * sequential calls saw that as a tail of 2 ms and more. So the observer runs at a lower priority than the
 * traffic: it gets any spare core at once, and yields one to the traffic as soon as the traffic wants it.
 * The wrapper's observer lowers it once it has opened its database and written the session's row, and
 * not if the session is ending by then (observer-worker.ts): its start and a session's end are not held
 * up behind a busy machine's other work.
 *
 * Linux keeps a nice value per thread (`setpriority` on a thread id), so the thread lowers its own. Other
 * systems have no such per-thread call in Node (there it would lower the whole process, the forwarding
 * thread included), so they run as before. Lowering is one way: an unprivileged thread cannot raise its
 * priority back, which is why the value is moderate rather than the lowest. It is the price of the
 * traffic's latency: on a machine whose cores are all busy with other work, the observer gets less of them
 * and may fall behind sooner (what it then cannot copy is counted, never guessed). Threads this thread
 * starts inherit its value (libuv's pool, if it ever does file work asynchronously).
 */
import { readlinkSync } from "node:fs";
import { getPriority, setPriority } from "node:os";

/** How much lower than the traffic's the observer runs (nice +10: about a tenth of a busy core's share). */
export const OBSERVER_NICE = Math.round(Number(process.env.MCPSCOPE_OBSERVER_NICE ?? 10));

/** Lowers the calling thread's priority by `nice` where the system allows it per thread; says whether it did. */
export function lowerThreadPriority(nice = OBSERVER_NICE): boolean {
  if (process.platform !== "linux" || !(nice > 0)) return false;
  try {
    const tid = Number(readlinkSync("/proc/thread-self").split("/").pop());
    if (!Number.isInteger(tid) || tid <= 0) return false;
    // Relative to where the process already runs (a wrapper started niced stays below its own traffic).
    const now = getPriority(tid);
    if (now >= 19) return false;
    setPriority(tid, Math.min(19, now + nice));
    return true;
  } catch {
    return false;
  }
}
