/**
 * Routes that overlap: every route whose matchers match takes an alert, yet each channel hears one alert
 * change once, from the first route (in file order) that sends it there. Through the real AlertManager,
 * SQLite and a virtual clock.
 */
import { describe, expect, it } from "vitest";
import {
  alertStore,
  CapturingChannel,
  evaluate,
  harness,
  MINUTE,
  minuteSeries,
  VirtualClock,
} from "./alert-fixtures.js";

const store = alertStore(`
evaluation_interval: 1m
rules:
  - { name: wrapped-exit, kind: metric, signal: error_rate, by: [server], threshold: 20%, severity: critical }
  - { name: disk-full, kind: metric, signal: memory, by: [server], threshold: 1, severity: critical }
  - { name: tool-error-rate, enabled: false }
channels:
  - { name: ops, type: webhook, url: "http://127.0.0.1:9/ops" }
  - { name: mail, type: webhook, url: "http://127.0.0.1:9/mail" }
  - { name: script, type: webhook, url: "http://127.0.0.1:9/script" }
routes:
  - matchers: ["alertname=~server-crashed|crash-loop|wrapped-exit"]
    channels: [ops, script]
    group_wait: 0s
    group_interval: 1m
    send_resolved: true
  - matchers: [severity=critical]
    channels: [ops, mail, script]
    group_wait: 0s
    group_interval: 1m
    send_resolved: true
`);

const said = (channel: CapturingChannel) =>
  channel.got.map((n) => `${n.status} ${n.alerts.map((a) => `${a.rule}:${a.status}`).join(",")}`);

describe("an alert that two routes take", () => {
  it("reaches each channel once per change, and an alert only the second route takes still reaches all of its", async () => {
    const clock = new VirtualClock();
    const ops = new CapturingChannel("ops");
    const mail = new CapturingChannel("mail");
    const script = new CapturingChannel("script");
    // wrapped-exit fires for three minutes, then resolves; disk-full fires throughout.
    const signals = minuteSeries(
      [
        { signal: "error_rate", labels: { server: "flaky" }, values: [1, 1, 1, 0, 0, 0] },
        { signal: "memory", labels: { server: "db" }, values: [2, 2, 2, 2, 2, 2] },
      ],
      clock.t,
    );
    const h = harness(store.dir, store.db, clock, signals, { ops, mail, script });
    for (let m = 0; m < 6; m++) {
      await evaluate(h, clock);
      clock.advance(MINUTE);
    }
    const onceEach = ["firing wrapped-exit:firing", "resolved wrapped-exit:resolved"];
    // ops and script hear wrapped-exit from the first route alone; mail from the second.
    expect(said(ops).filter((s) => s.includes("wrapped-exit"))).toEqual(onceEach);
    expect(said(script).filter((s) => s.includes("wrapped-exit"))).toEqual(onceEach);
    expect(said(mail).filter((s) => s.includes("wrapped-exit"))).toEqual(onceEach);
    // disk-full, which only the second route takes, reaches all three of its channels once.
    for (const channel of [ops, mail, script])
      expect(said(channel).filter((s) => s.includes("disk-full"))).toEqual(["firing disk-full:firing"]);
    h.manager.close();
  });
});
