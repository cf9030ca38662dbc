/**
 * Between two of the preview's steps the evaluator evaluated every interval: could it have seen the rule
 * active there when neither step did? For some rules the two steps' samples bound every value in between,
 * so the preview replays the evaluator's interval wherever that bound is active and misses no firing:
 *
 * - counts over the window that only grow with what the window holds (`event_count`, `log_count`,
 *   `new_log_templates`, `call_rate`, `outcome_count`, `dropped`), with `>` or `>=`: every window between
 *   steps t₁ < t₂ lies inside (t₁ − window, t₂], which the two steps' windows cover when the step is at
 *   most the window, so its count is at most the sum of theirs (else that span is sampled once more);
 * - the age of the last call (`absence`), with `>` or `>=`: between t₁ and t₂ it is at most its age at t₁
 *   plus the step.
 *
 * Other rules have no such bound from two samples (error rates, percentiles and CPU means over a window,
 * the newest memory sample or health check, any `<` or `<=` rule): a value that crosses the threshold only
 * between two steps is not seen, and the preview says so (`approximate`).
 */
import type { Rule } from "./rule-schema.js";
import { isActive, type Sample } from "./signals.js";

/** Signals that count what the window holds: a wider window never counts less. */
const WINDOW_COUNTS: ReadonlySet<string> = new Set([
  "event_count",
  "log_count",
  "new_log_templates",
  "call_rate",
  "outcome_count",
  "dropped",
]);

const rising = (rule: Rule) => rule.op === ">" || rule.op === ">=";

/** Whether the preview can bound the rule between its steps (else it is approximate there). */
export function boundedBetweenSteps(rule: Rule): boolean {
  return rising(rule) && (WINDOW_COUNTS.has(rule.signal) || rule.signal === "traffic_age");
}

/**
 * Whether some evaluation in (`from`, `to`] may have found the rule active, given the samples at both ends
 * (`widened`: the rule sampled at `to` over its window plus the step, asked for only when needed). Always
 * true of an active `to`; for a rule with no bound, only that.
 */
export function mayBeActiveBetween(
  rule: Rule,
  before: readonly Sample[],
  after: readonly Sample[],
  stepMs: number,
  widened: () => Sample[],
): boolean {
  if (after.some((s) => isActive(rule, s.value))) return true;
  if (!boundedBetweenSteps(rule)) return false;
  if (rule.signal === "traffic_age") return before.some((s) => isActive(rule, s.value + stepMs));
  if (stepMs > rule.windowMs) {
    // The two windows leave a span between them uncovered: read the whole span at once. A rate is per
    // minute of the rule's window, so the wider window's count is put back over the rule's.
    const scale = rule.signal === "call_rate" ? (rule.windowMs + stepMs) / rule.windowMs : 1;
    return widened().some((s) => isActive(rule, s.value * scale));
  }
  const sums = new Map<string, number>();
  for (const s of [...before, ...after]) {
    const key = JSON.stringify(s.labels);
    sums.set(key, (sums.get(key) ?? 0) + s.value);
  }
  for (const sum of sums.values()) if (isActive(rule, sum)) return true;
  return false;
}
