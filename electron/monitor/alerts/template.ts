/**
 * Summaries: `{{server}}`, `{{tool}}`, any label, `{{value}}` formatted for the rule's signal (percent for
 * an error rate, a duration for latency or absence, bytes for memory, else a number) or as asked
 * (`{{value|percent}}`, `{{value|duration}}`, `{{value|bytes}}`, `{{value|number}}`), a count with its
 * noun (`{{value|plural:time}}`: `1 time`, `3 times`), `{{threshold}}`,
 * and sections shown only when a label is set: `{{#server}} on {{server}}{{/server}}`.
 */
import { plural } from "../../../shared/plural.js";
import { formatDuration } from "../duration-text.js";
import type { Rule } from "./rule-schema.js";

type Format = "percent" | "duration" | "bytes" | "number";

export function defaultFormat(rule: Pick<Rule, "signal">): Format {
  if (rule.signal === "error_rate" || rule.signal === "cpu") return "percent";
  if (rule.signal.startsWith("latency_") || rule.signal === "traffic_age") return "duration";
  if (rule.signal === "memory") return "bytes";
  return "number";
}

export function formatValue(value: number | null, format: Format): string {
  if (value === null || !Number.isFinite(value)) return "–";
  switch (format) {
    case "percent": {
      const pct = value * 100;
      return `${pct >= 10 || pct === 0 ? Math.round(pct) : pct.toFixed(1)}%`;
    }
    case "duration":
      return formatDuration(value);
    case "bytes":
      return formatBytes(value);
    default:
      return Number.isInteger(value) ? String(value) : value.toFixed(value >= 100 ? 0 : 2);
  }
}

/** An alert's value as its rule's summaries format it (`3.8 min`, `45%`), raw where the rule is gone. */
export function alertValueText(
  rules: readonly Pick<Rule, "name" | "signal">[],
  ruleName: string,
  value: number | null,
): string {
  const rule = rules.find((r) => r.name === ruleName);
  return rule ? formatValue(value, defaultFormat(rule)) : value === null ? "–" : String(value);
}

export function formatBytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v >= 100 || i === 0 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}

export function renderSummary(
  rule: Pick<Rule, "summary" | "signal" | "threshold" | "outcome">,
  labels: Record<string, string>,
  value: number | null,
): string {
  const format = defaultFormat(rule);
  const lookup = (name: string): string => {
    if (name === "value") return formatValue(value, format);
    if (name === "threshold") return formatValue(rule.threshold, format);
    if (name === "outcome") return rule.outcome ?? "";
    return labels[name] ?? "";
  };
  return rule.summary
    .replace(/\{\{#(\w+)\}\}([\s\S]*?)\{\{\/\1\}\}/g, (_, name: string, inner: string) =>
      lookup(name) ? inner : "",
    )
    .replace(
      /\{\{\s*(\w+)\s*(?:\|\s*(\w+)(?::(\w+))?\s*)?\}\}/g,
      (_, name: string, fmt?: string, noun?: string) => {
        if (name !== "value" || !fmt) return lookup(name);
        if (fmt === "plural" && noun && value !== null)
          return plural(value, noun, undefined, (n) => formatValue(n, "number"));
        return formatValue(value, fmt as Format);
      },
    )
    .trim();
}
