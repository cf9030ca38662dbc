/**
 * Runs scheduled reports. Each tick reads the schedules from settings.json and compares each one's newest
 * due time with the last it handled (report_schedule_state): newer means it runs, once, for that newest
 * time, so a schedule missed while the app was closed runs once at the next start, not once per missed
 * period. Claiming a due time is one conditional UPDATE, so two engines on one data dir never both run it.
 * A schedule seen for the first time starts from now: it does not run for a time before it existed.
 */
import type {
  ReportRun,
  ReportSchedule,
  ReportScheduleInput,
  ReportSchedules,
} from "../../../shared/report-schedules.js";
import type { Db, Row } from "../store/db.js";
import { iso } from "../time.js";
import { putSchedule, readSchedules, removeSchedule } from "./schedule-file.js";
import { checkServerScope, type RunContext, runSchedule } from "./schedule-run.js";
import { lastDue, nextDue } from "./schedule-time.js";

export interface ReportSchedulerOptions extends Omit<RunContext, "now"> {
  now?: () => number;
  warn(problem: string): void;
  /** Called after a tick enqueued channel deliveries, so the outbox tries them now. */
  enqueued?: () => void;
  /** How often schedules are looked at (default 30 s). */
  tickMs?: number;
  /** Who edits the schedules here, as the audit trail names them (default `app`; the CLI: the user). */
  actor?: string;
}

export class ReportScheduler {
  private readonly now: () => number;
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<number> | null = null;
  private lastProblem: string | null = null;

  constructor(private readonly options: ReportSchedulerOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Ticks now (a missed schedule runs at start) and then every tickMs. */
  start(): void {
    const run = () => {
      void this.tick()
        .catch((error: unknown) =>
          this.options.warn(
            `reports: a scheduled run failed: ${error instanceof Error ? error.message : String(error)}`,
          ),
        )
        .finally(() => {
          if (this.timer === null) return;
          this.timer = setTimeout(run, this.options.tickMs ?? 30_000);
          this.timer.unref?.();
        });
    };
    this.timer = setTimeout(run, 0);
    this.timer.unref?.();
  }

  /** Stops the timer and waits for a run in progress, so the database is not closed under it. */
  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.ticking?.catch(() => {});
  }

  /** Runs every schedule that is due and not yet handled; returns how many ran. One tick at a time. */
  tick(at = this.now()): Promise<number> {
    this.ticking ??= this.runDue(at).finally(() => {
      this.ticking = null;
    });
    return this.ticking;
  }

  private async runDue(at: number): Promise<number> {
    const { db } = this.options;
    const { schedules, problem } = readSchedules(this.options.dataDir);
    if (problem && problem !== this.lastProblem) this.options.warn(`reports: ${problem}`);
    this.lastProblem = problem;
    let ran = 0;
    let enqueued = false;
    for (const schedule of schedules) {
      if (!schedule.enabled) continue;
      const due = lastDue(schedule, at);
      const handled = db
        .prepare("SELECT last_due FROM report_schedule_state WHERE schedule = ?")
        .get(schedule.name);
      if (!handled) {
        db.prepare("INSERT OR IGNORE INTO report_schedule_state (schedule, last_due) VALUES (?, ?)").run(
          schedule.name,
          due,
        );
        continue;
      }
      if (due <= Number(handled.last_due)) continue;
      const claimed = db
        .prepare("UPDATE report_schedule_state SET last_due = ? WHERE schedule = ? AND last_due = ?")
        .run(due, schedule.name, handled.last_due ?? null);
      if (Number(claimed.changes) !== 1) continue;
      try {
        await runSchedule({ ...this.options, now: this.now }, schedule, due);
        ran++;
        enqueued ||= schedule.channels.length > 0;
      } catch (error) {
        this.options.warn(`reports: schedule ${schedule.name}: ${(error as Error).message}`);
      }
    }
    if (enqueued) this.options.enqueued?.();
    return ran;
  }

  list(): ReportSchedules {
    const { schedules, problem } = readSchedules(this.options.dataDir);
    const now = this.now();
    return {
      schedules: schedules.map((schedule) => ({
        schedule,
        nextRunAt: schedule.enabled ? iso(nextDue(schedule, now)) : null,
      })),
      problem,
    };
  }

