/**
 * A rule's condition in one line, for the rules list:
 * `error_rate > 40% over 5 min by server, tool with at least 5 calls for 1 min`.
 * Values are formatted as the rule's summaries format them.
 */

import { formatDuration } from "../duration-text.js";
import { maskString } from "../pipeline/mask.js";
import type { Rule } from "./rule-schema.js";
import { MIN_CALLS_SIGNALS } from "./signals.js";
import { defaultFormat, formatValue } from "./template.js";

export function ruleCondition(rule: Rule): string {
  const threshold = formatValue(rule.threshold, defaultFormat(rule));
  const window = `over ${formatDuration(rule.windowMs)}`;
  const parts: string[] = [];
  switch (rule.kind) {
    case "metric": {
      const what =
        rule.signal === "outcome_count" && rule.outcome ? `${rule.signal}(${rule.outcome})` : rule.signal;
      parts.push(`${what} ${rule.op} ${threshold} ${window}`);
      if (rule.tool) parts.push(`of ${rule.tool}`);
      if (rule.by.length) parts.push(`by ${rule.by.join(", ")}`);
      // A group with fewer calls in the window yields no value: say so, or the rule seems not to fire.
      if (MIN_CALLS_SIGNALS.has(rule.signal) && rule.minCalls > 1)
        parts.push(`with at least ${rule.minCalls} calls`);
      break;
    }
    case "absence":
      parts.push(`no calls for ${formatDuration(rule.windowMs)}`);
      break;
    case "health":
      parts.push(`health is ${rule.healthState ?? "down"}`);
      break;
    case "logs": {
      const which = [
        rule.level ? `≥ ${rule.level}` : "",
        // A `match` is compared as written when only a secret's name made masking change it; shown masked.
        rule.match ? `matching ${JSON.stringify(maskString(rule.match))}` : "",
      ];
      parts.push(["log lines", ...which.filter(Boolean), rule.op, threshold, window].join(" "));
      break;
    }
    case "log_template":
      parts.push(`new kinds of log line ${window}`);
      break;
    case "event": {
      const which = [rule.category, rule.eventType, rule.eventSeverity ? `≥ ${rule.eventSeverity}` : ""];
      parts.push(["events", ...which.filter(Boolean), rule.op, threshold, window].join(" "));
      break;
    }
  }
  if (rule.server) parts.push(`on ${rule.server}`);
  if (rule.forMs > 0) parts.push(`for ${formatDuration(rule.forMs)}`);
  return parts.join(" ");
}
