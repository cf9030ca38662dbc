/**
 * What a rule would have done over a past range: its value per label group at each step, and the ranges
 * in which it would have fired (the state machine run over those steps, `for` and `keep_firing_for`
 * included). The rule editor draws this as the user types. It evaluates at least once per rule window,
 * and wherever the rule may have been active between two of those steps (preview-bounds.ts) it replays the
 * evaluator's own interval, from the step before to the step after (and `keep_firing_for` past it), with
 * the evaluator's state machine at the evaluator's times. Replaying every interval of a day instead costs
 * a read per 15 s (5,760 reads, over six times a capped preview: bench/alerts). For counts and `absence` with `>`/`>=`
 * it then fires and resolves where the evaluator did (unless capped); for other rules a value that crosses
 * the threshold only between two steps is not seen, and the preview says it is approximate. It yields to
 * the event loop every 20 ms: a 24 h preview over a busy store takes seconds, and the engine keeps
 * answering meanwhile.
 */
import type { RulePreview } from "../../../shared/alerts.js";
import { boundedBetweenSteps, mayBeActiveBetween } from "./preview-bounds.js";
import type { Rule } from "./rule-schema.js";
import type { Sample, SignalSource } from "./signals.js";
import { type InstanceState, step } from "./state-machine.js";

const MAX_POINTS = 288;
const MAX_SERIES = 50;
/**
 * The most evaluations replayed at the evaluator's interval (each costs one read of the window, as a
 * coarse step does): ten lone bursts of a 5-minute window at 15 s. Past it the preview says it was capped.
 */
export const MAX_REPLAYED_STEPS = 400;

/** The longest run of steps between two yields to the event loop, so a long preview never holds the engine. */
const SLICE_MS = 20;

