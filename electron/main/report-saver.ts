/**
 * Saving files from the desktop app: a report (the main process asks the engine for the rendered file,
 * reports.export) or a file the renderer made (a table's rows, files.save). The main process shows the
 * native Save dialog with the suggested name and writes the file; the renderer never touches the file
 * system. A save the renderer asked for is confirmed by the renderer's own toast (it gets the path back);
 * one started from the tray, where no page shows a toast, is confirmed by a box that offers Show in folder. Electron's parts are passed in, so this is tested without Electron.
 */
import { extname, join } from "node:path";
import type { ApiTransport } from "../../shared/api.js";
import { type FileContent, FileContentSchema, type SaveResult } from "../../shared/files.js";
import type { ReportExportInput } from "../../shared/report.js";
import type { AtomicFile } from "../monitor/instrument/atomic-file.js";
import { openSavedFile, saveOutputFile } from "../monitor/output-file.js";

/**
 * How the app writes a file the user chose: through the writer `mcpscope report --output` and scheduled
 * reports use, so it is whole or not at all (a full disk keeps the file that was there), owner-only, a
 * link's file replaced rather than the link, and never the data dir's own database.
 */
export function savedFileWriter(dataDir: string): (path: string, data: Buffer) => Promise<void> {
  return (path, data) => saveOutputFile(path, data, dataDir);
}

/** The same, for a file written in pieces (an export streamed from the engine). */
export function savedFileOpener(dataDir: string): (path: string) => Promise<AtomicFile> {
  return (path) => openSavedFile(path, dataDir);
}

const FILTER_NAMES: Record<string, string> = {
  html: "HTML",
  pdf: "PDF",
  md: "Markdown",
  csv: "CSV",
  json: "JSON",
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
  /** Opens the file to be written in pieces: nothing is at `path` until `commit`. */
  openFile(path: string): Promise<AtomicFile>;
  showItemInFolder(path: string): void;
  /** Where the dialog starts (the Downloads folder). */
  defaultDir: string;
}

export interface SaveOptions {
  /** The Save dialog's title (and the confirmation's). */
  title?: string;
  /** Whether a native box confirms the save (no window shows a toast for it). */
  confirm?: boolean;
}

/** What a save answers when the dialog was cancelled. */
export const NOT_SAVED: SaveResult = { ok: false, message: "not saved: cancelled", path: null };

/** The native Save dialog, suggesting `filename` in the Downloads folder: the path chosen, null if cancelled. */
export async function askWhere(
  parts: Pick<ReportSaverParts, "showSaveDialog" | "defaultDir">,
  title: string,
  filename: string,
): Promise<string | null> {
  const ext = extname(filename).slice(1).toLowerCase();
  const choice = await parts.showSaveDialog({
    title,
    defaultPath: join(parts.defaultDir, filename),
    filters: ext ? [{ name: FILTER_NAMES[ext] ?? ext.toUpperCase(), extensions: [ext] }] : [],
  });
  return choice.canceled || !choice.filePath ? null : choice.filePath;
}

export function createFileSaver(parts: Omit<ReportSaverParts, "engine">) {
  return async (
    input: FileContent,
    { title = "Export", confirm = false }: SaveOptions = {},
  ): Promise<SaveResult> => {
    const file = FileContentSchema.parse(input);
    const path = await askWhere(parts, title, file.filename);
    if (path === null) return NOT_SAVED;
    const bytes = Buffer.from(file.content, file.encoding);
    await parts.writeFile(path, bytes);
    if (confirm) confirmSaved(parts, title, path);
    return { ok: true, message: `saved ${path} (${bytes.length} bytes)`, path };
  };
}

function confirmSaved(
  parts: Pick<ReportSaverParts, "showMessageBox" | "showItemInFolder">,
  title: string,
  path: string,
): void {
  // Not awaited: the call answers once the file is written; the box stays until the user closes it.
  parts
    .showMessageBox({
      type: "info",
      message: `${title}: saved`,
      detail: path,
      buttons: ["Show in folder", "OK"],
    })
    .then(({ response }) => {
      if (response === 0) parts.showItemInFolder(path);
    })
    .catch(() => {});
}

export function createReportSaver(parts: ReportSaverParts) {
  const save = createFileSaver(parts);
  return async (input: ReportExportInput, { confirm = false }: Pick<SaveOptions, "confirm"> = {}) =>
    save(FileContentSchema.parse(await parts.engine.invoke("reports.export", input)), {
      title: "Export report",
      confirm,
    });
}