  /**
   * Adds or replaces a schedule; refuses a server scope naming a server nothing knows (a typo would
   * deliver an all-zero report every period). Its handled time moves up to now, so a new schedule, or one given an
   * earlier time of day, does not run at once for a time already past.
   */
  async put(input: ReportScheduleInput): Promise<ReportSchedule> {
    // A disabled schedule runs nothing, so a scope that is unknown now is no false all-clear.
    if (input.enabled !== false) {
      const current = readSchedules(this.options.dataDir).schedules.find((s) => s.name === input.name);
      await checkServerScope(this.options, input.servers, current?.servers);
    }
    const schedule = await putSchedule(this.options.dataDir, input, this.options.actor);
    this.options.db
      .prepare(
        `INSERT INTO report_schedule_state (schedule, last_due) VALUES (?, ?)
         ON CONFLICT (schedule) DO UPDATE SET last_due = MAX(last_due, excluded.last_due)`,
      )
      .run(schedule.name, lastDue(schedule, this.now()));
    return schedule;
  }

  async remove(name: string): Promise<boolean> {
    const found = await removeSchedule(this.options.dataDir, name, this.options.actor);
    this.options.db.prepare("DELETE FROM report_schedule_state WHERE schedule = ?").run(name);
    return found;
  }

  runs(query: { schedule?: string; limit?: number }): ReportRun[] {
    return listRuns(this.options.db, query);
  }
}

/** Runs newest first, each channel destination with its outbox row's status now. */
export function listRuns(db: Db, query: { schedule?: string; limit?: number }): ReportRun[] {
  const rows = query.schedule
    ? db
        .prepare("SELECT * FROM report_runs WHERE schedule = ? ORDER BY id DESC LIMIT ?")
        .all(query.schedule, query.limit ?? 50)
    : db.prepare("SELECT * FROM report_runs ORDER BY id DESC LIMIT ?").all(query.limit ?? 50);
  const delivery = db.prepare("SELECT status, last_error, attempts FROM alert_deliveries WHERE id = ?");
  const settle = db.prepare("UPDATE report_runs SET destinations = ? WHERE id = ?");
  return rows.map((row) => {
    const run = toRun(row, (id) => delivery.get(id));
    // Once every copy is delivered or failed for good, the run keeps that, whatever the delivery log's
    // retention later removes.
    const stored = String(row.destinations);
    const now = JSON.stringify(run.destinations);
    if (now !== stored && run.destinations.every((d) => d.status !== "pending")) settle.run(now, run.id);
    return run;
  });
}

function toRun(row: Row, delivery: (id: number) => Row | undefined): ReportRun {
  let destinations: ReportRun["destinations"] = [];
  try {
    destinations = JSON.parse(String(row.destinations)) as ReportRun["destinations"];
  } catch {}
  destinations = destinations.map((d) => {
    if (d.deliveryId === null) return d;
    const found = delivery(d.deliveryId);
    if (!found)
      return d.status === "pending"
        ? { ...d, status: "failed", error: "its delivery is no longer in the delivery log" }
        : d;
    return {
      ...d,
      status: String(found.status) as ReportRun["destinations"][number]["status"],
      error: found.last_error === null || found.last_error === undefined ? null : String(found.last_error),
      attempts: Number(found.attempts),
    };
  });
  let formats: ReportRun["formats"] = [];
  try {
    formats = JSON.parse(String(row.formats)) as ReportRun["formats"];
  } catch {}
  const error = row.error === null || row.error === undefined ? null : String(row.error);
  const statuses = destinations.map((d) => d.status);
  const outcome: ReportRun["outcome"] = error
    ? "failed"
    : statuses.includes("pending")
      ? "pending"
      : statuses.every((s) => s === "delivered")
        ? "delivered"
        : statuses.every((s) => s === "failed")
          ? "failed"
          : "partial";
  return {
    id: Number(row.id),
    schedule: String(row.schedule),
    dueAt: iso(Number(row.due_at)),
    startedAt: iso(Number(row.started_at)),
    since: iso(Number(row.since)),
    until: iso(Number(row.until)),
    formats,
    outcome,
    error,
    destinations,
  };
}
