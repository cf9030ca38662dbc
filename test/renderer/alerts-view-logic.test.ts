/**
 * The Alerts view's pure parts: how labels and values read, the silence an alert suggests, the rule
 * editor's reading of names and thresholds, the preview's series and shaded firings, and
 * the templates it offers — checked against the engine's own rule and channel validation.
 */

import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { ChannelConfigSchema } from "../../electron/monitor/alerts/channels/config.js";
import { parseRuleYaml } from "../../electron/monitor/alerts/rule-file.js";
import {
  channelEditYaml,
  channelTemplate,
  USER_CHANNEL_TYPES,
} from "../../renderer/src/alerts/channel-yaml.js";
import {
  formatSpan,
  formatValue,
  labelPairs,
  labelText,
  silenceMatchers,
  sortAlerts,
} from "../../renderer/src/alerts/labels.js";
import { MAX_PREVIEW_GROUPS, mergeBands, previewChart } from "../../renderer/src/alerts/preview-series.js";
import {
  parseThreshold,
  RULE_KINDS,
  ruleName,
  ruleTemplate,
  ruleThreshold,
  withEnabled,
} from "../../renderer/src/alerts/rule-yaml.js";
import type { AlertInstance, RulePreview } from "../../shared/alerts.js";

const alert = (over: Partial<AlertInstance>): AlertInstance => ({
  id: "a1",
  rule: "tool-error-rate",
  severity: "warning",
  state: "firing",
  labels: { alertname: "tool-error-rate", tool: "echo", server: "everything", severity: "warning" },
  summary: "echo on everything fails 50% of calls",
  value: 0.5,
  activeAt: "2026-11-25T10:00:00.000Z",
  firedAt: "2026-11-25T10:01:00.000Z",
  resolvedAt: null,
  silencedBy: [],
  inhibited: false,
  acknowledged: false,
  valueText: "–",
  ...over,
});

describe("labels and values", () => {
  it("lists the well-known labels first, the rest by name", () => {
    expect(labelPairs({ zone: "z", tool: "echo", alertname: "r", server: "s", a: "1" })).toEqual([
      ["alertname", "r"],
      ["server", "s"],
      ["tool", "echo"],
      ["a", "1"],
      ["zone", "z"],
    ]);
    expect(labelText({ tool: "echo", server: "s" })).toBe("server=s tool=echo");
  });

  it("silences an alert by its rule and every label, matched exactly, alertname once", () => {
    expect(silenceMatchers(alert({}))).toEqual([
      { name: "alertname", op: "=", value: "tool-error-rate" },
      { name: "server", op: "=", value: "everything" },
      { name: "tool", op: "=", value: "echo" },
      { name: "severity", op: "=", value: "warning" },
    ]);
  });

  it("sorts firing before pending, then critical first, then the oldest", () => {
    const sorted = sortAlerts([
      alert({ id: "pending-critical", state: "pending", severity: "critical" }),
      alert({ id: "firing-info", severity: "info" }),
      alert({ id: "firing-critical-new", severity: "critical", activeAt: "2026-11-25T11:00:00.000Z" }),
      alert({ id: "firing-critical-old", severity: "critical" }),
    ]);
    expect(sorted.map((a) => a.id)).toEqual([
      "firing-critical-old",
      "firing-critical-new",
      "firing-info",
      "pending-critical",
    ]);
  });

  it("formats values and spans as people read them", () => {
    expect(formatValue(null)).toBe("—");
    expect(formatValue(0)).toBe("0");
    expect(formatValue(0.4567)).toBe("0.46");
    expect(formatValue(12.345)).toBe("12.35");
    expect(formatValue(1234.5)).toBe((1235).toLocaleString());
    expect(formatSpan(0)).toBe("0s");
    expect(formatSpan(10_000)).toBe("10s");
    expect(formatSpan(4 * 3_600_000)).toBe("4h");
    expect(formatSpan(5_400_000)).toBe("1h30m");
  });
});

