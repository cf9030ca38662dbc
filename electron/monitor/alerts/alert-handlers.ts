/**
 * The `alerts.*` API methods over the alert units. The engine serves them over its live evaluator; the
 * CLI calls the same handlers in process over the stored states (api/in-process.ts, stored-alerts.ts).
 */

import type { RuleFileCheck, Silence } from "../../../shared/alerts.js";
import type { MethodName, MethodOutput, parseMethodInput } from "../../../shared/api.js";
import { MonitoringError } from "../errors.js";
import type { AlertServices } from "./alert-manager.js";
import type { ForwardedAnswer } from "./engine-requests.js";
import { HISTORY_RETENTION_DEPRECATED, parseAlertConfig } from "./rule-file.js";

type AlertMethod = Extract<MethodName, `alerts.${string}`>;

export type AlertHandlers = {
  [M in AlertMethod]: (
    input: ReturnType<typeof parseMethodInput<M>>,
  ) => MethodOutput<M> | Promise<MethodOutput<M>>;
};

/** `services` throws when alerting is off in this process. */
export function alertHandlers(services: () => AlertServices): AlertHandlers {
  const queries = () => services().queries;
  const edits = () => services().edits;
  // What the evaluating engine keeps in its states, or dispatches on, goes through it when that is
  // another engine.
  return {
    "alerts.list": (input) => queries().list(input),
    "alerts.history": ({ since, ...rest }) => queries().history({ ...rest, sinceText: since }),
    "alerts.silence": (input) =>
      services().forwarded?.("alerts.silence", input)?.then(silenceMade) ?? edits().silence(input),
    "alerts.unsilence": (input) =>
      services().forwarded?.("alerts.unsilence", input) ?? edits().unsilence(input.id),
    "alerts.silences": (input) => queries().silences(input.includeExpired),
    "alerts.acknowledge": (input) =>
      services().forwarded?.("alerts.acknowledge", input) ?? edits().acknowledge(input.id),
    "alerts.unacknowledge": (input) =>
      services().forwarded?.("alerts.unacknowledge", input) ?? edits().unacknowledge(input.id),
    "alerts.rules": () => queries().rules(),
    "alerts.rules.put": (input) => actionOrError(() => edits().putRule(input.yaml, input.replaces)),
    "alerts.rules.remove": (input) => actionOrError(() => edits().removeRule(input.name)),
    "alerts.rules.preview": (input) => queries().preview(input.yaml, input.range),
    "alerts.rules.check": (input) => checkRuleFile(input),
    "alerts.channels": () => queries().channelsDocument(),
    "alerts.channels.put": (input) => actionOrError(() => edits().putChannel(input.yaml, input.replaces)),
    "alerts.channels.remove": (input) => actionOrError(() => edits().removeChannel(input.name)),
    "alerts.test": (input) => services().deliverer.test(input.channel),
    "alerts.deliveries": (input) => queries().deliveries(input),
    "alerts.pause": (input) => services().forwarded?.("alerts.pause", input) ?? edits().pause(input.duration),
  };
}

/** `alerts.rules.check`: needs no store, so `mcpscope rules check` serves it alone. */
export function checkRuleFile(input: { text: string; fileName?: string }): RuleFileCheck {
  const config = parseAlertConfig(input.text, input.fileName);
  return {
    ok: true,
    rules: config.rules.length,
    userRules: config.rules.filter((r) => !r.builtin).length,
    disabled: config.rules.filter((r) => !r.enabled).map((r) => r.name),
    channels: config.channels.map((c) => c.name),
    routes: config.routes.length,
    evaluationIntervalMs: config.evaluationIntervalMs,
    notes: config.historyRetentionMs === null ? [] : [HISTORY_RETENTION_DEPRECATED],
  };
}

/** The silence the evaluating engine made, or its refusal (a duration it does not take) as an error. */
function silenceMade(answer: ForwardedAnswer): Silence {
  if (answer.silence) return answer.silence;
  throw MonitoringError.input(answer.message);
}

/** A rule or channel edit that does not validate is an answer ({ ok: false, message }), not a failure. */
function actionOrError(fn: () => { ok: boolean; message: string }): { ok: boolean; message: string } {
  try {
    return fn();
  } catch (error) {
    if (error instanceof MonitoringError) return { ok: false, message: error.message };
    throw error;
  }
}
