/** Alertmanager-style label matchers: `name=value`, `name!=value`, `name=~regex`, `name!~regex`. */
import type { Matcher } from "../../../shared/alerts.js";
import { MonitoringError } from "../errors.js";

const MATCHER = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$/;

/** Parses `severity=critical` or `server=~"mem.*"`; throws a one-line input error. */
export function parseMatcher(text: string): Matcher {
  const m = MATCHER.exec(text);
  if (!m) throw MonitoringError.input(`"${text}" is not a matcher; use name=value, name!=value, name=~regex`);
  let value = m[3] ?? "";
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
  const matcher = { name: m[1] ?? "", op: m[2] as Matcher["op"], value };
  if (matcher.op === "=~" || matcher.op === "!~") compile(matcher.value);
  return matcher;
}

export function formatMatcher(m: Matcher): string {
  return `${m.name}${m.op}${/^[\w.:/-]*$/.test(m.value) ? m.value : JSON.stringify(m.value)}`;
}

const cache = new Map<string, RegExp>();
function compile(source: string): RegExp {
  let re = cache.get(source);
  if (!re) {
    try {
      // Anchored, as Prometheus' are.
      re = new RegExp(`^(?:${source})$`);
    } catch (error) {
      throw MonitoringError.input(`"${source}" is not a regular expression: ${(error as Error).message}`);
    }
    if (cache.size > 500) cache.clear();
    cache.set(source, re);
  }
  return re;
}

/** A missing label matches as the empty string, as in Alertmanager. */
export function matches(matchers: readonly Matcher[], labels: Record<string, string>): boolean {
  return matchers.every((m) => {
    const value = labels[m.name] ?? "";
    switch (m.op) {
      case "=":
        return value === m.value;
      case "!=":
        return value !== m.value;
      case "=~":
        return compile(m.value).test(value);
      case "!~":
        return !compile(m.value).test(value);
    }
    return false;
  });
}
