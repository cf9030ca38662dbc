/** Flap damping, on a virtual clock: the pure state machine, and the prober's schedule around it. */
import { describe, expect, it, vi } from "vitest";
import type { HealthCheck } from "../../electron/monitor/health/health-store.js";
import type { ProbeResult } from "../../electron/monitor/health/probe.js";
import { Prober } from "../../electron/monitor/health/prober.js";
import { HealthStateMachine, type ProbeOutcome } from "../../electron/monitor/health/state-machine.js";
import { VirtualClock } from "../../electron/monitor/supervisor/clock.js";
import type { EventRecord } from "../../electron/monitor/supervisor/telemetry.js";
import { stdioTarget } from "../supervisor/helpers.js";

function feed(machine: HealthStateMachine, outcomes: ProbeOutcome[]) {
  return outcomes.map((o, i) => machine.observe(o, i * 30_000)?.to ?? null);
}

describe("the health state machine", () => {
  it("goes down only after three failures in a row", () => {
    const machine = new HealthStateMachine();
    expect(feed(machine, ["ok", "failed", "failed", "failed", "failed"])).toEqual([
      "up",
      null,
      null,
      "down",
      null,
    ]);
    expect(machine).toMatchObject({ status: "down", since: 90_000, failures: 4 });
  });

  it("damps flapping: alternating failures and answers never go down", () => {
    const machine = new HealthStateMachine();
    const outcomes: ProbeOutcome[] = ["ok", "failed", "failed", "ok", "failed", "failed", "ok", "failed"];
    expect(feed(machine, outcomes)).toEqual(["up", null, null, null, null, null, null, null]);
    expect(machine.status).toBe("up");
  });

  it("recovers from down after two answers in a row, and from degraded after one good probe", () => {
    const machine = new HealthStateMachine();
    expect(feed(machine, ["failed", "failed", "failed", "ok", "failed", "ok", "ok"])).toEqual([
      null,
      null,
      "down",
      null,
      null,
      null,
      "up",
    ]);
    expect(feed(machine, ["degraded", "degraded", "ok"])).toEqual(["degraded", null, "up"]);
    // Leaving down through slow answers lands in degraded.
    const slow = new HealthStateMachine({ downAfter: 1 });
    expect(feed(slow, ["failed", "degraded", "degraded"])).toEqual(["down", null, "degraded"]);
  });

  it("honours its policy", () => {
    const machine = new HealthStateMachine({ downAfter: 1, upAfterDown: 3, upAfterDegraded: 2 });
    expect(feed(machine, ["failed", "ok", "ok", "ok", "degraded", "ok", "ok"])).toEqual([
      "down",
      null,
      null,
      "up",
      "degraded",
      null,
      "up",
    ]);
  });
});

function result(outcome: ProbeOutcome): ProbeResult {
  return {
    outcome,
    managed: false,
    era: outcome === "failed" ? null : "session",
    protocolVersion: outcome === "failed" ? null : "2025-11-25",
    serverName: "fake",
    serverVersion: "1",
    handshakeMs: 5,
    pingMs: outcome === "degraded" ? 2500 : 1,
    listMs: 2,
    tools: outcome === "failed" ? null : [{ name: "a", inputSchema: { type: "object" } }],
    error: outcome === "failed" ? "connection refused; is the server running?" : null,
  };
}

describe("the prober on a virtual clock", () => {
  it("probes every interval, records each check, and emits one event per state change", async () => {
    const clock = new VirtualClock();
    const script: ProbeOutcome[] = ["ok", "failed", "failed", "failed", "failed", "ok", "ok", "degraded"];
    const probedAt: number[] = [];
    const checks: HealthCheck[] = [];
    const events: EventRecord[] = [];
    const snapshots: string[] = [];
    const prober = new Prober({
      clock,
      intervalMs: 30_000,
      env: async () => ({}),
      sink: { event: (e) => events.push(e), log: () => {} },
      store: {
        record: (c) => checks.push(c),
        snapshot: (_id, _name, s) => {
          snapshots.push(s.hash);
          return true;
        },
      },
      probe: async () => {
        probedAt.push(clock.now());
        return result(script[probedAt.length - 1] ?? "ok");
      },
    });
    const t0 = clock.now();
    prober.watch(stdioTarget("fake", "fake-server", []));
    clock.advance(0);
    await vi.waitFor(() => expect(checks).toHaveLength(1));
    for (let i = 1; i < script.length; i++) {
      clock.advance(29_999);
      await new Promise((r) => setTimeout(r, 5));
      expect(checks).toHaveLength(i);
      clock.advance(1);
      await vi.waitFor(() => expect(checks).toHaveLength(i + 1));
    }
    expect(probedAt.map((t) => (t - t0) / 1000)).toEqual([0, 30, 60, 90, 120, 150, 180, 210]);
    expect(checks.map((c) => [c.status, c.state])).toEqual([
      ["up", "up"],
      ["down", "up"],
      ["down", "up"],
      ["down", "down"],
      ["down", "down"],
      ["up", "down"],
      ["up", "up"],
      ["degraded", "degraded"],
    ]);
    expect(events.map((e) => [e.type, e.severity, (e.time - t0) / 1000])).toEqual([
      ["health.up", "info", 0],
      ["health.down", "high", 90],
      ["health.up", "info", 180],
      ["health.degraded", "medium", 210],
    ]);
    expect(events[1]?.message).toBe(
      "fake is down: 3 probes in a row failed (connection refused; is the server running?)",
    );
    expect(prober.health("manual:fake")).toMatchObject({ status: "degraded", consecutiveFailures: 0 });
    expect(snapshots).toHaveLength(4);
    prober.close();
    clock.advance(60_000);
    await new Promise((r) => setTimeout(r, 5));
    expect(checks).toHaveLength(8);
  });
});
