/** The rule editor's preview: a rule's value per group over a past range, and when it would have fired. */
import { describe, expect, it } from "vitest";
import { previewRule } from "../../electron/monitor/alerts/preview.js";
import { parseRuleYaml } from "../../electron/monitor/alerts/rule-file.js";
import { SeriesSignalSource } from "../../electron/monitor/alerts/series-source.js";

const MINUTE = 60_000;

describe("rule preview", () => {
  it("draws each group's value at every step and the ranges it would have fired, `for` included", async () => {
    const now = Date.parse("2026-11-25T12:00:00Z");
    const start = now - 60 * MINUTE;
    // One value a minute for an hour: busy from minute 10 to 19 (10 minutes), and 30 to 31 (too short).
    const values = Array.from({ length: 61 }, (_, m) =>
      (m >= 10 && m < 20) || (m >= 30 && m < 32) ? 0.5 : 0,
    );
    const source = new SeriesSignalSource(
      [
        { signal: "error_rate", labels: { server: "a", tool: "t" }, values },
        { signal: "error_rate", labels: { server: "b", tool: "t" }, values: values.map(() => 0) },
      ],
      MINUTE,
      start,
    );
    const rule = parseRuleYaml("{ name: r, kind: metric, signal: error_rate, threshold: 20%, for: 3m }");
    const preview = await previewRule(rule, source, now, 60 * MINUTE, 15_000);
    expect(preview.ok).toBe(true);
    expect(preview.stepMs).toBe(MINUTE);
    expect(preview.series.map((s) => s.labels)).toEqual([
      { server: "a", tool: "t" },
      { server: "b", tool: "t" },
    ]);
    expect(preview.series[0]?.points[12]).toEqual([start + 12 * MINUTE, 0.5]);
    // Pending at 10, firing at 13 (for 3m), resolved at 20; the 2-minute burst never fires.
    expect(preview.firings).toEqual([
      { labels: { server: "a", tool: "t" }, from: start + 13 * MINUTE, to: start + 20 * MINUTE },
    ]);
  });
});
