/**
 * Prometheus' alert states on a virtual clock, through the real AlertManager and SQLite: `for`,
 * `keep_firing_for`, flapping input, resolution, and a restart in the middle of pending and of firing
 * that neither loses the alert nor notifies it twice.
 */
import { describe, expect, it } from "vitest";
import type { SignalSource } from "../../electron/monitor/alerts/signals.js";
import {
  alertStore,
  CapturingChannel,
  evaluate,
  harness,
  MINUTE,
  minuteSeries,
  VirtualClock,
} from "./alert-fixtures.js";

const RULES = `
evaluation_interval: 1m
rules:
  - name: errors
    kind: metric
    signal: error_rate
    by: [server]
    threshold: 20%
    for: 3m
    keep_firing_for: 2m
    severity: critical
    summary: "{{server}} fails {{value}}"
  - { name: tool-error-rate, enabled: false }
channels:
  - { name: hook, type: webhook, url: "http://127.0.0.1:9/hook" }
routes:
  - channels: [hook]
    group_by: [alertname, server]
    group_wait: 0s
    group_interval: 1m
    repeat_interval: 1h
`;

const store = alertStore(RULES);

/** One value a minute from the clock's start. */
function source(clock: VirtualClock, values: string): SignalSource {
  const parsed = values.split(" ").map((v) => (v === "_" ? null : Number(v)));
  return minuteSeries([{ signal: "error_rate", labels: { server: "memory" }, values: parsed }], clock.t);
}

