/**
 * Hands a file to the user: in the desktop app the main process saves it (the native Save dialog,
 * `files.save`); in a browser it is a download. The renderer never touches the file system itself.
 */
import type { ApiClient } from "../../shared/api.js";
import type { FileContent, SaveResult } from "../../shared/files.js";

/** The bytes of a file as the API carries it (text, or base64 for binary formats). */
export function fileBytes(file: FileContent): Uint8Array<ArrayBuffer> {
  if (file.encoding === "utf8") return new TextEncoder().encode(file.content);
  const binary = atob(file.content);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** A download of the file, as any web page offers one (browser mode). */
export function download(file: FileContent): void {
  const url = URL.createObjectURL(new Blob([fileBytes(file)], { type: file.mimeType }));
  const a = document.createElement("a");
  a.href = url;
  a.download = file.filename;
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

/** `mcpscope-calls-2026-12-06_14-05.csv`: what, and when it was exported (local time). */
export function exportFilename(what: string, ext: string, now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  const stamp = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}_${pad(now.getHours())}-${pad(now.getMinutes())}`;
  return `mcpscope-${what}-${stamp}.${ext}`;
}
