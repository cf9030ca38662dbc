/**
 * `<dataDir>/instrumented.json`: for each entry mcpscope wrapped, the entry's exact text before and after,
 * so that `uninstrument` can put the original back byte for byte. Mode 0600: entries hold env secrets.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { ScopeSchema } from "../../../shared/discovery.js";
import { MonitoringError } from "../errors.js";
import { ensurePrivateDir } from "../store/private-files.js";
import { writeFileAtomic } from "./atomic-file.js";
import { acquireLock } from "./lock-file.js";

export const InstrumentRecordSchema = z.object({
  client: z.string(),
  server: z.string(),
  file: z.string(),
  /** The entry's scope as discovery read it (absent in records written before it was kept). */
  scope: ScopeSchema.optional(),
  format: z.enum(["jsonc", "toml", "yaml"]),
  /** Keys (and list indexes) from the document root to the entry. */
  path: z.array(z.union([z.string(), z.number()])),
  /** The entry's value exactly as it was written before instrumenting. */
  original: z.string(),
  /** The entry's value exactly as mcpscope wrote it. */
  wrapped: z.string(),
  /**
   * The wrapped entry's parsed value, to recognise it after a client re-formatted its file without
   * changing any value (Claude Code rewrites ~/.claude.json on every start).
   */
  wrappedValue: z.unknown().optional(),
  instrumentedAt: z.string(),
});
export type InstrumentRecord = z.infer<typeof InstrumentRecordSchema>;

const RecordsFileSchema = z.object({ version: z.literal(1), entries: z.array(InstrumentRecordSchema) });

export function recordsPath(dataDir: string): string {
  return join(dataDir, "instrumented.json");
}

export function sameEntry(
  a: { file: string; path: Array<string | number> },
  b: { file: string; path: Array<string | number> },
): boolean {
  return a.file === b.file && JSON.stringify(a.path) === JSON.stringify(b.path);
}

export async function readRecords(dataDir: string): Promise<InstrumentRecord[]> {
  const path = recordsPath(dataDir);
  const text = await readFile(path, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return null;
    throw error;
  });
  if (text === null) return [];
  let parsed: ReturnType<typeof RecordsFileSchema.safeParse>;
  try {
    parsed = RecordsFileSchema.safeParse(JSON.parse(text));
  } catch {
    parsed = RecordsFileSchema.safeParse(null);
  }
  if (!parsed.success) {
    throw MonitoringError.storage(
      `${path} is damaged; it holds the original entries \`uninstrument\` restores — repair it or restore a config from ${join(dataDir, "backups")}`,
    );
  }
  return parsed.data.entries;
}

/**
 * Whether `record` is the only entry of its file mcpscope has changed: the file read before this change
 * is then the config as it was before mcpscope touched it (backups.ts keeps that copy).
 */
export function onlyEntryOfFile(records: InstrumentRecord[], record: InstrumentRecord): boolean {
  return !records.some((r) => r.file === record.file && !sameEntry(r, record));
}

/** Changes the records under their lock. */
export async function updateRecords(
  dataDir: string,
  change: (records: InstrumentRecord[]) => InstrumentRecord[],
): Promise<void> {
  ensurePrivateDir(dataDir);
  const path = recordsPath(dataDir);
  const release = await acquireLock(path);
  try {
    const entries = change(await readRecords(dataDir));
    const text = `${JSON.stringify({ version: 1, entries }, null, 2)}\n`;
    await writeFileAtomic(path, Buffer.from(text), { mode: 0o600 });
  } finally {
    await release();
  }
}