describe("alert states on a virtual clock", () => {
  it("goes pending, fires after `for`, keeps firing for `keep_firing_for`, then resolves", async () => {
    const clock = new VirtualClock();
    const hook = new CapturingChannel("hook");
    const h = harness(store.dir, store.db, clock, source(clock, "0 0.5 0.5 0.5 0.5 0 0 0 0"), { hook });
    const states: string[] = [];
    for (let minute = 0; minute < 9; minute++) {
      await evaluate(h, clock);
      states.push(
        h.manager.list({ status: undefined })[0]?.state ??
          h.manager.list({ status: "resolved" })[0]?.state ??
          "-",
      );
      clock.advance(MINUTE);
    }
    // 0: nothing; 1: pending; 4 (3 min later): firing; 5, 6: still firing (keep_firing_for 2m); 7: resolved.
    expect(states).toEqual([
      "-",
      "pending",
      "pending",
      "pending",
      "firing",
      "firing",
      "firing",
      "resolved",
      "resolved",
    ]);
    expect(hook.got.map((n) => n.status)).toEqual(["firing", "resolved"]);
    expect(hook.got[0]?.alerts[0]?.summary).toBe("memory fails 50%");
    // The value as the summary formats it (a percent for an error rate), for the UI and the CLI.
    expect(h.manager.list({ status: "resolved" })[0]?.valueText).toBe("50%");
    expect(h.manager.history({}).map((e) => e.valueText)).toEqual(["50%", "50%", "50%"]);
    const history = h.manager
      .history({})
      .map((e) => `${e.from}>${e.to}`)
      .reverse();
    expect(history).toEqual(["inactive>pending", "pending>firing", "firing>resolved"]);
    // Firing and resolution are also system events (the Events view, session timelines).
    expect(h.events.map((e) => e.type)).toEqual(["alert.firing", "alert.resolved"]);
    expect(h.desktop).toEqual([]); // the route sends to the hook only
  });

  it("a flapping input never fires: pending is dropped each time the condition clears", async () => {
    const clock = new VirtualClock();
    const hook = new CapturingChannel("hook");
    const h = harness(store.dir, store.db, clock, source(clock, "0.5 0.5 0 0.5 0.5 0 0.5 0.5 0.5 0"), {
      hook,
    });
    const firing: boolean[] = [];
    for (let minute = 0; minute < 10; minute++) {
      await evaluate(h, clock);
      firing.push(h.manager.list({ status: "firing" }).length > 0);
      clock.advance(MINUTE);
    }
    expect(firing.every((f) => !f)).toBe(true);
    expect(hook.got).toEqual([]);
    const toPending = h.manager.history({}).filter((e) => e.to === "pending");
    expect(toPending).toHaveLength(3);
  });

  it("a restart in the middle of pending keeps the pending timer", async () => {
    const clock = new VirtualClock();
    const values = "0 0.5 0.5 0.5 0.5 0.5";
    const hook = new CapturingChannel("hook");
    const first = harness(store.dir, store.db, clock, source(clock, values), { hook });
    const start = clock.t;
    await evaluate(first, clock); // 0: inactive
    clock.advance(MINUTE);
    await evaluate(first, clock); // 1: pending since minute 1
    clock.advance(MINUTE);
    await evaluate(first, clock); // 2: pending
    first.manager.close();

    // The app restarts; a new manager over the same database and file.
    const second = harness(
      store.dir,
      store.db,
      clock,
      minuteSeries(
        [{ signal: "error_rate", labels: { server: "memory" }, values: values.split(" ").map(Number) }],
        start,
      ),
      { hook },
    );
    expect(second.manager.list()[0]?.state).toBe("pending");
    clock.advance(MINUTE);
    await evaluate(second, clock); // 3: still pending (2 of 3 minutes)
    expect(second.manager.list()[0]?.state).toBe("pending");
    clock.advance(MINUTE);
    await evaluate(second, clock); // 4: 3 minutes since minute 1 → firing, not 3 minutes after the restart
    expect(second.manager.list()[0]?.state).toBe("firing");
    expect(Date.parse(second.manager.list()[0]?.activeAt ?? "")).toBe(start + MINUTE);
    expect(hook.got.map((n) => n.status)).toEqual(["firing"]);
  });

  it("a restart in the middle of firing neither loses the alert nor notifies it twice", async () => {
    const clock = new VirtualClock();
    const values = "0.5 0.5 0.5 0.5 0.5 0.5 0.5 0.5 0 0 0 0";
    const start = clock.t;
    const hook = new CapturingChannel("hook");
    const first = harness(store.dir, store.db, clock, source(clock, values), { hook });
    for (let minute = 0; minute < 5; minute++) {
      await evaluate(first, clock);
      clock.advance(MINUTE);
    }
    expect(first.manager.list()[0]?.state).toBe("firing");
    expect(hook.got.map((n) => n.status)).toEqual(["firing"]);
    first.manager.close();

    const again = new CapturingChannel("hook");
    const series = minuteSeries(
      [{ signal: "error_rate", labels: { server: "memory" }, values: values.split(" ").map(Number) }],
      start,
    );
    const second = harness(store.dir, store.db, clock, series, { hook: again });
    expect(second.manager.list()[0]?.state).toBe("firing");
    for (let minute = 5; minute < 12; minute++) {
      await evaluate(second, clock);
      clock.advance(MINUTE);
    }
    // No second "firing" after the restart; one "resolved" when it cleared (after keep_firing_for).
    expect(again.got.map((n) => n.status)).toEqual(["resolved"]);
    expect(second.manager.list({ status: "resolved" })).toHaveLength(1);
    const fired = second.manager.history({}).filter((e) => e.to === "firing");
    expect(fired).toHaveLength(1);
  });

  it("two engines on one data dir: one evaluates and notifies, the other follows its states", async () => {
    const clock = new VirtualClock();
    const values = "0.5 0.5 0.5 0.5 0.5";
    const hookA = new CapturingChannel("hook");
    const hookB = new CapturingChannel("hook");
    const a = harness(store.dir, store.db, clock, source(clock, values), { hook: hookA });
    const b = harness(store.dir, store.db, clock, source(clock, values), { hook: hookB });
    for (let minute = 0; minute < 5; minute++) {
      await evaluate(a, clock);
      await evaluate(b, clock);
      clock.advance(MINUTE);
    }
    expect(hookA.got.map((n) => n.status)).toEqual(["firing"]);
    expect(hookB.got).toEqual([]);
    expect(b.manager.list().map((i) => i.state)).toEqual(["firing"]);
    // The leader goes away: the other takes over without firing again.
    a.manager.close();
    await evaluate(b, clock);
    expect(hookB.got).toEqual([]);
    expect(b.manager.list()[0]?.state).toBe("firing");
  });
});
