/**
 * `mcpscope alerts acknowledge|unacknowledge|pause|resume|silence|unsilence`: edits the running engine
 * holds in its live states and snapshot, or dispatches on, so they go through it
 * (alerts/engine-requests.ts) and the app's window and tray follow at once. With no engine running they
 * are stored, which is what the next engine starts from.
 */
import type { ApiClient } from "../../../shared/api.js";
import { editRoute } from "../../monitor/alerts/edit-route.js";
import {
  askEngine,
  engineSilent,
  type ForwardedAnswer,
  type ForwardedInput,
  type ForwardedMethod,
} from "../../monitor/alerts/engine-requests.js";
import { localActor } from "../../monitor/audit/admin.js";
import type { Db } from "../../monitor/store/db.js";
import { checkFlags } from "../api-input.js";
import type { CliIo } from "../io.js";

export const NO_ENGINE_STORED =
  "no engine runs on this data dir: stored, and the app or `mcpscope serve` applies it when it starts";

export interface EngineEditContext {
  dataDir: string;
  db: Db;
  /** The in-process handlers over the store, for when no engine runs. */
  api: ApiClient;
  io: CliIo;
  json: boolean;
}

/**
 * Applies one edit through the engine that evaluates the rules, or to the store when none runs (`engine`
 * says which). An engine from before a silence was asked of it reads silences from the store on its
 * next tick: a silence is stored for it; an acknowledgement or pause it cannot apply is refused.
 */
export async function askOrStore(
  context: Pick<EngineEditContext, "dataDir" | "db" | "api">,
  method: ForwardedMethod,
  input: Record<string, unknown>,
  flags: Record<string, string> = {},
): Promise<{ result: ForwardedAnswer; engine: boolean }> {
  const checked = checkFlags(method, input, flags) as ForwardedInput;
  const { dataDir, db, api } = context;
  const route = editRoute(db, dataDir, method);
  if (route.to === "refused") return { result: { ok: false, message: route.message }, engine: true };
  if (route.to === "engine") {
    const answer = await askEngine(db, { method, input: checked, actor: localActor() });
    return { result: answer ?? { ok: false, message: engineSilent() }, engine: true };
  }
  if (method === "alerts.silence") {
    const silence = await api.call(method, checked as never);
    return { result: { ok: true, message: `silence ${silence.id}`, silence }, engine: false };
  }
  return { result: (await api.call(method, checked as never)) as ForwardedAnswer, engine: false };
}

/**
 * Applies one edit as askOrStore does and prints the answer. Exit 0 done, 1 refused (no firing alert by
 * that id) or not applied (the engine did not answer), 2 a bad flag.
 */
export async function engineEdit(
  context: EngineEditContext,
  method: ForwardedMethod,
  input: Record<string, unknown>,
  flags: Record<string, string> = {},
): Promise<number> {
  const { io, json } = context;
  const { result, engine } = await askOrStore(context, method, input, flags);
  if (json) io.stdout.write(`${JSON.stringify({ ...result, engine })}\n`);
  else if (!result.ok) io.stderr.write(`mcpscope alerts: ${result.message}\n`);
  else io.stdout.write(`${result.message}${engine ? "" : ` (${NO_ENGINE_STORED})`}\n`);
  return result.ok ? 0 : 1;
}
