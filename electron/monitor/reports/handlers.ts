/**
 * The `reports.*` API methods over a database (and `files.save` and `calls.save`, which like `reports.save` only the
 * desktop app serves). The engine serves them; the CLI calls them in process
 * through the same typed client (api/in-process.ts).
 */
import type { MethodInput, MethodOutput } from "../../../shared/api.js";
import { ReportExportInputSchema } from "../../../shared/report.js";
import { MonitoringError } from "../errors.js";
import type { Db } from "../store/db.js";
import { type BuildOptions, buildReport } from "./build.js";
import { renderReport } from "./render/index.js";

export interface ReportHandlers {
  "reports.generate": (input: MethodInput<"reports.generate">) => Promise<MethodOutput<"reports.generate">>;
  "reports.export": (input: MethodInput<"reports.export">) => Promise<MethodOutput<"reports.export">>;
  "reports.save": (input: MethodInput<"reports.save">) => Promise<MethodOutput<"reports.save">>;
  "files.save": (input: MethodInput<"files.save">) => Promise<MethodOutput<"files.save">>;
  "calls.save": (input: MethodInput<"calls.save">) => Promise<MethodOutput<"calls.save">>;
}

export function reportHandlers(db: Db, options: Omit<BuildOptions, "now"> = {}): ReportHandlers {
  return {
    "reports.generate": (input) => buildReport(db, input, options),
    "reports.export": async (input) => {
      const { format, section, paper, ...query } = ReportExportInputSchema.parse(input);
      return renderReport(await buildReport(db, query, options), { format, section, paper });
    },
    // The engine has no window to ask where to save: the desktop app's main process serves these.
    "reports.save": async () => {
      throw MonitoringError.input(
        "saving to a file is done by the desktop app; use reports.export and save its content",
      );
    },
    "files.save": async () => {
      throw MonitoringError.input(
        "saving to a file is done by the desktop app; a browser downloads the file instead",
      );
    },
    "calls.save": async () => {
      throw MonitoringError.input(
        "saving to a file is done by the desktop app; use calls.details, or `mcpscope calls --json`",
      );
    },
  };
}
