import { defineStore } from "pinia";
import { ref, shallowRef } from "vue";
import type { ReportRun, ReportScheduleInput, ReportSchedules } from "../../../shared/report-schedules.js";
import { errorMessage, useApi } from "./connection.js";
import { useToastsStore } from "./toasts.js";

/**
 * Scheduled reports in the Reports view: the schedules (`reports.schedules.*`), the alert channels they
 * can send through, and their recent runs (`reports.runs`).
 */
export const useReportSchedulesStore = defineStore("report-schedules", () => {
  const { client } = useApi();
  const toasts = useToastsStore();
  const doc = shallowRef<ReportSchedules | null>(null);
  const runs = shallowRef<ReportRun[]>([]);
  const channels = ref<string[]>([]);
  const error = ref<string | null>(null);
  const saving = ref(false);

  async function load(): Promise<void> {
    try {
      [doc.value, runs.value] = await Promise.all([
        client.call("reports.schedules.list", {}),
        client.call("reports.runs", { limit: 20 }),
      ]);
      error.value = null;
    } catch (e) {
      error.value = errorMessage(e);
    }
    // An engine without alerting has no channels: schedules then deliver to a folder only.
    channels.value = await client.call("alerts.channels", {}).then(
      (d) => d.channels.filter((c) => c.type !== "desktop").map((c) => c.name),
      () => [],
    );
  }

  /** True when saved; a refusal is shown as a toast with the engine's one line. */
  async function put(schedule: ReportScheduleInput): Promise<boolean> {
    saving.value = true;
    try {
      const result = await client.call("reports.schedules.put", schedule as never);
      toasts.push(
        result.ok ? "ok" : "error",
        result.ok ? "Schedule saved" : "Schedule not saved",
        result.message,
      );
      if (result.ok) await load();
      return result.ok;
    } catch (e) {
      toasts.push("error", "Schedule not saved", errorMessage(e));
      return false;
    } finally {
      saving.value = false;
    }
  }

  async function remove(name: string): Promise<void> {
    try {
      const result = await client.call("reports.schedules.delete", { name });
      if (!result.ok) toasts.push("error", "Schedule not removed", result.message);
      await load();
    } catch (e) {
      toasts.push("error", "Schedule not removed", errorMessage(e));
    }
  }

  return { doc, runs, channels, error, saving, load, put, remove };
});
