/**
 * The Calls view's latency chart draws on a log axis: one slow call on a linear axis squashes every other
 * call onto zero. A log axis cannot show zero, so durations below the floor sit on it (the tooltip still
 * gives the real duration).
 */

/** The lowest duration the axis shows, in ms. */
export const LATENCY_FLOOR_MS = 0.1;

/** Where a call's duration sits on the axis. */
export function onLogAxis(durationMs: number): number {
  return Number.isFinite(durationMs) && durationMs > LATENCY_FLOOR_MS ? durationMs : LATENCY_FLOOR_MS;
}

/** The axis' bounds: whole decades around the durations in view (1 ms to 1 s when there are none). */
export function logAxisBounds(durations: readonly number[]): { min: number; max: number } {
  if (durations.length === 0) return { min: 1, max: 1000 };
  let low = Number.POSITIVE_INFINITY;
  let high = 0;
  for (const d of durations) {
    const v = onLogAxis(d);
    if (v < low) low = v;
    if (v > high) high = v;
  }
  const min = 10 ** Math.floor(Math.log10(low));
  const max = 10 ** Math.ceil(Math.log10(high));
  return { min, max: max > min ? max : min * 10 };
}
