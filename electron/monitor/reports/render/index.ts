/** Renders a report in one format, as a file to save or download. */
import {
  REPORT_MIME_TYPES,
  type Report,
  type ReportExportInput,
  type ReportFile,
  reportFilename,
} from "../../../../shared/report.js";
import { renderCsv } from "./csv.js";
import { renderHtml } from "./html.js";
import { renderMarkdown } from "./markdown.js";
import { renderPdf } from "./pdf.js";

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
    case "html":
      return file(renderHtml(report));
    case "pdf":
      return file((await renderPdf(report, options.paper)).toString("base64"), "base64");
  }
}
