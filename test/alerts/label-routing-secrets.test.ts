/**
 * A rule's labels route, silence and group as written, even when a channel stores the same value under an
 * ordinary header or env name: only a channel's real secrets are taken out of other text. A label that
 * does hold a real secret is refused in one line rather than rewritten.
 */
import { describe, expect, it } from "vitest";
import { parseAlertConfig } from "../../electron/monitor/alerts/rule-file.js";
import {
  alertStore,
  CapturingChannel,
  evaluate,
  harness,
  MINUTE,
  minuteSeries,
  VirtualClock,
} from "./alert-fixtures.js";

const FILE = `evaluation_interval: 1m
rules:
  - name: errors
    kind: metric
    signal: error_rate
    by: [server]
    threshold: 20%
    labels: { team: platform-oncall }
    summary: "page platform-oncall"
  - { name: tool-error-rate, enabled: false }
channels:
  - { name: script, type: command, command: /bin/true, env: { TEAM: platform-oncall, API_TOKEN: tok-1234567890 } }
  - { name: hook, type: webhook, url: "https://x.example.com/h", headers: { Content-Type: application/json } }
routes:
  - matchers: ["team=platform-oncall"]
    channels: [script]
    group_wait: 0s
`;

const store = alertStore(FILE);

describe("a rule label a channel also stores under an ordinary name", () => {
  it("keeps its value: the file's secrets are only the secret-named and masked ones", () => {
    const config = parseAlertConfig(FILE);
    expect(config.secretValues).toEqual(["tok-1234567890"]);
    const rule = config.rules.find((r) => r.name === "errors");
    expect(rule?.labels).toEqual({ team: "platform-oncall" });
    expect(rule?.summary).toBe("page platform-oncall");
  });

  it("is routed on and silenced by its value", async () => {
    const clock = new VirtualClock();
    const script = new CapturingChannel("script");
    const series = [{ signal: "error_rate", labels: { server: "memory" }, values: Array(10).fill(0.5) }];
    const h = harness(store.dir, store.db, clock, minuteSeries(series, clock.t), {
      script,
      hook: new CapturingChannel("hook"),
    });
    try {
      await evaluate(h, clock);
      expect(script.got).toHaveLength(1);
      expect(script.got[0]?.alerts[0]?.labels).toMatchObject({ team: "platform-oncall" });
      expect(h.desktop).toEqual([]);

      h.manager.silence({
        matchers: [{ name: "team", op: "=", value: "platform-oncall" }],
        duration: "1h",
        comment: "known",
      });
      clock.advance(MINUTE);
      await evaluate(h, clock);
      const firing = h.manager.list({ status: "firing" });
      expect(firing).toHaveLength(1);
      expect(firing[0]?.silencedBy).not.toBeNull();
      expect(h.manager.snapshot().firing).toBe(0);
    } finally {
      h.manager.close();
    }
  });

  it("is refused in one line when it holds a channel's real secret", () => {
    const file = FILE.replace("labels: { team: platform-oncall }", "labels: { team: tok-1234567890 }");
    expect(() => parseAlertConfig(file)).toThrow(
      /alerts\.yaml:\d+: rules\[0\]\.labels\.team: holds a channel's secret; .*$/,
    );
    expect(() => parseAlertConfig(file)).not.toThrow(/tok-1234567890/);
  });
});
