/**
 * The background integrity check's schedule, on a virtual clock: the first check waits for the start
 * delay and for the recorded check to be a day old, then one runs a day; what each found is recorded,
 * damage is reported once per check, and a check that fails to run is retried at the next turn.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { IntegrityScheduler, readLastCheck, writeLastCheck } from "../../electron/monitor/store/integrity.js";
import type { CheckResult } from "../../electron/monitor/store/recovery.js";
import type { IntegrityCheck } from "../../shared/storage.js";

const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const OK: CheckResult = { ok: true, problems: [], schemaVersion: 1 };
const BAD: CheckResult = { ok: false, problems: ["row 3 missing from index calls_time"], schemaVersion: 1 };

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "mcpscope-integrity-schedule-"));
  vi.useFakeTimers({ now: Date.UTC(2026, 11, 6, 9, 0), toFake: ["setTimeout", "clearTimeout", "Date"] });
});
afterEach(async () => {
  vi.useRealTimers();
  await rm(dataDir, { recursive: true, force: true });
});

function scheduler(results: Array<CheckResult | Error>, offThread = () => true) {
  const damaged: IntegrityCheck[] = [];
  const warnings: string[] = [];
  let runs = 0;
  const schedule = new IntegrityScheduler({
    dataDir,
    check: async () => {
      const next = results[Math.min(runs++, results.length - 1)] as CheckResult | Error;
      if (next instanceof Error) throw next;
      return next;
    },
    damaged: (check) => damaged.push(check),
    warn: (line) => warnings.push(line),
    offThread,
    delayMs: 5 * MIN,
    everyMs: DAY,
  });
  return { schedule, damaged, warnings, runs: () => runs };
}

describe("the integrity check's schedule", () => {
  it("waits for the start delay, then checks once a day, recording each result", async () => {
    const { schedule, runs } = scheduler([OK]);
    schedule.start();
    await vi.advanceTimersByTimeAsync(5 * MIN - 1);
    expect(runs()).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(runs()).toBe(1);
    expect(readLastCheck(dataDir)).toEqual({
      time: Date.now(),
      when: "background",
      ok: true,
      problems: [],
    });
    await vi.advanceTimersByTimeAsync(DAY - 1);
    expect(runs()).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(runs()).toBe(2);
    schedule.close();
    await vi.advanceTimersByTimeAsync(2 * DAY);
    expect(runs()).toBe(2);
  });

  it("waits until the recorded check is a day old", async () => {
    writeLastCheck(dataDir, { time: Date.now() - 6 * 60 * MIN, when: "start", ok: true, problems: [] });
    const { schedule, runs } = scheduler([OK]);
    schedule.start();
    await vi.advanceTimersByTimeAsync(18 * 60 * MIN - 1);
    expect(runs()).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(runs()).toBe(1);
    schedule.close();
  });

  it("reports damage once per check, and retries a check that could not run at the next turn", async () => {
    const { schedule, damaged, warnings, runs } = scheduler([new Error("the engine is closed"), BAD, OK]);
    schedule.start();
    await vi.advanceTimersByTimeAsync(5 * MIN);
    expect(runs()).toBe(1);
    expect(warnings).toEqual(["the background database check failed: the engine is closed; retrying later"]);
    expect(readLastCheck(dataDir)).toBeNull();
    await vi.advanceTimersByTimeAsync(DAY);
    expect(damaged).toEqual([
      { time: Date.now(), when: "background", ok: false, problems: ["row 3 missing from index calls_time"] },
    ]);
    expect(readLastCheck(dataDir)?.ok).toBe(false);
    await vi.advanceTimersByTimeAsync(DAY);
    expect(damaged).toHaveLength(1);
    expect(readLastCheck(dataDir)?.ok).toBe(true);
    schedule.close();
  });

  it("skips a check while reads are answered on the engine's thread, and checks once they are not", async () => {
    let threaded = false;
    const { schedule, warnings, runs } = scheduler([OK], () => threaded);
    schedule.start();
    await vi.advanceTimersByTimeAsync(5 * MIN);
    expect(runs()).toBe(0);
    expect(warnings).toEqual([
      expect.stringMatching(
        /^the background database check was skipped: reads are answered on the engine's thread/,
      ),
    ]);
    threaded = true;
    await vi.advanceTimersByTimeAsync(DAY);
    expect(runs()).toBe(1);
    expect(readLastCheck(dataDir)?.ok).toBe(true);
    schedule.close();
  });

  it("drops what a check under way finds when the file is replaced meanwhile", async () => {
    let answer: (result: CheckResult) => void = () => {};
    const damaged: IntegrityCheck[] = [];
    const schedule = new IntegrityScheduler({
      dataDir,
      check: () => new Promise<CheckResult>((resolve) => (answer = resolve)),
      damaged: (check) => damaged.push(check),
      warn: () => {},
      offThread: () => true,
      delayMs: 5 * MIN,
      everyMs: DAY,
    });
    schedule.start();
    await vi.advanceTimersByTimeAsync(5 * MIN);
    schedule.replaced();
    answer(BAD);
    await vi.advanceTimersByTimeAsync(0);
    // The damage was in the file the restore replaced: nothing recorded, nothing reported.
    expect(readLastCheck(dataDir)).toBeNull();
    expect(damaged).toEqual([]);
    await vi.advanceTimersByTimeAsync(DAY);
    answer(OK);
    await vi.advanceTimersByTimeAsync(0);
    expect(readLastCheck(dataDir)?.ok).toBe(true);
    schedule.close();
  });
});