describe("the rule editor's reading of YAML", () => {
  it("reads the name and the threshold, units included, as the engine does", () => {
    expect(ruleName('name: "my-rule"  # quoted\nkind: metric\n')).toBe("my-rule");
    expect(ruleThreshold("threshold: 0.4\n")).toBe(0.4);
    expect(ruleThreshold("threshold: 20%   # a fifth\n")).toBeCloseTo(0.2);
    expect(ruleThreshold('threshold: "5s"\n')).toBe(5000);
    expect(ruleThreshold("threshold: 1GiB\n")).toBe(1024 ** 3);
    expect(ruleThreshold("threshold: abc\n")).toBeNull();
    expect(ruleThreshold("kind: health\n")).toBeNull();
    // An absence rule's line is its duration (its value is the time since the last call).
    expect(ruleThreshold("kind: absence\nduration: 30m\n")).toBe(1_800_000);
    // Nested keys are not the rule's own.
    expect(ruleThreshold("labels:\n  threshold: 3\n")).toBeNull();
    // A rule in flow style (JSON) reads too.
    expect(ruleThreshold('{"name":"x","kind":"metric","threshold":"20%"}')).toBeCloseTo(0.2);
    expect(parseThreshold("-1.5")).toBe(-1.5);
    expect(parseThreshold("2m30s")).toBe(150_000);
  });

  it("turns a rule on by replacing or adding `enabled:`", () => {
    expect(withEnabled("name: a\nenabled: false\nkind: health\n", true)).toBe(
      "name: a\nenabled: true\nkind: health\n",
    );
    expect(withEnabled("name: a\nkind: health\n", true)).toBe("name: a\nenabled: true\nkind: health\n");
    expect(withEnabled("name: a\nenabled: false   # until the fix ships\n", true)).toBe(
      "name: a\nenabled: true   # until the fix ships\n",
    );
  });

  it("offers a template per kind that the engine accepts as it is", () => {
    for (const kind of RULE_KINDS) {
      const yaml = ruleTemplate(kind);
      const rule = parseRuleYaml(yaml);
      expect(rule.kind).toBe(kind);
      expect(rule.name).toBe(ruleName(yaml));
    }
  });
});

describe("channel YAML", () => {
  it("offers a template per type that the engine accepts as it is", () => {
    for (const type of USER_CHANNEL_TYPES) {
      const parsed = ChannelConfigSchema.safeParse(parseYaml(channelTemplate(type)));
      expect(parsed.success, `${type}: ${JSON.stringify(parsed.error?.issues[0])}`).toBe(true);
    }
  });

  it("starts editing from the engine's masked copy of the channel", () => {
    const yaml = "name: ops\ntype: slack\nurl: ••••••\n";
    expect(
      channelEditYaml({
        name: "ops",
        type: "slack",
        target: "hooks.slack.com",
        builtin: false,
        yaml,
        lastTest: null,
      }),
    ).toBe(yaml);
  });
});

describe("the rule preview as a chart", () => {
  const preview = (over: Partial<RulePreview>): RulePreview => ({
    ok: true,
    error: null,
    stepMs: 300_000,
    series: [],
    firings: [],
    capped: false,
    approximate: false,
    ...over,
  });

  it("draws the groups with the highest values, and says how many are left out", () => {
    const series = Array.from({ length: MAX_PREVIEW_GROUPS + 3 }, (_, i) => ({
      labels: { server: `s${i}` },
      points: [[0, i] as [number, number | null], [1, null] as [number, number | null]],
    }));
    const chart = previewChart(preview({ series }));
    expect(chart.series).toHaveLength(MAX_PREVIEW_GROUPS);
    expect(chart.hidden).toBe(3);
    expect(chart.series[0]?.name).toBe(`server=s${MAX_PREVIEW_GROUPS + 2}`);
    expect(chart.series[0]?.points).toEqual([
      { t: 0, v: MAX_PREVIEW_GROUPS + 2 },
      { t: 1, v: null },
    ]);
  });

  it("shades firings merged where they overlap, open ones up to now, each at least a step wide and in range", () => {
    const chart = previewChart(
      preview({
        firings: [
          { labels: { server: "a" }, from: 1_000_000, to: 2_000_000 },
          { labels: { server: "b" }, from: 1_500_000, to: 2_500_000 },
          { labels: { server: "a" }, from: 5_000_000, to: 5_000_000 },
          { labels: { server: "a" }, from: 9_000_000, to: null },
        ],
      }),
      9_100_000,
    );
    expect(chart.bands).toEqual([
      { from: 1_000_000, to: 2_500_000 },
      { from: 5_000_000, to: 5_300_000 },
      { from: 8_800_000, to: 9_100_000 },
    ]);
    // Over a long range, a firing is at least a 150th of it wide.
    const wide = previewChart(
      preview({
        stepMs: 1000,
        series: [
          {
            labels: {},
            points: [
              [0, 1],
              [15_000_000, 1],
            ],
          },
        ],
        firings: [{ labels: {}, from: 1_000_000, to: 1_000_500 }],
      }),
    );
    expect(wide.bands).toEqual([{ from: 1_000_000, to: 1_100_000 }]);
    expect(
      mergeBands([
        { from: 0, to: 10 },
        { from: 10, to: 20 },
      ]),
    ).toEqual([{ from: 0, to: 20 }]);
  });
});
