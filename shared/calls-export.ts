/**
 * The Calls view's JSON export: the rows the view shows, each as `calls.details` gives it (what `mcpscope
 * calls --json` prints: request, response, client), as `{"calls": […]}`. Two things make it hold for any
 * number of calls of any size:
 *
 * - The details are looked up page after page in one window fixed before the first page: the span of the
 *   rows themselves, with the view's filters. A range relative to now ("the last hour") would otherwise be
 *   read again at every page, and the oldest rows, aged out of it meanwhile, would lose their details.
 * - The JSON is made piece by piece, a call at a time, and never held whole: the desktop app's main process
 *   streams it into the file (`calls.save`), where one string through IPC would stop at the save limit.
 */
import { z } from "zod";
import type { CallsQuery } from "./api.js";
import { type CallDetail, type CallSummary, CallSummarySchema, OutcomeSchema } from "./domain.js";
import { FileContentSchema } from "./files.js";

/** Calls asked for per page of `calls.details`. */
export const EXPORT_PAGE = 200;
/** The most rows one export names (the view keeps fewer). */
export const EXPORT_MAX_ROWS = 10_000;

/** The view's filters (its range is replaced by the rows' span). */
export const CallsExportFiltersSchema = z
  .object({
    server: z.string().optional(),
    tool: z.string().optional(),
    method: z.string().optional(),
    outcome: OutcomeSchema.optional(),
  })
  .strict();
export type CallsExportFilters = z.infer<typeof CallsExportFiltersSchema>;

/** `calls.save`: the rows shown, newest first, the view's filters, and the file name the dialog suggests. */
export const CallsSaveInputSchema = z
  .object({
    filename: FileContentSchema.shape.filename,
    filters: CallsExportFiltersSchema,
    rows: z.array(CallSummarySchema).min(1).max(EXPORT_MAX_ROWS),
  })
  .strict();
export type CallsSaveInput = z.infer<typeof CallsSaveInputSchema>;

/** What a call deleted since it was listed has in place of its details. */
const GONE = {
  request: null,
  response: null,
  protocolVersion: null,
  clientName: null,
  clientVersion: null,
  client: null,
  httpStatus: null,
} as const;

/**
 * The query every page asks with: the filters over the rows' own span. Its end is a millisecond past the
 * newest row's, since a start time is stored finer than the millisecond its ISO text shows.
 */
export function exportWindow(filters: CallsExportFilters, rows: readonly CallSummary[]): CallsQuery {
  const times = rows.map((r) => Date.parse(r.startedAt));
  const iso = (t: number) => new Date(t).toISOString();
  return {
    ...filters,
    since: iso(Math.min(...times)),
    until: iso(Math.max(...times) + 1),
    limit: EXPORT_PAGE,
  };
}

/**
 * The rows in their order, each with its details, read a page at a time as far as the rows need; a call
 * deleted since keeps its summary, with nothing for what is gone.
 */
export async function* exportedCalls(
  rows: readonly CallSummary[],
  filters: CallsExportFilters,
  page: (query: CallsQuery) => Promise<CallDetail[]>,
): AsyncGenerator<CallDetail> {
  const window = exportWindow(filters, rows);
  const wanted = new Set(rows.map((r) => r.id));
  const found = new Map<number, CallDetail>();
  let last: CallDetail | undefined;
  let done = false;
  for (const row of rows) {
    // Past the row's time with no sign of it: deleted since. (Within one millisecond the order by id
    // may differ from the stored order, so only an older time tells.)
    while (!found.has(row.id) && !done && !(last && last.startedAt < row.startedAt)) {
      const calls = await page(last ? { ...window, beforeId: last.id, beforeTime: last.startedAt } : window);
      for (const call of calls) if (wanted.has(call.id)) found.set(call.id, call);
      last = calls.at(-1) ?? last;
      done = calls.length < EXPORT_PAGE;
    }
    const detail = found.get(row.id);
    found.delete(row.id);
    yield detail ?? { ...row, ...GONE };
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
