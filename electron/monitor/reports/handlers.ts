/**
 * The `reports.*` API methods over a database. The engine serves them; the CLI calls them in process
 * through the same typed client (api/in-process.ts).
 */
import type { MethodInput, MethodOutput } from "../../../shared/api.js";
import { ReportExportInputSchema } from "../../../shared/report.js";
import type { Db } from "../store/db.js";
import { type BuildOptions, buildReport } from "./build.js";
import { renderReport } from "./render/index.js";

export interface ReportHandlers {
  "reports.generate": (input: MethodInput<"reports.generate">) => Promise<MethodOutput<"reports.generate">>;
  "reports.export": (input: MethodInput<"reports.export">) => Promise<MethodOutput<"reports.export">>;
}

export function reportHandlers(db: Db, options: Omit<BuildOptions, "now"> = {}): ReportHandlers {
  return {
    "reports.generate": (input) => buildReport(db, input, options),
    "reports.export": async (input) => {
      const { format, section, paper, ...query } = ReportExportInputSchema.parse(input);
      return renderReport(await buildReport(db, query, options), { format, section, paper });
    },
  };
}
