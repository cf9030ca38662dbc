/**
 * Saving a report from the desktop app: the main process asks the engine for the rendered file
 * (reports.export), shows the native Save dialog with a suggested name, writes the file and offers
 * Show in folder. The renderer never touches the file system. Electron's parts are passed in, so this is
 * tested without Electron.
 */
import { join } from "node:path";
import type { ApiTransport } from "../../shared/api.js";
import {
  type ReportExportInput,
  type ReportFile,
  ReportFileSchema,
  type ReportFormat,
  type ReportSaveResult,
} from "../../shared/report.js";

const FILTERS: Record<ReportFormat, { name: string; extensions: string[] }> = {
  html: { name: "HTML", extensions: ["html"] },
  pdf: { name: "PDF", extensions: ["pdf"] },
  md: { name: "Markdown", extensions: ["md"] },
  csv: { name: "CSV", extensions: ["csv"] },
  json: { name: "JSON", extensions: ["json"] },
};

export interface ReportSaverParts {
  engine: Pick<ApiTransport, "invoke">;
  showSaveDialog(options: {
    title: string;
    defaultPath: string;
    filters: { name: string; extensions: string[] }[];
  }): Promise<{ canceled: boolean; filePath?: string }>;
  /** Resolves to the index of the button chosen. */
  showMessageBox(options: { type: "info"; message: string; detail: string; buttons: string[] }): Promise<{
    response: number;
  }>;
  writeFile(path: string, data: Buffer): Promise<void>;
  showItemInFolder(path: string): void;
  /** Where the dialog starts (the Downloads folder). */
  defaultDir: string;
}

export function createReportSaver(parts: ReportSaverParts) {
  return async (input: ReportExportInput): Promise<ReportSaveResult> => {
    const file: ReportFile = ReportFileSchema.parse(await parts.engine.invoke("reports.export", input));
    const choice = await parts.showSaveDialog({
      title: "Export report",
      defaultPath: join(parts.defaultDir, file.filename),
      filters: [FILTERS[input.format]],
    });
    if (choice.canceled || !choice.filePath)
      return { ok: false, message: "not saved: cancelled", path: null };
    const path = choice.filePath;
    const bytes = Buffer.from(file.content, file.encoding);
    await parts.writeFile(path, bytes);
    // Not awaited: the call answers once the file is written; the box stays until the user closes it.
    parts
      .showMessageBox({
        type: "info",
        message: "Report saved",
        detail: path,
        buttons: ["Show in folder", "OK"],
      })
      .then(({ response }) => {
        if (response === 0) parts.showItemInFolder(path);
      })
      .catch(() => {});
    return { ok: true, message: `saved ${path} (${bytes.length} bytes)`, path };
  };
}
