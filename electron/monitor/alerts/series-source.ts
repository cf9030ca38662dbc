/**
 * A signal source over given series, for `mcpscope rules test` and the state machine's tests: each series
 * names a rule's signal and labels and has one value per interval, in promtool's notation:
 * `0 0.5 1`, `_` for no sample, `1x3` for 1 four times, `0+0.1x5` for 0, 0.1 … 0.5, `_x2`.
 */
import { MonitoringError } from "../errors.js";
import type { Rule } from "./rule-schema.js";
import type { Sample, SignalSource } from "./signals.js";

export interface InputSeries {
  signal: string;
  labels: Record<string, string>;
  values: (number | null)[];
}

export function expandValues(text: string): (number | null)[] {
  const out: (number | null)[] = [];
  for (const token of text.trim().split(/\s+/).filter(Boolean)) {
    const repeat = /^(_|-?[\d.]+(?:e-?\d+)?)(?:([+-])([\d.]+(?:e-?\d+)?))?x(\d+)$/.exec(token);
    if (repeat) {
      const [, startText, sign, stepText, countText] = repeat;
      const count = Number(countText);
      if (startText === "_") {
        for (let i = 0; i <= count; i++) out.push(null);
        continue;
      }
      const start = Number(startText);
      const stepValue = stepText === undefined ? 0 : Number(stepText) * (sign === "-" ? -1 : 1);
      for (let i = 0; i <= count; i++) out.push(Number((start + stepValue * i).toPrecision(12)));
      continue;
    }
    if (token === "_") out.push(null);
    else if (Number.isFinite(Number(token))) out.push(Number(token));
    else throw MonitoringError.input(`"${token}" is not a series value; use 1, _, 1x3 or 0+0.1x5`);
  }
  return out;
}

/** `error_rate{server="memory", tool="echo"}` → signal and labels. */
export function parseSeriesName(text: string): { signal: string; labels: Record<string, string> } {
  const m = /^\s*([A-Za-z_][\w]*)\s*(?:\{(.*)\})?\s*$/.exec(text);
  if (!m) throw MonitoringError.input(`"${text}" is not a series; use signal{label="value", …}`);
  const labels: Record<string, string> = {};
  const body = m[2]?.trim() ?? "";
  if (body) {
    for (const part of body.split(",")) {
      const lm = /^\s*([A-Za-z_]\w*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*$/.exec(part);
      if (!lm) throw MonitoringError.input(`"${part.trim()}" in ${text} is not a label; use name="value"`);
      labels[lm[1] ?? ""] = (lm[2] ?? "").replace(/\\(.)/g, "$1");
    }
  }
  return { signal: m[1] ?? "", labels };
}

export class SeriesSignalSource implements SignalSource {
  constructor(
    private readonly series: readonly InputSeries[],
    private readonly intervalMs: number,
    private readonly start = 0,
  ) {}

  sample(rule: Rule, at: number): Sample[] {
    const index = Math.floor((at - this.start) / this.intervalMs + 1e-9);
    const out: Sample[] = [];
    for (const s of this.series) {
      if (s.signal !== rule.signal) continue;
      if (rule.server && s.labels.server !== rule.server) continue;
      if (rule.tool && s.labels.tool !== rule.tool) continue;
      const value = index >= 0 && index < s.values.length ? s.values[index] : null;
      if (value === null || value === undefined) continue;
      const labels: Record<string, string> = {};
      for (const name of rule.by) if (s.labels[name] !== undefined) labels[name] = s.labels[name];
      out.push({ labels, value });
    }
    return out;
  }
}
