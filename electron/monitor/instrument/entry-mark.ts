/**
 * Giving an entry an earlier mcpscope instrumented its entry marker. Such a wrapper names only its client
 * (`run … --client C -- …`), so its calls are shared with the client's other entries of that name;
 * `instrument` on it adds `--entry ID` after `--client` and nothing else. The record keeps the original
 * text and takes the new wrapped text, so `uninstrument` still puts the original back byte for byte.
 * Only an entry that is exactly as mcpscope wrapped it is marked: one changed since (by the user or the
 * client) is left alone, as `uninstrument` would refuse to restore over it without --force. So is one whose
 * launcher is not this mcpscope's (an older app version's copy of the CLI, a pinned `npx` version): that
 * mcpscope may not know `--entry`, and the client could no longer start the server.
 */
import type { DiscoveredServer, EntryLocation } from "../discovery/types.js";
import { MonitoringError } from "../errors.js";
import { recordConfigChange } from "./change-record.js";
import type { ConfigTransaction } from "./config-transaction.js";
import { EDITORS, editEntry } from "./entry-edit.js";
import { type EntryFields, type EntryShape, getAt } from "./entry-shape.js";
import type { Launcher } from "./launcher.js";
import { locateRecord, plain } from "./locate-record.js";
import { ENTRY_FLAG, MARKER_FLAG } from "./marker.js";
import { type InstrumentRecord, readRecords, sameEntry, updateRecords } from "./records.js";
import { cliFlag } from "./wrap.js";

export interface MarkedEntry {
  after: EntryFields;
  backup: string;
  /** The backup could not be listed in the manifest: where it is, in one line. */
  warning: string | null;
}

/**
 * Adds the entry marker to an entry wrapped by an earlier `mcpscope instrument`; null when this data dir
 * holds no record of it, or the entry changed since it was wrapped (then it is left as it is).
 */
export async function markEntry(
  tx: ConfigTransaction,
  server: DiscoveredServer,
  location: EntryLocation,
  before: EntryFields,
  shape: EntryShape,
  dataDir: string,
  launcher: Launcher,
): Promise<MarkedEntry | null> {
  const { definition } = server;
  if (!launchedBy(before, launcher)) return null;
  const record = (await readRecords(dataDir)).find((r) => sameEntry(r, location));
  if (!record) return null;
  const found = locateRecord(tx.text, record);
  if (!found || JSON.stringify(found.path) !== JSON.stringify(location.path)) return null;
  if (found.current !== record.wrapped && !found.sameValues) return null;
  const args = withEntryFlag(before.args, definition.id);
  if (!args) return null;
  const edit = editEntry(location.format, tx.text, location.path, shape, {
    command: before.command,
    args,
    envAdd: {},
  });
  const editor = EDITORS[location.format];
  const again = editor.locate(edit.text, location.path);
  if (again?.start !== edit.start || edit.text.slice(again.start, again.end) !== edit.after) {
    throw MonitoringError.input(
      `could not mark ${definition.name} in a way mcpscope can undo exactly; nothing was changed`,
    );
  }
  const marked: InstrumentRecord = {
    ...record,
    wrapped: edit.after,
    wrappedValue: plain(getAt(editor.parse(edit.text), location.path)),
  };
  // As when instrumenting, the record goes first, and back if the file cannot be written.
  const swap = (from: InstrumentRecord, to: InstrumentRecord) =>
    updateRecords(dataDir, (records) =>
      records.map((r) => (sameEntry(r, from) && r.wrapped === from.wrapped ? to : r)),
    );
  await swap(record, marked);
  try {
    const { backup, unlisted } = await tx.commit(edit.text, "instrument");
    recordConfigChange(dataDir, {
      action: "instrument",
      client: record.client,
      server: definition.name,
      file: location.file,
      message: `${definition.name} (${record.client}) in ${location.file} now marks its calls as its own (${ENTRY_FLAG} ${definition.id})`,
      details: { backup },
    });
    return { after: { ...before, args }, backup, warning: unlisted };
  } catch (error) {
    await swap(marked, record);
    throw error;
  }
}

/** The entry runs `run` through exactly this launcher (its program and the arguments before `run`). */
function launchedBy(entry: EntryFields, launcher: Launcher): boolean {
  const prefix = entry.args.slice(0, launcher.args.length);
  return (
    entry.command === launcher.command &&
    prefix.length === launcher.args.length &&
    prefix.every((arg, i) => arg === launcher.args[i]) &&
    entry.args[launcher.args.length] === "run"
  );
}

/** The wrapper's args with `--entry ID` right after its `--client` flag; null when it has none. */
function withEntryFlag(args: string[], id: string): string[] | null {
  const run = args.indexOf("run");
  for (let i = run + 1; run !== -1 && i < args.length && args[i] !== "--"; i++) {
    const arg = args[i] ?? "";
    const at = arg === MARKER_FLAG ? i + 2 : arg.startsWith(`${MARKER_FLAG}=`) ? i + 1 : -1;
    if (at !== -1) return [...args.slice(0, at), ...cliFlag(ENTRY_FLAG, id), ...args.slice(at)];
  }
  return null;
}
