/**
 * Progress for work that is usually quick (`mcpscope report`): nothing for its first second, so a quick
 * run prints only its result; past it, each step as it starts.
 */

/** How long work runs before its steps are shown. */
export const QUIET_MS = 1000;

/**
 * A step reporter whose clock starts now: `show(step)` for each step begun after `QUIET_MS`. `now` is a
 * monotonic clock in ms (a test's own, virtual one).
 */
export function progressOnceSlow(
  show: (step: string) => void,
  now: () => number = () => performance.now(),
): (step: string) => void {
  const start = now();
  return (step) => {
    if (now() - start > QUIET_MS) show(step);
  };
}
