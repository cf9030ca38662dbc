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
