/** Alert summaries: a count takes its noun in the singular or the plural, as the built-in crash rule shows. */
import { describe, expect, it } from "vitest";
import { BUILTIN_RULES } from "../../electron/monitor/alerts/builtin-rules.js";
import { renderSummary } from "../../electron/monitor/alerts/template.js";

const crashed = BUILTIN_RULES.find((r) => r.name === "server-crashed") as { summary: string };
const render = (summary: string, value: number) =>
  renderSummary(
    { summary, signal: "event_count", threshold: 0, outcome: undefined },
    { server: "garbage" },
    value,
  );

describe("summary templates", () => {
  it("say one crash and several crashes properly", () => {
    expect(render(crashed.summary, 1)).toBe("garbage crashed (1 time in 10 min)");
    expect(render(crashed.summary, 3)).toBe("garbage crashed (3 times in 10 min)");
  });

  it("keep the other formats", () => {
    expect(render("{{server}}: {{value|number}} events, {{value}}", 2)).toBe("garbage: 2 events, 2");
  });
});
