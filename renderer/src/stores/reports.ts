import { defineStore } from "pinia";
import { ref, shallowRef } from "vue";
import type { Report, ReportFormat, ReportSection } from "../../../shared/report.js";
import { type ReportPreset, reportQuery, type ScopeChoice } from "../report-query.js";
import { download, inDesktopApp } from "../save-file.js";
import { errorMessage, useApi } from "./connection.js";
import { useToastsStore } from "./toasts.js";

/**
 * The Reports view: a report over a period and a scope (`reports.generate`), and its export in a format —
 * in the desktop app the main process saves it (`reports.save`, the native Save dialog), in a browser it
 * is a download of `reports.export`.
 */
export const useReportsStore = defineStore("reports", () => {
  const { client } = useApi();
  const toasts = useToastsStore();
  const preset = ref<ReportPreset>("7d");
  const since = ref("");
  const until = ref("");
  const scope = ref<ScopeChoice>("");
  const report = shallowRef<Report | null>(null);
  const loading = ref(false);
  const exporting = ref(false);
  const error = ref<string | null>(null);

  const query = () => reportQuery(preset.value, since.value, until.value, scope.value);

  async function generate(): Promise<void> {
    loading.value = true;
    try {
      report.value = await client.call("reports.generate", query());
      error.value = null;
    } catch (e) {
      error.value = errorMessage(e);
    } finally {
      loading.value = false;
    }
  }

  async function exportAs(format: ReportFormat, section?: ReportSection): Promise<void> {
    exporting.value = true;
    // The period of the report on screen, so the file holds the figures shown.
    const shown = report.value;
    const input = {
      ...query(),
      ...(shown ? { since: shown.since, until: shown.until } : {}),
      format,
      section: format === "csv" ? section : undefined,
    };
    try {
      if (inDesktopApp()) {
        const result = await client.call("reports.save", input);
        if (result.ok) toasts.push("ok", "Report saved", result.path ?? result.message);
      } else {
        download(await client.call("reports.export", input));
      }
    } catch (e) {
      toasts.push("error", "Could not export the report", errorMessage(e));
    } finally {
      exporting.value = false;
    }
  }

  return { preset, since, until, scope, report, loading, exporting, error, generate, exportAs };
});
