/**
 * How long a server the engine runs has to stop: after its stdin closes, and again after SIGTERM, before
 * SIGKILL (an orphan of a crashed engine: after SIGTERM). `MCPSCOPE_STOP_GRACE` in the environment of the
 * app or `mcpscope serve` sets it for their engine, for servers that need longer to save their state, or
 * less where a quick quit matters more.
 */
import { durationMs, timerDurationProblem } from "../../../shared/durations.js";

export const DEFAULT_STOP_GRACE_MS = 2_000;
export const STOP_GRACE_ENV = "MCPSCOPE_STOP_GRACE";

/**
 * The grace `env` sets, or the default. A value that is not a duration is not worth an engine that does
 * not start: `warn` gets one line saying so, and the default holds.
 */
export function stopGraceFromEnv(env: NodeJS.ProcessEnv, warn: (line: string) => void): number {
  return (
    stopGraceSetIn(env, (line) => warn(`${line}; servers get the default 2 s to stop`)) ??
    DEFAULT_STOP_GRACE_MS
  );
}

/**
 * The grace `env` sets, or undefined where it sets none, or one that is not a duration (then `warn` gets
 * one line saying why, to which the caller adds what holds instead).
 */
export function stopGraceSetIn(env: NodeJS.ProcessEnv, warn: (line: string) => void): number | undefined {
  const text = env[STOP_GRACE_ENV]?.trim();
  if (!text) return undefined;
  const problem = timerDurationProblem(text);
  const ms = problem === null ? durationMs(text) : null;
  if (ms !== null) return ms;
  warn(`mcpscope: ignoring ${STOP_GRACE_ENV}: ${problem}`);
  return undefined;
}
