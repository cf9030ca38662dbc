/**
 * When a schedule is due, in local time (the process's time zone): daily at `at`, weekly on `weekday` at
 * `at`, monthly on `dayOfMonth` at `at`. Built with the Date's local fields, so a daylight-saving change
 * moves the run with the wall clock rather than by an hour.
 */
import { type ReportSchedule, WEEKDAYS } from "../../../shared/report-schedules.js";

type Timing = Pick<ReportSchedule, "period" | "at" | "weekday" | "dayOfMonth">;

/** The occurrence in the period (day, week or month) that holds `time`. */
function occurrenceNear(s: Timing, time: number, shift: number): number {
  const [hours, minutes] = s.at.split(":").map(Number) as [number, number];
  const d = new Date(time);
  if (s.period === "day") d.setDate(d.getDate() + shift);
  else if (s.period === "week") {
    const target = WEEKDAYS.indexOf(s.weekday ?? "mon");
    d.setDate(d.getDate() - d.getDay() + target + 7 * shift);
  } else {
    d.setDate(1);
    d.setMonth(d.getMonth() + shift);
    d.setDate(s.dayOfMonth ?? 1);
  }
  d.setHours(hours, minutes, 0, 0);
  return d.getTime();
}

/** The newest time the schedule was due at or before `now`. */
export function lastDue(s: Timing, now: number): number {
  for (let shift = 0; ; shift--) {
    const at = occurrenceNear(s, now, shift);
    if (at <= now) return at;
  }
}

/** The first time the schedule is due after `now`. */
export function nextDue(s: Timing, now: number): number {
  for (let shift = 0; ; shift++) {
    const at = occurrenceNear(s, now, shift);
    if (at > now) return at;
  }
}

/**
 * What a run due at `dueAt` reports on: from the time the schedule was due before it to `dueAt`. Runs of
 * one schedule so tile time with no gap and no overlap: a monthly run covers a calendar month (31 days
 * after a 31-day month), a daily run across a daylight-saving change 23 or 25 hours.
 */
export function scheduledPeriod(s: Timing, dueAt: number): { since: number; until: number } {
  return { since: lastDue(s, dueAt - 1), until: dueAt };
}
