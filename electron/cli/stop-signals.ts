/**
 * How a command that launched servers stops on a signal. The servers lead process groups of their own,
 * out of the terminal's reach, so the command stops them itself: the first SIGINT, SIGTERM or SIGHUP asks
 * it to stop (it closes them gracefully); a second one kills them at once and exits, as a second Ctrl-C
 * is meant to.
 */
import { constants } from "node:os";
import { killLiveChildren } from "../monitor/supervisor/child-transport.js";

export const STOP_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

export interface StopSignals {
  /** Resolves with the shell's exit code (128 + the signal's number) for the first signal. */
  code: Promise<number>;
  /** No longer listens (the command is done). */
  off(): void;
}

export function onStopSignals(): StopSignals {
  let first: number | null = null;
  let resolveCode: (code: number) => void = () => {};
  const code = new Promise<number>((resolve) => {
    resolveCode = resolve;
  });
  const handlers = STOP_SIGNALS.map((signal) => {
    const handler = () => {
      if (first === null) {
        first = 128 + constants.signals[signal];
        resolveCode(first);
        return;
      }
      killLiveChildren();
      process.exit(first);
    };
    process.on(signal, handler);
    return () => process.off(signal, handler);
  });
  return {
    code,
    off: () => {
      for (const off of handlers) off();
    },
  };
}

/**
 * Until the returned function is called, the first SIGINT, SIGTERM or SIGHUP runs `cleanup` (removing what
 * would be left behind, like a temp file) and exits at once as the signal would have (128 + its number):
 * synchronous, so no write still under way reports a failure first.
 */
export function cleanUpOnStopSignals(cleanup: () => void): () => void {
  const handlers = STOP_SIGNALS.map((signal) => {
    const handler = () => {
      try {
        cleanup();
      } finally {
        process.exit(128 + constants.signals[signal]);
      }
    };
    process.once(signal, handler);
    return () => process.off(signal, handler);
  });
  return () => {
    for (const off of handlers) off();
  };
}
