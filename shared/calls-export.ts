/**
 * The Calls view's export (CSV and JSON): every call its filters and range match, not the rows the list
 * happens to have loaded. The same code makes it in the desktop app's main process (`calls.save`, streamed
 * into the file the user picks) and in a browser (a download), so both hold the same calls. Two things
 * make it hold for any number of calls of any size:
 *
 * - The calls are read page after page (newest first, `beforeId`/`beforeTime`) in one window fixed when the
 *   export starts (`CallsExportQuery`: absolute times). A range relative to now ("the last hour") would
 *   otherwise be read again at every page, and calls aging out of it, or arriving, would shift the pages.
 * - The text is made piece by piece, a call at a time, and never held whole: one string through IPC would
 *   stop at the save limit.
 *
 * JSON is `{"calls": […]}`, each call as `calls.details` gives it (what `mcpscope calls --json` prints:
 * request, response, client, task); CSV has one column per summary field (`CALL_COLUMNS`), the task's id
 * and state included.
 */
import { z } from "zod";
import type { CallsQuery } from "./api.js";
import { type CallDetail, type CallSummary, OutcomeFilterSchema } from "./domain.js";
import { csvField, FileContentSchema } from "./files.js";

/** Calls asked for per page. */
export const EXPORT_PAGE = 200;

/** The view's filters and its range as absolute times, fixed when the export starts. */
export const CallsExportQuerySchema = z.lazy(() =>
  z
    .object({
      since: z.iso.datetime().optional(),
      until: z.iso.datetime(),
      server: z.string().optional(),
      tool: z.string().optional(),
      method: z.string().optional(),
      outcome: OutcomeFilterSchema.optional(),
    })
    .strict(),
);
export type CallsExportQuery = z.infer<typeof CallsExportQuerySchema>;

export const CALLS_EXPORT_FORMATS = ["csv", "json"] as const;
export type CallsExportFormat = (typeof CALLS_EXPORT_FORMATS)[number];

/** `calls.save`: the format, the calls to export, and the file name the dialog suggests. */
export const CallsSaveInputSchema = z.lazy(() =>
  z
    .object({
      filename: FileContentSchema.shape.filename,
      format: z.enum(CALLS_EXPORT_FORMATS),
      query: CallsExportQuerySchema,
    })
    .strict(),
);
export type CallsSaveInput = z.infer<typeof CallsSaveInputSchema>;

export const CALLS_EXPORT_MIME: Record<CallsExportFormat, string> = {
  csv: "text/csv; charset=utf-8",
  json: "application/json",
};

type Cell = string | number | boolean | null;

/** The CSV columns of the Calls export: each call's summary fields as the API returns them. */
export const CALL_COLUMNS: readonly { name: string; value: (call: CallSummary) => Cell }[] = [
  { name: "id", value: (c) => c.id },
  { name: "started_at", value: (c) => c.startedAt },
  { name: "server", value: (c) => c.server },
  { name: "direction", value: (c) => c.direction },
  { name: "method", value: (c) => c.method },
  { name: "target", value: (c) => c.target },
  { name: "outcome", value: (c) => c.outcome },
  { name: "duration_ms", value: (c) => c.durationMs },
  { name: "error_code", value: (c) => c.errorCode },
  { name: "error_message", value: (c) => c.errorMessage },
  { name: "bytes_in", value: (c) => c.bytesIn },
  { name: "bytes_out", value: (c) => c.bytesOut },
  { name: "session", value: (c) => c.sessionId },
  { name: "request_id", value: (c) => c.requestId },
  // Last, as its field comes last, so that the columns before keep their places: the id of the task a
  // task-augmented call created and its state (empty for other calls). The id is the server's text.
  { name: "task_id", value: (c) => c.task?.id ?? null },
  { name: "task_state", value: (c) => c.task?.state ?? null },
];

/** Reads one page: `calls.list` for CSV (summaries), `calls.details` for JSON. */
export interface CallsPages {
  list(query: CallsQuery): Promise<CallSummary[]>;
  details(query: CallsQuery): Promise<CallDetail[]>;
}

/** Every call of the window, newest first, a page at a time. */
export async function* exportedCalls<T extends CallSummary>(
  query: CallsExportQuery,
  page: (query: CallsQuery) => Promise<T[]>,
): AsyncGenerator<T> {
  const first: CallsQuery = { ...query, limit: EXPORT_PAGE };
  let last: T | undefined;
  for (;;) {
    const calls = await page(last ? { ...first, beforeId: last.id, beforeTime: last.startedAt } : first);
    yield* calls;
    if (calls.length < EXPORT_PAGE) return;
    last = calls.at(-1);
  }
}

/** `{"calls": […]}` in pieces, the same text as `JSON.stringify({ calls }, null, 2)` and a line end. */
export async function* callsJson(calls: AsyncIterable<unknown>): AsyncGenerator<string> {
  let first = true;
  for await (const call of calls) {
    // JSON text has no raw line break inside a string, so every line can be indented as a whole.
    yield `${first ? '{\n  "calls": [\n' : ",\n"}${JSON.stringify(call, null, 2).replace(/^/gm, "    ")}`;
    first = false;
  }
  yield first ? '{\n  "calls": []\n}\n' : "\n  ]\n}\n";
}

/** The CSV in pieces, a line a call, the same text as `toCsv` gives (RFC 4180, CRLF). */
export async function* callsCsv(calls: AsyncIterable<CallSummary>): AsyncGenerator<string> {
  yield `${CALL_COLUMNS.map((c) => csvField(c.name)).join(",")}\r\n`;
  for await (const call of calls) yield `${CALL_COLUMNS.map((c) => csvField(c.value(call))).join(",")}\r\n`;
}

/** An export's text in pieces, and how many calls it has held so far (all of them once the pieces end). */
export function callsExport(
  format: CallsExportFormat,
  query: CallsExportQuery,
  pages: CallsPages,
): { pieces: AsyncGenerator<string>; count: () => number } {
  let count = 0;
  async function* counted<T>(calls: AsyncIterable<T>): AsyncGenerator<T> {
    for await (const call of calls) {
      count++;
      yield call;
    }
  }
  const pieces =
    format === "csv"
      ? callsCsv(counted(exportedCalls(query, (q) => pages.list(q))))
      : callsJson(counted(exportedCalls(query, (q) => pages.details(q))));
  return { pieces, count: () => count };
}

/** What an export held, for the toast and the save's answer: `324 calls (every call that matches)`. */
export function exportedCount(count: number): string {
  return `${count.toLocaleString("en-US")} ${count === 1 ? "call" : "calls"}, every one the filters and range match`;
}
