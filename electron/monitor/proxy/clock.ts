/**
 * Sub-millisecond timestamps that stay on the wall clock. `performance.now()` is precise but does not
 * advance while the machine sleeps; `Date.now()` does but has 1 ms resolution. This follows the
 * performance clock from a wall-clock anchor and re-anchors when the two drift apart by more than a
 * second (after a suspend, or a clock change), so latencies are precise and times stay comparable with
 * `Date.now()` in every thread.
 *
 * The first anchor is the process's own time origin, which every thread of the process shares: the
 * forwarding thread that stamps copies and the observer thread that judges how late they are then read
 * one clock, even when the wall clock stepped between their starts.
 */
let perfAnchor = Number.NaN;
let wallAnchor = Number.NaN;

export function preciseNow(): number {
  // Anchored at the first reading, not at import: the global `performance` loads perf_hooks, which a
  // wrapper's start need not wait for.
  if (Number.isNaN(wallAnchor)) {
    perfAnchor = 0;
    wallAnchor = performance.timeOrigin;
  }
  const t = wallAnchor + (performance.now() - perfAnchor);
  const wall = Date.now();
  if (!(Math.abs(t - wall) <= 1000)) {
    perfAnchor = performance.now();
    wallAnchor = wall;
    return wall;
  }
  return t;
}
