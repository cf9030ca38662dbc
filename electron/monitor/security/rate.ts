/**
 * A session's call rate against its trailing baseline: per-minute counts over the last hour. An anomaly
 * is a minute with more than MIN_PER_MINUTE calls and more than FACTOR times the trailing average
 * (minutes before the session count as zero). Reported at most once per QUIET_MS.
 */
export interface RateAnomaly {
  perMinute: number;
  baseline: number;
  factor: number | null;
}

export class RateWatch {
  static readonly WINDOW_MINUTES = 60;
  static readonly FACTOR = 10;
  static readonly MIN_PER_MINUTE = 60;
  static readonly QUIET_MS = 10 * 60_000;

  /** Call times within the last minute, and counts of the previous minutes by minute index. */
  private recent: number[] = [];
  private minutes = new Map<number, number>();
  private lastReport = Number.NEGATIVE_INFINITY;

  add(time: number): RateAnomaly | null {
    const minute = Math.floor(time / 60_000);
    this.minutes.set(minute, (this.minutes.get(minute) ?? 0) + 1);
    for (const key of this.minutes.keys()) {
      if (key < minute - RateWatch.WINDOW_MINUTES - 1) this.minutes.delete(key);
    }
    this.recent.push(time);
    while (this.recent.length && (this.recent[0] as number) <= time - 60_000) this.recent.shift();
    const perMinute = this.recent.length;
    if (perMinute <= RateWatch.MIN_PER_MINUTE || time - this.lastReport < RateWatch.QUIET_MS) return null;
    // Trailing average over the hour before the last minute.
    let before = 0;
    for (const [key, count] of this.minutes) {
      if (key < minute - 1 && key >= minute - 1 - RateWatch.WINDOW_MINUTES) before += count;
    }
    const baseline = before / RateWatch.WINDOW_MINUTES;
    if (perMinute <= RateWatch.FACTOR * baseline) return null;
    this.lastReport = time;
    return { perMinute, baseline, factor: baseline > 0 ? perMinute / baseline : null };
  }
}
