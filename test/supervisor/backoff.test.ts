/** Backoff and the crash-loop limit on a virtual clock, with an injected spawn whose children crash. */

import type { ChildProcess } from "node:child_process";
import { EventEmitter } from "node:events";
import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it, vi } from "vitest";
import { VirtualClock } from "../../electron/monitor/supervisor/clock.js";
import { RestartPolicy } from "../../electron/monitor/supervisor/restart-policy.js";
import type { RunEnd, RunStart } from "../../electron/monitor/supervisor/run-store.js";
import { Supervisor } from "../../electron/monitor/supervisor/supervisor.js";
import type { EventRecord } from "../../electron/monitor/supervisor/telemetry.js";
import { stdioTarget } from "./helpers.js";

/** A child process that starts, writes one stderr line and exits with code 1. */
class CrashingChild extends EventEmitter {
  stdin = new PassThrough();
  stdout = new PassThrough();
  stderr = new PassThrough();
  exitCode: number | null = null;
  signalCode: NodeJS.Signals | null = null;
  constructor(readonly pid: number) {
    super();
    setImmediate(() => {
      this.emit("spawn");
      setImmediate(() => {
        this.stderr.end("panic: no config\n");
        this.exitCode = 1;
        this.emit("exit", 1, null);
        this.stdout.end();
        setImmediate(() => this.emit("close", 1, null));
      });
    });
  }
  kill(): boolean {
    return true;
  }
}

describe("restart policy", () => {
  it("doubles the delay up to the maximum, and resets after a long enough run", () => {
    const policy = new RestartPolicy({ crashLimit: 100 });
    const delays = [0, 1, 2, 3, 4, 5, 6, 7, 8].map((i) => policy.crashed(i * 1000, 10));
    expect(delays.map((d) => (d.action === "restart" ? d.delayMs : null))).toEqual([
      1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000, 60_000,
    ]);
    // A run that stayed up for a minute starts the backoff over.
    expect(policy.crashed(100_000, 60_000)).toEqual({ action: "restart", delayMs: 1000, attempt: 1 });
  });

  it("gives up at the crash limit within the window, and only within it", () => {
    const spaced = new RestartPolicy({ crashLimit: 3, crashWindowMs: 10_000 });
    // Crashes 6 s apart never have three within 10 s.
    for (let i = 0; i < 10; i++) expect(spaced.crashed(i * 6000, 100).action).toBe("restart");
    const dense = new RestartPolicy({ crashLimit: 3, crashWindowMs: 10_000 });
    expect(dense.crashed(0, 100).action).toBe("restart");
    expect(dense.crashed(1000, 100).action).toBe("restart");
    expect(dense.crashed(2000, 100)).toEqual({ action: "give_up", crashes: 3, windowMs: 10_000 });
    dense.reset();
    expect(dense.crashed(3000, 100)).toMatchObject({ action: "restart", delayMs: 1000 });
  });
});

describe("a crashing server on a virtual clock", () => {
  let supervisor: Supervisor | undefined;
  afterEach(async () => supervisor?.stopAll());

  it("restarts after 1, 2, 4 and 8 s, then stops in a crash loop", async () => {
    const clock = new VirtualClock();
    const events: EventRecord[] = [];
    const runs: Array<RunStart & Partial<RunEnd>> = [];
    let spawned = 0;
    supervisor = new Supervisor({
      clock,
      env: async () => ({ PATH: "/usr/bin" }),
      spawn: () => new CrashingChild(1000 + ++spawned) as unknown as ChildProcess,
      sink: { event: (e) => events.push(e), log: () => {} },
      runs: {
        begin: (run) => runs.push({ ...run }) - 1,
        end: (id, end) => Object.assign(runs[id ?? -1] ?? {}, end),
      },
    });
    const target = stdioTarget("flaky", "flaky-server", []);
    const id = target.definition.id;
    const t0 = clock.now();

    const first = await supervisor.start(target);
    expect(first).toMatchObject({ state: "backoff", nextRestartAt: t0 + 1000 });
    expect(spawned).toBe(1);

    for (const delay of [1000, 2000, 4000, 8000]) {
      expect(clock.pending()).toEqual([delay]);
      const before = spawned;
      clock.advance(delay - 1);
      await new Promise((r) => setTimeout(r, 20));
      expect(spawned).toBe(before); // not a millisecond early
      clock.advance(1);
      await vi.waitFor(() => {
        expect(spawned).toBe(before + 1);
        expect(supervisor?.status(id)?.state).toMatch(/backoff|crash_loop/);
      });
    }

    expect(supervisor.status(id)).toMatchObject({ state: "crash_loop", restarts: 4, nextRestartAt: null });
    expect(clock.pending()).toEqual([]);
    expect(runs.map((r) => r.startedAt - t0)).toEqual([0, 1000, 3000, 7000, 15_000]);
    expect(runs.map((r) => [r.pid, r.exitCode, r.reason, r.restartCount])).toEqual([
      [1001, 1, "crash", 0],
      [1002, 1, "crash", 1],
      [1003, 1, "crash", 2],
      [1004, 1, "crash", 3],
      [1005, 1, "crash", 4],
    ]);
    const types = events.map((e) => e.type);
    expect(types.filter((t) => t === "process.restart")).toHaveLength(4);
    expect(types.at(-1)).toBe("process.crash_loop");
    expect(events.at(-1)).toMatchObject({ category: "system", severity: "high", server: "flaky" });
    clock.advance(3_600_000);
    expect(spawned).toBe(5);
  });
});
