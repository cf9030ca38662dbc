/**
 * A child that leads a process group of its own (POSIX), signalled as a whole: a server started through a
 * shell, `npx` or `uv run` is stopped with whatever it started, and no group-wide signal (a terminal's
 * Ctrl-C) reaches it behind the back of the process that launched it. Groups still running when this
 * process exits (whatever way, short of a signal it cannot catch) are killed with it.
 */
import type { ChildProcess } from "node:child_process";

/** Whether children get process groups of their own here (the `detached` spawn option to use). */
export const OWN_GROUPS = process.platform !== "win32";

export class ProcessGroup {
  /** The group had no member left at the last signal: its id may be another group's by now. */
  private gone = false;

  /**
   * `group`: whether `child` was spawned `detached` on POSIX (it leads a group); `exited`: whether the
   * child itself has exited (by default, from its exit code and signal).
   */
  constructor(
    private readonly child: ChildProcess,
    private readonly group: boolean,
    private readonly hasExited: () => boolean = () => child.exitCode !== null || child.signalCode !== null,
  ) {}

  /** Whether the child itself has exited (what it started may still run in its group). */
  get exited(): boolean {
    return this.hasExited();
  }

  /** `signal` to the whole group where there is one, else (or once it is empty) to the child alone. */
  kill(signal: NodeJS.Signals): void {
    if (this.group && !this.gone && this.child.pid !== undefined) {
      try {
        process.kill(-this.child.pid, signal);
        return;
      } catch {
        // Every member exited: only the child itself may be left to signal.
        this.gone = true;
      }
    }
    if (!this.exited) this.child.kill(signal);
  }
}

const live = new Set<ProcessGroup>();
let hooked = false;

/** Kills `group` with SIGKILL if it is still registered when this process exits. */
export function killAtExit(group: ProcessGroup): void {
  live.add(group);
  if (hooked) return;
  hooked = true;
  process.on("exit", killLiveGroups);
}

/** `group` no longer needs killing at exit (it ended, or its owner let it go). */
export function releaseAtExit(group: ProcessGroup): void {
  live.delete(group);
}

/** SIGKILL, at once, to every registered group. */
export function killLiveGroups(): void {
  for (const group of live) group.kill("SIGKILL");
}
