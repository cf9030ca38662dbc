/**
 * Where an alert edit asked outside the evaluating engine goes (the CLI's `alerts acknowledge|pause|
 * silence…`, or the window of an engine that does not evaluate): one rule for both. To the engine that
 * evaluates, when it applies such requests (engine-requests.ts); to the store when no engine evaluates,
 * or when the evaluating engine is from before silences were asked of it (it reads them from the store on
 * its next tick); refused at once when it is from before it applied that edit at all, since waiting for
 * it would only time out. The evaluating engine is the one holding the evaluation lease; while no live
 * engine holds it (one starting, or renewing late), the engines that say they evaluate.
 */
import { type EnginePresence, runningEngines } from "../engine-presence.js";
import type { Db } from "../store/db.js";
import { appliesRequest, FORWARDED_SINCE, type ForwardedMethod } from "./engine-requests.js";
import { evaluatorElsewhere } from "./evaluation-lease.js";

export type EditRoute = { to: "engine" } | { to: "store" } | { to: "refused"; message: string };

/** The refusal for an evaluating engine from before it applied the edit asked. */
export function engineOlder(pid: number | null): string {
  const engine = pid === null ? "the app or `mcpscope serve`" : `pid ${pid}: the app or \`mcpscope serve\``;
  return `the running engine (${engine}) is from another version of mcpscope and cannot apply it; nothing was changed; restart it, then try again`;
}

/**
 * Where `method` goes, asked by the engine whose evaluation lease owner is `owner` (the CLI: none), at
 * `now`.
 */
export function editRoute(
  db: Db,
  dataDir: string,
  method: ForwardedMethod,
  owner = "",
  now = Date.now(),
): EditRoute {
  const engines = runningEngines(dataDir).filter((e) => e.alerts);
  const evaluator = evaluatingEngine(db, engines, method, owner, now);
  if (!evaluator) return { to: "store" };
  if (appliesRequest(evaluator.requests, method)) return { to: "engine" };
  if (FORWARDED_SINCE[method] > 1) return { to: "store" };
  return { to: "refused", message: engineOlder(evaluator.pid) };
}

function evaluatingEngine(
  db: Db,
  engines: EnginePresence[],
  method: ForwardedMethod,
  owner: string,
  now: number,
): { pid: number | null; requests?: number } | undefined {
  const holder = evaluatorElsewhere(db, owner, now);
  if (holder) {
    if (holder.requests !== undefined) return holder;
    // A lease an older engine wrote says nothing of requests: its presence file does.
    const presence = engines.find((e) => e.pid === holder.pid);
    return { pid: holder.pid, requests: presence?.requests };
  }
  // None holds it now: whichever of those evaluating takes it next applies the edit.
  return engines.find((e) => appliesRequest(e.requests, method)) ?? engines[0];
}