export async function previewRule(
  rule: Rule,
  signals: SignalSource,
  now: number,
  rangeMs: number,
  evaluationIntervalMs: number,
): Promise<RulePreview> {
  const stepMs = Math.max(evaluationIntervalMs, Math.ceil(rangeMs / MAX_POINTS / 60_000) * 60_000);
  const evalStepMs = evaluationStep(rule, stepMs, evaluationIntervalMs);
  // Steps on whole minutes: windows then cover whole minute rollups, with no raw calls at their edges.
  const start = Math.ceil((now - rangeMs) / 60_000) * 60_000;
  const series = new Map<string, { labels: Record<string, string>; points: [number, number | null][] }>();
  const open = new Map<string, { labels: Record<string, string>; from: number }>();
  const firings: RulePreview["firings"] = [];
  let states = new Map<string, InstanceState>();
  const coarse: number[] = [];
  for (let t = start; t <= now; t += evalStepMs) coarse.push(t);
  // And now itself, so what just happened (the last partial minute) is in the preview too.
  if (coarse.at(-1) !== now) coarse.push(now);
  const sampled = new Map<number, Sample[]>();
  const sampleAt = (t: number) => sampled.get(t) ?? signals.sample({ ...rule, enabled: true }, t);
  let capped = false;
  let times = coarse;
  try {
    let sliceStart = performance.now();
    const pause = async () => {
      if (performance.now() - sliceStart <= SLICE_MS) return;
      await new Promise((resolve) => setImmediate(resolve));
      sliceStart = performance.now();
    };
    if (evaluationIntervalMs < evalStepMs) {
      for (const t of coarse) {
        await pause();
        sampled.set(t, sampleAt(t));
      }
      const widened = (t: number) =>
        signals.sample({ ...rule, enabled: true, windowMs: rule.windowMs + evalStepMs }, t);
      const replay = replayedSteps(rule, coarse, sampled, widened, evaluationIntervalMs, start, now);
      capped = replay.capped;
      times = [...coarse, ...replay.times].sort((a, b) => a - b);
    }
    for (const [index, t] of times.entries()) {
      await pause();
      const samples = sampleAt(t);
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
    return {
      ok: false,
      error: (error as Error).message,
      stepMs,
      series: [],
      firings: [],
      capped: false,
      approximate: false,
    };
  }
  for (const o of open.values()) firings.push({ labels: o.labels, from: o.from, to: null });
  const lines = [...series.values()].map((line) => ({
    labels: line.labels,
    points:
      evalStepMs < stepMs || times !== coarse ? toChartSteps(line.points, start, stepMs, rule) : line.points,
  }));
  // Evaluated at the evaluator's interval throughout, it saw all the evaluator did.
  const approximate = evalStepMs > evaluationIntervalMs && !boundedBetweenSteps(rule);
  return { ok: true, error: null, stepMs, series: lines, firings, capped, approximate };
}

/**
 * The evaluator's own steps (every `intervalMs`) over each run of coarse steps that may have been active
 * since the step before (see preview-bounds.ts), from the step before it to the step after it plus
 * `keep_firing_for`: where the rule went pending, fired, cleared between two
 * bursts or resolved, the state machine then sees what the evaluator saw. Coarse steps alone would
 * merge two bursts in neighbouring steps and start a sustained episode up to two steps late. Runs newest
 * first, each whole or not at all, up to MAX_REPLAYED_STEPS in all; a run that does not fit is replayed
 * at the rule's `for`, and one that does not fit even so is left out (both said as capped).
 */
function replayedSteps(
  rule: Rule,
  coarse: readonly number[],
  sampled: ReadonlyMap<number, Sample[]>,
  widened: (t: number) => Sample[],
  intervalMs: number,
  start: number,
  now: number,
): { times: number[]; capped: boolean } {
  const active = coarse.map((t, i) =>
    mayBeActiveBetween(
      rule,
      sampled.get(coarse[i - 1] ?? Number.NaN) ?? [],
      sampled.get(t) ?? [],
      t - (coarse[i - 1] ?? t),
      () => widened(t),
    ),
  );
  const runs: { from: number; to: number }[] = [];
  for (let i = 0; i < coarse.length; i++) {
    if (!active[i] || active[i - 1]) continue;
    let j = i;
    while (active[j + 1]) j++;
    const after = coarse[j + 1] ?? now;
    runs.push({ from: coarse[i - 1] ?? start, to: Math.min(now, after + rule.keepFiringForMs) });
  }
  const times = new Set<number>();
  const onGrid = new Set(coarse);
  let capped = false;
  // Where a run does not fit at the evaluator's interval (a short interval, a long run), it is replayed
  // at the rule's `for` instead, the coarsest step that still sees it go pending and fire; said as capped.
  const coarser = Math.max(intervalMs, Math.ceil(rule.forMs / intervalMs) * intervalMs);
  const stepsOf = (run: { from: number; to: number }, step: number): number[] => {
    const wanted: number[] = [];
    for (let t = start + Math.floor((run.from - start) / step + 1) * step; t <= run.to; t += step)
      if (!onGrid.has(t) && !times.has(t)) wanted.push(t);
    return wanted;
  };
  for (const run of runs.reverse()) {
    let wanted = stepsOf(run, intervalMs);
    if (times.size + wanted.length > MAX_REPLAYED_STEPS && coarser > intervalMs) {
      capped = true;
      wanted = stepsOf(run, coarser);
    }
    if (times.size + wanted.length > MAX_REPLAYED_STEPS) {
      capped = true;
      continue;
    }
    for (const t of wanted) times.add(t);
  }
  return { times: [...times], capped };
}

/**
 * How often the preview evaluates: the chart's step, but at least once per window (whole minutes, not
 * below one), as the evaluator does at every interval. With windows shorter than the step, calls between
 * two steps fell in no window, and a rule that fired showed "would not have fired" and no data.
 */
export function evaluationStep(rule: Rule, chartStepMs: number, evaluationIntervalMs: number): number {
  const window = Math.max(60_000, Math.floor(rule.windowMs / 60_000) * 60_000);
  return Math.max(evaluationIntervalMs, Math.min(chartStepMs, window));
}

/**
 * Points evaluated more often than the chart draws, one per chart step: the value most likely to make the
 * rule active (the highest for `>` and `>=`, the lowest for `<` and `<=`), so a spike stays in view. The
 * last point (now, between steps) stays its own, as when evaluating at the chart's steps.
 */
function toChartSteps(
  points: [number, number | null][],
  start: number,
  stepMs: number,
  rule: Rule,
): [number, number | null][] {
  const out: [number, number | null][] = [];
  const pick = rule.op === "<" || rule.op === "<=" ? Math.min : Math.max;
  const now = points.at(-1);
  const onStep = now !== undefined && (now[0] - start) % stepMs === 0;
  for (const [t, v] of onStep ? points : points.slice(0, -1)) {
    const bucket = start + Math.floor((t - start) / stepMs) * stepMs;
    const last = out.at(-1);
    if (last && last[0] === bucket) {
      if (v !== null) last[1] = last[1] === null ? v : pick(last[1], v);
    } else out.push([bucket, v]);
  }
  if (now && !onStep) out.push(now);
  return out;
}

function groupOf(labels: Record<string, string>, rule: Rule): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of rule.by) if (labels[name] !== undefined) out[name] = labels[name];
  return out;
}
