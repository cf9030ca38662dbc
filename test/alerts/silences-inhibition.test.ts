/**
 * Silences and inhibition suppress what they match and nothing else; grouping makes a storm one
 * notification; acknowledging stops repeats. Through the real AlertManager, SQLite and a virtual clock.
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
  writeAlerts,
} from "./alert-fixtures.js";

const RULES = `
evaluation_interval: 1m
rules:
  - { name: down, kind: metric, signal: call_rate, by: [server], op: "<", threshold: 1, severity: critical }
  - { name: errors, kind: metric, signal: error_rate, by: [server, tool], threshold: 20%, severity: warning }
  - { name: tool-error-rate, enabled: false }
channels:
  - { name: hook, type: webhook, url: "http://127.0.0.1:9/hook" }
routes:
  - channels: [hook]
    group_by: [alertname]
    group_wait: 0s
    group_interval: 1m
    repeat_interval: 10m
`;

const store = alertStore(RULES);

const series = (clock: VirtualClock, rows: [string, Record<string, string>, number][]) =>
  minuteSeries(
    rows.map(([signal, labels, value]) => ({ signal, labels, values: Array(30).fill(value) })),
    clock.t,
  );

describe("silences, inhibition and grouping", () => {
  it("groups a storm of firing alerts into one notification per group", async () => {
    const clock = new VirtualClock();
    const hook = new CapturingChannel("hook");
    const tools = Array.from({ length: 12 }, (_, i) => `tool${i}`);
    const h = harness(
      store.dir,
      store.db,
      clock,
      series(
        clock,
        tools.map((tool) => ["error_rate", { server: "a", tool }, 0.5]),
      ),
      { hook },
    );
    await evaluate(h, clock);
    expect(h.manager.list({ status: "firing" })).toHaveLength(12);
    expect(hook.got).toHaveLength(1);
    expect(hook.got[0]?.alerts).toHaveLength(12);
    expect(hook.got[0]?.title).toBe("[FIRING:12] errors");
  });

  it("a silence mutes what it matches, and only that; expiring it brings notifications back", async () => {
    const clock = new VirtualClock();
    const hook = new CapturingChannel("hook");
    const h = harness(
      store.dir,
      store.db,
      clock,
      series(clock, [
        ["error_rate", { server: "a", tool: "read" }, 0.5],
        ["error_rate", { server: "b", tool: "read" }, 0.5],
      ]),
      { hook },
    );
    const silence = h.manager.silence({
      matchers: [
        { name: "alertname", op: "=", value: "errors" },
        { name: "server", op: "=", value: "a" },
      ],
      duration: "1h",
      comment: "known",
    });
    await evaluate(h, clock);
    const alerts = h.manager.list({ status: "firing" });
    expect(alerts.map((a) => [a.labels.server, a.silencedBy])).toEqual(
      expect.arrayContaining([
        ["a", [silence.id]],
        ["b", []],
      ]),
    );
    expect(hook.got).toHaveLength(1);
    expect(hook.got[0]?.alerts.map((a) => a.labels.server)).toEqual(["b"]);
    // The tray counts only what is not silenced.
    expect(h.manager.snapshot().firing).toBe(1);

    expect(h.manager.unsilence(silence.id).ok).toBe(true);
    clock.advance(MINUTE);
    await evaluate(h, clock);
    expect(hook.got).toHaveLength(2);
    expect(hook.got[1]?.alerts.map((a) => a.labels.server).sort()).toEqual(["a", "b"]);
  });

  it("a firing critical alert inhibits lower severities of the same server, not of others", async () => {
    const clock = new VirtualClock();
    const hook = new CapturingChannel("hook");
    const h = harness(
      store.dir,
      store.db,
      clock,
      series(clock, [
        ["call_rate", { server: "a", tool: "x" }, 0.5], // "down" (critical) for server a
        ["error_rate", { server: "a", tool: "read" }, 0.5], // warning, same server: inhibited
        ["error_rate", { server: "b", tool: "read" }, 0.5], // warning, other server: notified
      ]),
      { hook },
    );
    await evaluate(h, clock);
    const byKey = Object.fromEntries(
      h.manager.list().map((a) => [`${a.rule}/${a.labels.server}`, a.inhibited]),
    );
    expect(byKey).toEqual({ "down/a": false, "errors/a": true, "errors/b": false });
    const notified = hook.got.flatMap((n) => n.alerts.map((a) => `${a.rule}/${a.labels.server}`)).sort();
    expect(notified).toEqual(["down/a", "errors/b"]);
  });

  it("repeats a firing group every repeat_interval until it is acknowledged", async () => {
    const clock = new VirtualClock();
    const hook = new CapturingChannel("hook");
    const h = harness(
      store.dir,
      store.db,
      clock,
      series(clock, [["error_rate", { server: "a", tool: "read" }, 0.5]]),
      { hook },
    );
    await evaluate(h, clock);
    clock.advance(10 * MINUTE);
    await evaluate(h, clock);
    expect(hook.got.map((n) => n.status)).toEqual(["firing", "firing"]);
    const id = h.manager.list()[0]?.id ?? "";
    expect(h.manager.acknowledge(id).ok).toBe(true);
    clock.advance(10 * MINUTE);
    await evaluate(h, clock);
    expect(hook.got).toHaveLength(2);
  });

  it("pausing native notifications records desktop deliveries as handled, shows nothing, and resumes", async () => {
    writeAlerts(
      store.dir,
      "rules:\n  - { name: errors, kind: metric, signal: error_rate, by: [server], threshold: 20% }\ndefault_route: { group_wait: 0s }\n",
    );
    const clock = new VirtualClock(Date.now());
    const h = harness(
      store.dir,
      store.db,
      clock,
      series(clock, [["error_rate", { server: "a", tool: "read" }, 0.5]]),
    );
    h.manager.pause("1h");
    await evaluate(h, clock);
    expect(h.desktop).toEqual([]);
    const [delivery] = h.manager.deliveries({ channel: "desktop" });
    expect([delivery?.status, delivery?.attempts[0]?.error]).toEqual([
      "delivered",
      "not shown: notifications were paused",
    ]);
    expect(h.manager.snapshot().pausedUntil).not.toBeNull();

    h.manager.pause(null);
    expect(h.manager.snapshot().pausedUntil).toBeNull();
    const second = harness(
      store.dir,
      store.db,
      clock,
      series(clock, [["error_rate", { server: "b", tool: "read" }, 0.5]]),
    );
    h.manager.close();
    await evaluate(second, clock);
    expect(second.desktop.map((n) => n.status)).toEqual(["firing"]);
  });

  it("reordering routes or changing their timings does not notify a firing alert again", async () => {
    const clock = new VirtualClock();
    const hook = new CapturingChannel("hook");
    const h = harness(
      store.dir,
      store.db,
      clock,
      series(clock, [["error_rate", { server: "a", tool: "read" }, 0.5]]),
      { hook },
    );
    await evaluate(h, clock);
    expect(hook.got).toHaveLength(1);
    writeAlerts(
      store.dir,
      RULES.replace("routes:\n", "routes:\n  - { matchers: [alertname=other], channels: [hook] }\n").replace(
        "repeat_interval: 10m",
        "repeat_interval: 30m",
      ),
    );
    clock.advance(MINUTE);
    await evaluate(h, clock);
    expect(h.manager.channelsDocument().routes).toHaveLength(3);
    expect(hook.got).toHaveLength(1);
  });
});
