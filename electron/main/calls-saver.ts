/**
 * The Calls view's export in the desktop app (`calls.save`): the main process asks where to save it, then
 * reads every call the view's filters and range match from the engine a page at a time and writes them
 * into the file as they come, through the output writer (whole or not at all, owner-only). No export is
 * one string, so none meets the limit a file made in the renderer has (FileContentSchema's), however many
 * calls or how large.
 */
import { API_METHODS } from "../../shared/api.js";
import {
  type CallsSaveInput,
  CallsSaveInputSchema,
  callsExport,
  exportedCount,
} from "../../shared/calls-export.js";
import type { SaveResult } from "../../shared/files.js";
import { askWhere, NOT_SAVED, type ReportSaverParts } from "./report-saver.js";

/** Text gathered before one write to the file. */
const WRITE_BYTES = 1024 * 1024;

export function createCallsSaver(
  parts: Pick<ReportSaverParts, "engine" | "showSaveDialog" | "defaultDir" | "openFile">,
) {
  return async (input: CallsSaveInput): Promise<SaveResult> => {
    const { filename, format, query } = CallsSaveInputSchema.parse(input);
    const path = await askWhere(parts, "Export", filename);
    if (path === null) return NOT_SAVED;
    const file = await parts.openFile(path);
    let bytes = 0;
    const made = callsExport(format, query, {
      list: async (q) => API_METHODS["calls.list"].output.parse(await parts.engine.invoke("calls.list", q)),
      details: async (q) =>
        API_METHODS["calls.details"].output.parse(await parts.engine.invoke("calls.details", q)),
    });
    try {
      let pending = "";
      for await (const piece of made.pieces) {
        pending += piece;
        if (pending.length < WRITE_BYTES) continue;
        bytes += Buffer.byteLength(pending);
        await file.write(pending);
        pending = "";
      }
      bytes += Buffer.byteLength(pending);
      await file.write(pending);
    } catch (error) {
      await file.abort();
      throw error;
    }
    await file.commit();
    return { ok: true, message: `saved ${path}: ${exportedCount(made.count())} (${bytes} bytes)`, path };
  };
}
