/** Files as the API carries them, without the DOM: their bytes, and the names exports get. */
import type { FileContent } from "../../shared/files.js";

/** The bytes of a file as the API carries it (text, or base64 for binary formats). */
export function fileBytes(file: FileContent): Uint8Array<ArrayBuffer> {
  if (file.encoding === "utf8") return new TextEncoder().encode(file.content);
  const binary = atob(file.content);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** `mcpscope-calls-2026-12-06_14-05.csv`: what, and when it was exported (local time). */
export function exportFilename(what: string, ext: string, now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  const stamp = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}_${pad(now.getHours())}-${pad(now.getMinutes())}`;
  return `mcpscope-${what}-${stamp}.${ext}`;
}
