/**
 * What the rule editor needs from a rule's YAML without parsing it (the engine validates and answers
 * with a line and a key): its name and threshold, read from top-level lines; and a template per kind.
 */
import type { RuleKind } from "../../../shared/alerts.js";
import { thresholdValue } from "../../../shared/units.js";

export { RULE_KINDS, type RuleKind } from "../../../shared/alerts.js";

export const RULE_KIND_LABELS: Record<RuleKind, string> = {
  metric: "Metric (error rate, latency, calls, CPU, memory…)",
  absence: "Absence (a server gets no calls for a while)",
  health: "Health (a server is down or degraded)",
  logs: "Logs (lines at a level or with a text)",
  log_template: "Log patterns (new kinds of log lines)",
  event: "Events (crashes, security, tool changes…)",
};

const TEMPLATES: Record<RuleKind, string> = {
  metric: `name: my-tool-error-rate
kind: metric
signal: error_rate    # error_rate | call_rate | latency_p50 | latency_p95 | latency_p99 | outcome_count | cpu | memory | dropped
by: [server, tool]
window: 5m
op: ">"               # > | >= | < | <=
threshold: 20%        # a number, or with a unit: 20%, 5s, 1GiB
min_calls: 5
for: 1m
keep_firing_for: 0s
severity: warning     # info | warning | critical
summary: "{{tool}} on {{server}} fails {{value}} of calls"
`,
  absence: `name: server-quiet
kind: absence
duration: 30m         # no call from a server (one that had calls in the last 7 days) for this long
severity: info
summary: "no traffic from {{server}} for {{value}}"
`,
  health: `name: server-degraded
kind: health
state: degraded       # down | degraded
for: 2m
severity: warning
summary: "{{server}} is degraded"
`,
  logs: `name: error-logs
kind: logs
level: error          # this level and above
# match: timeout      # text the message must contain (any case)
window: 5m
op: ">"
threshold: 10
severity: warning
summary: "{{value}} error lines from {{server}} in 5 min"
`,
  log_template: `name: new-log-patterns
kind: log_template
window: 10m
severity: info
summary: "{{value}} new kind(s) of log line from {{server}}"
`,
  event: `name: security-events
kind: event
category: security    # system | security | user | error | audit
# type: process.*     # an event type, or a prefix ending in *
event_severity: high  # this severity and above: info | low | medium | high | critical
window: 1h
threshold: 0
severity: critical
summary: "{{value}} security event(s){{#server}} on {{server}}{{/server}}"
`,
};

export function ruleTemplate(kind: RuleKind): string {
  return TEMPLATES[kind];
}

function topLevel(yaml: string, key: string): string | null {
  // JSON is YAML too (a rule may come back in flow style).
  if (yaml.trimStart().startsWith("{")) {
    try {
      const value = (JSON.parse(yaml) as Record<string, unknown>)[key];
      return value === undefined || value === null ? null : String(value);
    } catch {
      // Not JSON after all: read it line by line.
    }
  }
  const match = new RegExp(`^${key}:[ \\t]*(.*)$`, "m").exec(yaml);
  if (!match) return null;
  let value = (match[1] ?? "").trim();
  const quoted = /^(["'])(.*)\1(\s+#.*)?$/.exec(value);
  if (quoted) return quoted[2] ?? "";
  value = value.replace(/\s+#.*$/, "").trim();
  return value === "" ? null : value;
}

/** The rule's `name:` (top level), or null. */
export function ruleName(yaml: string): string | null {
  return topLevel(yaml, "name");
}

/** A threshold as the engine reads it: a number, `20%` → 0.2, `5s` or `2m30s` → ms, `1GiB` → bytes. */
export const parseThreshold = thresholdValue;

/**
 * The line the preview draws: the rule's `threshold:`, or an absence rule's `duration:` (its value is
 * the time since the last call); null when it has none.
 */
export function ruleThreshold(yaml: string): number | null {
  const kind = topLevel(yaml, "kind");
  const value = topLevel(yaml, kind === "absence" ? "duration" : "threshold");
  return value === null ? null : parseThreshold(value);
}

/** The rule with `enabled:` set (its value replaced in place, a comment after it kept, or added after its name). */
export function withEnabled(yaml: string, enabled: boolean): string {
  const line = `enabled: ${enabled}`;
  if (/^enabled:.*$/m.test(yaml))
    return yaml.replace(/^enabled:[ \t]*(?:"[^"\n]*"|'[^'\n]*'|[^\s#]*)/m, line);
  if (/^name:.*$/m.test(yaml)) return yaml.replace(/^(name:.*)$/m, `$1\n${line}`);
  return `${line}\n${yaml}`;
}
