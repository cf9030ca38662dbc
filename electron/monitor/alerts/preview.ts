/**
 * What a rule would have done over a past range: its value per label group at each step, and the ranges
 * in which it would have fired (the state machine run over those steps, `for` and `keep_firing_for`
 * included). The rule editor draws this as the user types. It yields to the event loop every few steps:
 * a 24 h preview over a busy store takes seconds, and the engine keeps answering meanwhile.
 */
import type { RulePreview } from "../../../shared/alerts.js";
import type { Rule } from "./rule-schema.js";
import type { SignalSource } from "./signals.js";
import { type InstanceState, step } from "./state-machine.js";

const MAX_POINTS = 288;
const MAX_SERIES = 50;

/** Steps computed between two yields to the event loop, so a long preview never holds the engine. */
const STEPS_PER_SLICE = 4;

export async function previewRule(
  rule: Rule,
  signals: SignalSource,
  now: number,
  rangeMs: number,
  evaluationIntervalMs: number,
): Promise<RulePreview> {
  const stepMs = Math.max(evaluationIntervalMs, Math.ceil(rangeMs / MAX_POINTS / 60_000) * 60_000);
  // Steps on whole minutes: windows then cover whole minute rollups, with no raw calls at their edges.
  const start = Math.ceil((now - rangeMs) / 60_000) * 60_000;
  const series = new Map<string, { labels: Record<string, string>; points: [number, number | null][] }>();
  const open = new Map<string, { labels: Record<string, string>; from: number }>();
  const firings: RulePreview["firings"] = [];
  let states = new Map<string, InstanceState>();
  const times: number[] = [];
  for (let t = start; t <= now; t += stepMs) times.push(t);
  // And now itself, so what just happened (the last partial minute) is in the preview too.
  if (times.at(-1) !== now) times.push(now);
  try {
    for (const [index, t] of times.entries()) {
      if (index > 0 && index % STEPS_PER_SLICE === 0) await new Promise((resolve) => setImmediate(resolve));
      const samples = signals.sample({ ...rule, enabled: true }, t);
      for (const s of samples) {
        const key = JSON.stringify(s.labels);
        let line = series.get(key);
        if (!line) {
          if (series.size >= MAX_SERIES) continue;
          line = { labels: s.labels, points: times.slice(0, index).map((x) => [x, null]) };
          series.set(key, line);
        }
        line.points.push([t, s.value]);
      }
      for (const line of series.values()) if (line.points.length <= index) line.points.push([t, null]);
      const result = step(rule, states, samples, t);
      states = result.instances;
      for (const tr of result.transitions) {
        const labels = groupOf(tr.instance.labels, rule);
        if (tr.to === "firing") open.set(tr.instance.id, { labels, from: t });
        if (tr.from === "firing") {
          const o = open.get(tr.instance.id);
          if (o) firings.push({ labels: o.labels, from: o.from, to: t });
          open.delete(tr.instance.id);
        }
      }
    }
  } catch (error) {
    return { ok: false, error: (error as Error).message, stepMs, series: [], firings: [] };
  }
  for (const o of open.values()) firings.push({ labels: o.labels, from: o.from, to: null });
  return { ok: true, error: null, stepMs, series: [...series.values()], firings };
}

function groupOf(labels: Record<string, string>, rule: Rule): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of rule.by) if (labels[name] !== undefined) out[name] = labels[name];
  return out;
}
