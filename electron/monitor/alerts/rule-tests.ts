/**
 * `mcpscope rules test FILE`: unit tests for alert rules, as `promtool test rules` runs them. A test file
 * names the rule file(s), gives series (one value per interval, promtool notation) and says which alerts
 * must fire at which times, with which labels and summary. Evaluation runs the real state machine on a
 * virtual clock from 0, so `for` and `keep_firing_for` behave as in the app.
 */
import { readFileSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { LineCounter, parseDocument } from "yaml";
import { z } from "zod";
import { MonitoringError } from "../errors.js";
import { parseAlertConfig } from "./rule-file.js";
import { DurationSchema, type Rule } from "./rule-schema.js";
import { expandValues, type InputSeries, parseSeriesName, SeriesSignalSource } from "./series-source.js";
import { type InstanceState, step } from "./state-machine.js";

const TestFileSchema = z
  .object({
    rule_files: z.array(z.string()).optional(),
    evaluation_interval: DurationSchema.optional(),
    tests: z
      .array(
        z
          .object({
            name: z.string().optional(),
            interval: DurationSchema.optional(),
            input_series: z.array(
              z.object({ series: z.string(), values: z.union([z.string(), z.number()]) }).strict(),
            ),
            alert_rule_test: z.array(
              z
                .object({
                  eval_time: DurationSchema,
                  alertname: z.string(),
                  exp_alerts: z
                    .array(
                      z
                        .object({
                          exp_labels: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
                          exp_summary: z.string().optional(),
                        })
                        .strict(),
                    )
                    .optional(),
                })
                .strict(),
            ),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();

export interface RuleTestFailure {
  test: string;
  evalTime: string;
  alertname: string;
  message: string;
}

export interface RuleTestResult {
  tests: number;
  checks: number;
  failures: RuleTestFailure[];
}

function loadTestFile(path: string) {
  const text = readFileSync(path, "utf8");
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const name = basename(path);
  const first = doc.errors[0];
  if (first)
    throw MonitoringError.input(
      `${name}:${lines.linePos(first.pos[0]).line}: ${first.message.split("\n")[0]}`,
    );
  const parsed = TestFileSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const node = doc.getIn(issue?.path ?? [], true) as { range?: [number, number, number] } | undefined;
    const line = node?.range ? lines.linePos(node.range[0]).line : 1;
    throw MonitoringError.input(`${name}:${line}: ${(issue?.path ?? []).join(".")}: ${issue?.message}`);
  }
  return parsed.data;
}

const fmt = (ms: number) => (ms % 60_000 === 0 ? `${ms / 60_000}m` : `${ms / 1000}s`);

export function runRuleTests(path: string): RuleTestResult {
  const file = loadTestFile(path);
  const texts = (file.rule_files ?? []).map((f) => {
    const full = resolve(dirname(path), f);
    try {
      return { name: basename(full), text: readFileSync(full, "utf8") };
    } catch (error) {
      throw MonitoringError.input(`cannot read rule file ${f}: ${(error as Error).message}`);
    }
  });
  // Several rule files are merged in order (later rules of the same name win).
  const merged = texts.length ? texts.map((t) => parseAlertConfig(t.text, t.name)) : [parseAlertConfig("")];
  const rules = new Map<string, Rule>();
  for (const config of merged) for (const rule of config.rules) rules.set(rule.name, rule);
  const result: RuleTestResult = { tests: 0, checks: 0, failures: [] };

  for (const [index, test] of file.tests.entries()) {
    result.tests++;
    const label = test.name ?? `test ${index + 1}`;
    const interval = test.interval ?? file.evaluation_interval ?? 60_000;
    const series: InputSeries[] = test.input_series.map((s) => ({
      ...parseSeriesName(s.series),
      values: expandValues(String(s.values)),
    }));
    const source = new SeriesSignalSource(series, interval, 0);
    const checks = [...test.alert_rule_test].sort((a, b) => a.eval_time - b.eval_time);
    const end = checks.at(-1)?.eval_time ?? 0;
    const states = new Map<string, Map<string, InstanceState>>();
    let next = 0;
    for (let t = 0; t <= end; t += interval) {
      for (const rule of rules.values()) {
        if (!rule.enabled) continue;
        states.set(
          rule.name,
          step(rule, states.get(rule.name) ?? new Map(), source.sample(rule, t), t).instances,
        );
      }
      while (next < checks.length && (checks[next]?.eval_time ?? 0) < t + interval) {
        const check = checks[next++];
        if (!check) break;
        result.checks++;
        const fail = (message: string) =>
          result.failures.push({
            test: label,
            evalTime: fmt(check.eval_time),
            alertname: check.alertname,
            message,
          });
        if (!rules.has(check.alertname)) {
          fail(`no rule named ${check.alertname}`);
          continue;
        }
        const firing = [...(states.get(check.alertname)?.values() ?? [])].filter((i) => i.state === "firing");
        const got = firing.map((i) => ({ labels: withoutName(i.labels), summary: i.summary }));
        const want = (check.exp_alerts ?? []).map((e) => ({
          labels: Object.fromEntries(Object.entries(e.exp_labels ?? {}).map(([k, v]) => [k, String(v)])),
          summary: e.exp_summary,
        }));
        const unmatched = [...got];
        const missing: typeof want = [];
        for (const w of want) {
          const i = unmatched.findIndex(
            (g) => sameLabels(g.labels, w.labels) && (w.summary === undefined || g.summary === w.summary),
          );
          if (i === -1) missing.push(w);
          else unmatched.splice(i, 1);
        }
        if (missing.length || unmatched.length) {
          const show = (a: { labels: Record<string, string>; summary?: string }[]) =>
            a.length
              ? a.map((x) => `${JSON.stringify(x.labels)}${x.summary ? ` "${x.summary}"` : ""}`).join(", ")
              : "none";
          fail(`expected firing: ${show(want)}; got: ${show(got)}`);
        }
      }
    }
  }
  return result;
}

function withoutName(labels: Record<string, string>): Record<string, string> {
  const { alertname: _, ...rest } = labels;
  return rest;
}

function sameLabels(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && a[k] === b[k]);
}
