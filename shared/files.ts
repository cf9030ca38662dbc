/**
 * Files the app hands to the user: a report, or the rows a table shows. The content travels as text, or
 * base64 for binary formats; the desktop app's main process saves it where the user chooses.
 */
import { z } from "zod";

/**
 * The most text a file made in the window may hold when the desktop app saves it: it crosses IPC whole,
 * as one string. Past it, the view says so with a way out (the Calls export streams instead).
 */
export const SAVED_FILE_MAX_CHARS = 64 * 1024 * 1024;

/** Why a file of `chars` characters is not saved from a view, and what to do instead (`terminal`: a command). */
export function tooLargeToSave(chars: number, terminal?: string): string {
  const mib = (n: number) => Math.ceil(n / (1024 * 1024));
  const instead = terminal ? `, or write it from the terminal: ${terminal}` : "";
  return `the file would be ${mib(chars)} MiB, more than the ${mib(SAVED_FILE_MAX_CHARS)} MiB the app saves from a view; narrow the range or filters${instead}`;
}

export const FileContentSchema = z.object({
  /** A plain name (no folder): the Save dialog's suggestion, or the download's name. */
  filename: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[\w][\w .()-]*$/, "a plain file name: letters, digits, spaces, . _ - ( )"),
  mimeType: z.string().min(1).max(100),
  encoding: z.enum(["utf8", "base64"]),
  content: z
    .string()
    .max(SAVED_FILE_MAX_CHARS, { error: (issue) => tooLargeToSave(String(issue.input ?? "").length) }),
});
export type FileContent = z.infer<typeof FileContentSchema>;

/** What saving a file in the desktop app did: the path written, or why nothing was. */
export const SaveResultSchema = z.lazy(() =>
  z.object({
    ok: z.boolean(),
    message: z.string(),
    path: z.string().nullable(),
  }),
);
export type SaveResult = z.infer<typeof SaveResultSchema>;

/** What a spreadsheet reads as the start of a formula (OWASP's CSV injection list). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break; null is empty.
 * Text that would open as a formula gets a leading `'`, so that a tool name or a log line a server chose
 * stays text in Excel or LibreOffice; numbers and booleans are written as they are.
 */
export function csvField(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return "";
  const text = typeof value === "string" && FORMULA_START.test(value) ? `'${value}` : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A CSV table with a header row, CRLF line ends. */
export function toCsv(
  header: readonly string[],
  rows: readonly (readonly (string | number | boolean | null | undefined)[])[],
): string {
  return `${[header, ...rows].map((row) => row.map(csvField).join(",")).join("\r\n")}\r\n`;
}
