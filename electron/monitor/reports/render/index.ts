/** Renders a report in one format, as a file to save or download. */
import {
  REPORT_MIME_TYPES,
  type Report,
  type ReportExportInput,
  type ReportFile,
  reportFilename,
} from "../../../../shared/report.js";
import { renderCsv } from "./csv.js";
import { renderMarkdown } from "./markdown.js";

export async function renderReport(
  report: Report,
  options: Pick<ReportExportInput, "format" | "section" | "paper">,
): Promise<ReportFile> {
  const { format } = options;
  const file = (content: string, encoding: ReportFile["encoding"] = "utf8"): ReportFile => ({
    filename: reportFilename(report, format, options.section),
    mimeType: REPORT_MIME_TYPES[format],
    encoding,
    content,
  });
  switch (format) {
    case "json":
      return file(`${JSON.stringify(report, null, 2)}\n`);
    case "md":
      return file(renderMarkdown(report));
    case "csv":
      return file(renderCsv(report, options.section));
    // The chart library and pdfkit load on first use: every CLI command and the engine import this module.
    case "html": {
      const { renderHtml } = await import("./html.js");
      return file(renderHtml(report));
    }
    case "pdf": {
      const { renderPdf } = await import("./pdf.js");
      return file((await renderPdf(report, options.paper)).toString("base64"), "base64");
    }
  }
}
