/** The `reports.schedules.*` and `reports.runs` API methods over a scheduler (the engine's, or the CLI's). */
import type { MethodInput, MethodOutput } from "../../../shared/api.js";
import { MonitoringError } from "../errors.js";
import type { ReportScheduler } from "./scheduler.js";

type ScheduleMethod =
  | "reports.schedules.list"
  | "reports.schedules.put"
  | "reports.schedules.delete"
  | "reports.runs";

export type ScheduleHandlers = {
  [M in ScheduleMethod]: (input: MethodInput<M>) => Promise<MethodOutput<M>>;
};

export function scheduleHandlers(scheduler: ReportScheduler): ScheduleHandlers {
  return {
    "reports.schedules.list": async () => scheduler.list(),
    "reports.schedules.put": async (input) => {
      try {
        const s = await scheduler.put(input);
        const next = scheduler.list().schedules.find((i) => i.schedule.name === s.name)?.nextRunAt;
        return {
          ok: true,
          message: `schedule ${s.name} saved${next ? `; next run ${next}` : " (disabled)"}`,
        };
      } catch (error) {
        if (error instanceof MonitoringError) return { ok: false, message: error.message };
        throw error;
      }
    },
    "reports.schedules.delete": async (input) =>
      (await scheduler.remove(input.name))
        ? { ok: true, message: `schedule ${input.name} removed` }
        : { ok: false, message: `no schedule named ${input.name}` },
    "reports.runs": async (input) => scheduler.runs(input),
  };
}
