/**
 * Hands a file to the user: in the desktop app the main process saves it (the native Save dialog,
 * `files.save`); in a browser it is a download. The renderer never touches the file system itself.
 */
import type { ApiClient } from "../../shared/api.js";
import type { FileContent, SaveResult } from "../../shared/files.js";
import { fileBytes } from "./file-content.js";

/** A download of the file, as any web page offers one (browser mode). */
export function download(file: FileContent): void {
  downloadBlob(file.filename, new Blob([fileBytes(file)], { type: file.mimeType }));
}

/** A download of a file made in pieces (no one string holds it). */
export function downloadBlob(filename: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** Whether the desktop app's main process is there to show a Save dialog. */
export const inDesktopApp = (): boolean => Boolean(window.mcpscope);

/** Saves (desktop) or downloads (browser) `file`; null when it was downloaded. */
export async function saveFile(client: ApiClient, file: FileContent): Promise<SaveResult | null> {
  if (inDesktopApp()) return client.call("files.save", file);
  download(file);
  return null;
}
