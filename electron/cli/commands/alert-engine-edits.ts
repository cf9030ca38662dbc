/**
 * `mcpscope alerts acknowledge|unacknowledge|pause|resume`: edits the running engine holds in its live
 * states and snapshot, so they go through it (alerts/engine-requests.ts) and the app's window and tray
 * follow at once. With no engine running they are stored, which is what the next engine starts from.
 */
import type { ApiClient } from "../../../shared/api.js";
import type { ActionResult } from "../../../shared/servers.js";
import {
  askEngine,
  engineSilent,
  type ForwardedInput,
  type ForwardedMethod,
} from "../../monitor/alerts/engine-requests.js";
import { REQUESTS_PROTOCOL, runningEngines } from "../../monitor/engine-presence.js";
import type { Db } from "../../monitor/store/db.js";
import { checkFlags } from "../api-input.js";
import type { CliIo } from "../io.js";

export const NO_ENGINE_STORED =
  "no engine runs on this data dir: stored, and the app or `mcpscope serve` applies it when it starts";

export function engineOlder(pid: number): string {
  return `the running engine (pid ${pid}: the app or \`mcpscope serve\`) is from another version of mcpscope and cannot apply it; nothing was changed; restart it, then try again`;
}

export interface EngineEditContext {
  dataDir: string;
  db: Db;
  /** The in-process handlers over the store, for when no engine runs. */
  api: ApiClient;
  io: CliIo;
  json: boolean;
}

/**
 * Applies one edit through the engine that evaluates the rules, or to the store when none runs; prints
 * the answer. Exit 0 done, 1 refused (no firing alert by that id) or not applied (the engine did not
 * answer), 2 a bad flag.
 */
export async function engineEdit(
  context: EngineEditContext,
  method: ForwardedMethod,
  input: Record<string, unknown>,
  flags: Record<string, string> = {},
): Promise<number> {
  const checked = checkFlags(method, input, flags) as ForwardedInput;
  const { dataDir, db, api, io, json } = context;
  const evaluating = runningEngines(dataDir).filter((e) => e.alerts);
  const engine = evaluating.length > 0;
  // An engine from an older mcpscope never reads a request: waiting for it would only time out.
  const older = evaluating.find((e) => e.requests !== REQUESTS_PROTOCOL);
  let result: ActionResult;
  if (older) {
    result = { ok: false, message: engineOlder(older.pid) };
  } else if (engine) {
    const answer = await askEngine(db, { method, input: checked, actor: "cli" });
    result = answer ?? { ok: false, message: engineSilent() };
  } else {
    result = (await api.call(method, checked as never)) as ActionResult;
  }
  if (json) io.stdout.write(`${JSON.stringify({ ...result, engine })}\n`);
  else if (!result.ok) io.stderr.write(`mcpscope alerts: ${result.message}\n`);
  else io.stdout.write(`${result.message}${engine ? "" : ` (${NO_ENGINE_STORED})`}\n`);
  return result.ok ? 0 : 1;
}
