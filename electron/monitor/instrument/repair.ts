/**
 * Re-pointing wrapped entries at this mcpscope, when the install they run has moved or gone (or is
 * another one). Only the launcher changes — the program and the arguments before `run`, plus a variable
 * the new launcher needs — never the wrapped command, its env or any other field. The record keeps the
 * original text; an entry exactly as mcpscope wrote it also gets its wrapped text updated, so
 * `uninstrument` still restores it without --force, while one changed since keeps its record and is
 * restored, as before, only with --force.
 */
import type { ClientId } from "../../../shared/discovery.js";
import { MonitoringError } from "../errors.js";
import { recordConfigChange } from "./change-record.js";
import { type ConfigTransaction, type TransactionHooks, withConfigFile } from "./config-transaction.js";
import { EDITORS, editEntry } from "./entry-edit.js";
import { type EntryFields, getAt, readFields, shapeFor } from "./entry-shape.js";
import { currentLauncher, type Launcher } from "./launcher.js";
import { goneLauncherPath, launcherPart, launcherScripts, launcherText } from "./launcher-check.js";
import { locateRecord, plain } from "./locate-record.js";
import type { LockOptions } from "./lock-file.js";
import { unwrapEntry } from "./marker.js";
import { type InstrumentRecord, readRecords, sameEntry, updateRecords } from "./records.js";
import { movedOffCopy } from "./runtime-copies.js";

export interface RepairOptions {
  dataDir: string;
  /** The launcher to point at (default: this mcpscope's). */
  launcher?: Launcher;
  hooks?: TransactionHooks;
  now?: () => Date;
  lock?: LockOptions;
}

export interface RepairResult {
  /** unchanged: the entry already runs this mcpscope. */
  status: "repaired" | "unchanged";
  client: string;
  server: string;
  file: string;
  /** The launcher before and after, one line each. */
  was: string;
  now: string;
  /** The path of the old launcher that was gone; null when it was there (another install). */
  gone: string | null;
  after: EntryFields;
  backup: string | null;
  /** The change is made but its backup is not listed in the manifest: one line, or null. */
  warning: string | null;
}

/**
 * Re-points the recorded entry inside `tx` (its file's transaction). Null for a record without a
 * launcher (a remote entry pointed at the proxy); throws when the entry is gone or no longer wrapped.
 */
export async function repairInTx(
  tx: ConfigTransaction,
  record: InstrumentRecord,
  opts: RepairOptions,
): Promise<RepairResult | null> {
  const editor = EDITORS[record.format];
  let doc: unknown;
  try {
    doc = editor.parse(tx.text);
  } catch (error) {
    throw MonitoringError.input(`${tx.file} does not parse (${(error as Error).message}); fix it first`);
  }
  const who = `${record.server} (${record.client}) in ${record.file}`;
  const found = locateRecord(tx.text, record);
  if (!found?.sameServer)
    throw MonitoringError.input(`${who} is no longer in the file (removed or renamed?); nothing to repair`);
  const entry = getAt(doc, found.path);
  const shape = shapeFor(record.client as ClientId, entry);
  const fields = readFields(entry, shape);
  if (!fields) return null;
  const old = launcherPart(fields.command, fields.args);
  if (!old || !unwrapEntry(fields.command, fields.args))
    throw MonitoringError.input(
      `${who} is no longer launched through mcpscope (its client may have rewritten it); run \`mcpscope instrument\` on it again`,
    );
  const launcher = opts.launcher ?? currentLauncher(opts.dataDir);
  const args = [...launcher.args, ...fields.args.slice(old.args.length)];
  const after = { ...fields, command: launcher.command, args, env: { ...fields.env, ...launcher.env } };
  const base = {
    client: record.client,
    server: record.server,
    file: record.file,
    was: launcherText(old),
    now: launcherText(launcher),
    gone: goneLauncherPath(fields.command, fields.args),
  };
  const sameLine =
    old.command === launcher.command &&
    old.args.length === launcher.args.length &&
    old.args.every((arg, i) => arg === launcher.args[i]);
  if (sameLine && Object.entries(launcher.env).every(([k, v]) => fields.env[k] === v))
    return { ...base, status: "unchanged", after: fields, backup: null, warning: null };
  let edit: ReturnType<typeof editEntry>;
  try {
    edit = editEntry(record.format, tx.text, found.path, shape, {
      command: launcher.command,
      args,
      envAdd: launcher.env,
    });
  } catch (error) {
    if (!(error instanceof MonitoringError)) throw error;
    throw MonitoringError.input(`cannot repair ${who}: ${error.message}`);
  }
  const again = editor.locate(edit.text, found.path);
  if (again?.start !== edit.start || edit.text.slice(again.start, again.end) !== edit.after)
    throw MonitoringError.input(
      `could not repair ${who} in a way mcpscope can undo exactly; nothing was changed`,
    );
  const exact = found.current === record.wrapped || found.sameValues;
  const next: InstrumentRecord = exact
    ? {
        ...record,
        path: found.path,
        wrapped: edit.after,
        wrappedValue: plain(getAt(editor.parse(edit.text), found.path)),
      }
    : record;
  // As when instrumenting, the record goes first, and back if the file cannot be written.
  const swap = (from: InstrumentRecord, to: InstrumentRecord) =>
    updateRecords(opts.dataDir, (records) =>
      records.map((r) => (sameEntry(r, from) && r.wrapped === from.wrapped ? to : r)),
    );
  if (next !== record) await swap(record, next);
  try {
    const { backup, unlisted } = await tx.commit(edit.text, "repair");
    movedOffCopy(launcherScripts(fields.command, fields.args), opts.dataDir);
    recordConfigChange(opts.dataDir, {
      action: "repair",
      client: record.client,
      server: record.server,
      file: record.file,
      message: `${who} now runs this mcpscope (${base.now}) instead of ${base.gone ? `the one that is gone (${base.gone})` : base.was}`,
      details: { backup, was: base.was, now: base.now, gone: base.gone },
    });
    return { ...base, status: "repaired", after, backup, warning: unlisted };
  } catch (error) {
    if (next !== record) await swap(next, record);
    throw error;
  }
}

export interface RepairItem {
  record: InstrumentRecord;
  result?: RepairResult;
  error?: string;
}

/** Re-points every recorded stdio entry (or those `only` keeps); one failure does not stop the others. */
export async function repairEntries(
  opts: RepairOptions & { only?: (record: InstrumentRecord) => boolean },
): Promise<RepairItem[]> {
  const items: RepairItem[] = [];
  // One launcher for all: a stable copy, when one is needed, is made once.
  const launcher = opts.launcher ?? currentLauncher(opts.dataDir);
  for (const record of await readRecords(opts.dataDir)) {
    if (opts.only && !opts.only(record)) continue;
    try {
      const result = await withConfigFile(record.file, { ...opts, client: record.client }, (tx) =>
        repairInTx(tx, record, { ...opts, launcher }),
      );
      if (result) items.push({ record, result });
    } catch (error) {
      items.push({ record, error: (error as Error).message });
    }
  }
  return items;
}
