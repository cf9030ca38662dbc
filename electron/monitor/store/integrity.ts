/**
 * When the database's integrity is checked. `PRAGMA quick_check` reads every page (seconds per GiB;
 * bench/storage), so the engine runs it at open only when the previous engine did not close cleanly (no marker
 * left at close) or the last check found damage; otherwise it opens at once and checks in the background,
 * on a read worker with its own read-only handle, soon after start and then once a day. What a check
 * found is kept in the data dir for the Storage view; damage found in the background is reported and
 * makes the next start check at open, which moves the damaged file aside.
 */
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { type IntegrityCheck, IntegrityCheckSchema } from "../../../shared/storage.js";
import { LAST_CHECK } from "./clean-close.js";
import { writePrivateFileSync } from "./private-files.js";
import type { CheckResult } from "./recovery.js";

/** The first background check after start, and the interval after that. */
export const INTEGRITY_CHECK_DELAY_MS = 5 * 60_000;
export const INTEGRITY_CHECK_EVERY_MS = 24 * 3_600_000;

/** What the newest recorded check found, or null when none was recorded. */
export function readLastCheck(dataDir: string): IntegrityCheck | null {
  try {
    return IntegrityCheckSchema.parse(JSON.parse(readFileSync(join(dataDir, LAST_CHECK), "utf8")));
  } catch {
    // None yet, or not readable: the next check writes it afresh.
    return null;
  }
}

/** Forgets the recorded check (the file it was about was moved aside or replaced). */
export function clearLastCheck(dataDir: string): void {
  rmSync(join(dataDir, LAST_CHECK), { force: true });
}

export function writeLastCheck(dataDir: string, check: IntegrityCheck): void {
  try {
    writePrivateFileSync(join(dataDir, LAST_CHECK), JSON.stringify(check));
  } catch {
    // The Storage view then shows the previous check; the schedule goes on.
  }
}

/** A check's result as recorded: when it ran, where, and its first findings. */
export function recordedCheck(
  result: CheckResult,
  when: IntegrityCheck["when"],
  time: number,
): IntegrityCheck {
  return { time, when, ok: result.ok, problems: result.problems.slice(0, 5) };
}

export interface IntegritySchedulerOptions {
  dataDir: string;
  /** Runs `quick_check` off the engine's thread (the read pool). */
  check: () => Promise<CheckResult>;
  /** Whether `check` would run off the engine's thread now; when not, the check is skipped. */
  offThread: () => boolean;
  /** Told when a check finds damage (once per check). */
  damaged: (check: IntegrityCheck) => void;
  warn: (problem: string) => void;
  delayMs?: number;
  everyMs?: number;
  /** The clock that decides whether the recorded check is due again (tests move it on). */
  now?: () => number;
}

/** Background checks: the first after `delayMs` unless a recent one is recorded, then every `everyMs`. */
export class IntegrityScheduler {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private closed = false;
  /** Bumped when the file is replaced (a restore): a check started before answers about the old one. */
  private generation = 0;

  constructor(private readonly options: IntegritySchedulerOptions) {}

  start(): void {
    const every = this.options.everyMs ?? INTEGRITY_CHECK_EVERY_MS;
    const last = readLastCheck(this.options.dataDir);
    const now = this.now();
    const due = last ? Math.max(0, last.time + every - now) : 0;
    this.arm(Math.max(this.options.delayMs ?? INTEGRITY_CHECK_DELAY_MS, due));
  }

  /** One check now; a second request while one runs shares it. Never throws. */
  run(): Promise<void> {
    this.running ??= this.runOnce().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** The database file was replaced: what a check under way finds is about the old file, and is dropped. */
  replaced(): void {
    this.generation++;
  }

  /** Stops the schedule; a check under way is not waited for (closing the read pool ends it). */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private arm(ms: number): void {
    if (this.closed) return;
    this.timer = setTimeout(() => {
      void this.run().then(() => this.arm(this.options.everyMs ?? INTEGRITY_CHECK_EVERY_MS));
    }, ms);
    this.timer.unref();
  }

  private async runOnce(): Promise<void> {
    if (!this.options.offThread()) {
      // Reading every page on the engine's thread would hold its feeds and requests for seconds per GiB.
      this.options.warn(
        "the background database check was skipped: reads are answered on the engine's thread; after an unclean close the next start checks at open",
      );
      return;
    }
    const generation = this.generation;
    let result: CheckResult;
    try {
      result = await this.options.check();
    } catch (error) {
      if (!this.closed)
        this.options.warn(
          `the background database check failed: ${(error as Error).message}; retrying later`,
        );
      return;
    }
    if (this.closed || generation !== this.generation) return;
    const check = recordedCheck(result, "background", Date.now());
    writeLastCheck(this.options.dataDir, check);
    if (!check.ok) this.options.damaged(check);
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}
