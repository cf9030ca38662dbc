/**
 * Instrument and uninstrument one client config entry. Instrumenting replaces the entry's command line with
 * `mcpscope run … -- ORIGINAL` and records the entry's exact text before and after; uninstrumenting puts
 * the recorded original text back in place of the wrapped text. Because instrumenting changes no byte
 * outside the entry, a file nobody else touched is byte-identical afterwards; if other parts of the file
 * changed meanwhile they are kept, and if the wrapped entry itself changed, nothing is done without --force.
 */
import { join } from "node:path";
import type { ClientId, OtherInstall } from "../../../shared/discovery.js";
import { textDigest } from "../discovery/discover.js";
import { maskArgs, maskText } from "../discovery/mask-config.js";
import type { DiscoveredServer } from "../discovery/types.js";
import { MonitoringError } from "../errors.js";
import { recordConfigChange } from "./change-record.js";
import { type ConfigTransaction, type TransactionHooks, withConfigFile } from "./config-transaction.js";
import { deepEqual } from "./edit-check.js";
import { EDITORS, editEntry } from "./entry-edit.js";
import { type EntryFields, getAt, type KeyPath, readFields, shapeFor } from "./entry-shape.js";
import { forgetRemoteProxy } from "./instrument-remote.js";
import { currentLauncher, type Launcher } from "./launcher.js";
import { launcherScripts } from "./launcher-check.js";
import { locateRecord, plain } from "./locate-record.js";
import type { LockOptions } from "./lock-file.js";
import { unwrapEntry } from "./marker.js";
import { type InstrumentRecord, onlyEntryOfFile, readRecords, sameEntry, updateRecords } from "./records.js";
import { movedOffCopy } from "./runtime-copies.js";
import { wrapCommand } from "./wrap.js";
import { instrumentWrapped } from "./wrapped-again.js";

export const REMOTE_REFUSAL =
  "only stdio servers can be wrapped; a remote entry is pointed at mcpscope's proxy instead (`mcpscope instrument` on the command line)";

/** What forcing an uninstrument does, said on the command line (`--force …`) and in the app (a button). */
export const FORCING = {
  restore: { flag: "puts the original entry back anyway", button: "Restore anyway" },
  forget: { flag: "forgets it", button: "Forget it" },
} as const;

/**
 * A refusal that forcing overrides: every front says `fact`, then its own way to force it (the command
 * line's message names --force; the app offers a button).
 */
export class ForceableRefusal extends MonitoringError {
  constructor(
    readonly fact: string,
    readonly forcing: keyof typeof FORCING,
  ) {
    super("input", `${fact} — --force ${FORCING[forcing].flag}`);
  }
}

export interface InstrumentOptions {
  dataDir: string;
  /** `--data-dir` for the wrapper; omit to let it use its default. */
  wrapperDataDir?: string;
  launcher?: Launcher;
  hooks?: TransactionHooks;
  now?: () => Date;
  lock?: LockOptions;
}

export interface InstrumentResult {
  /**
   * marked: an entry an earlier mcpscope wrapped got its entry marker (entry-mark.ts); repaired: a wrapped
   * entry whose mcpscope is gone now runs this one (repair.ts).
   */
  status: "instrumented" | "already-instrumented" | "marked" | "repaired";
  client: string;
  server: string;
  file: string;
  before: EntryFields;
  after: EntryFields;
  /** The backup made before the change (null when nothing changed). */
  backup: string | null;
  /** The change is made but its backup is not listed in the manifest: one line to tell the user, or null. */
  warning: string | null;
  /** About the launcher written (launcher.ts `notes`), one line each. */
  notes: string[];
  /** repaired: the launcher path that was gone. */
  gone?: string;
  /** already-instrumented: the other mcpscope install the entry runs, left as it is (`--repair` re-points it). */
  other?: OtherInstall;
}

export async function instrument(
  server: DiscoveredServer,
  opts: InstrumentOptions,
): Promise<InstrumentResult> {
  const { definition, location } = server;
  if (definition.notEditable) throw MonitoringError.input(definition.notEditable);
  if (definition.transport !== "stdio") throw MonitoringError.input(REMOTE_REFUSAL);
  if (!location || definition.client === "manual") {
    throw MonitoringError.input(
      `${definition.name} was added in mcpscope, not in a client's config; nothing to instrument`,
    );
  }
  const client = definition.client;
  const now = opts.now ?? (() => new Date());
  return withConfigFile(location.file, { ...opts, client }, async (tx) => {
    // A client may rewrite its config between discovery and this read (or be half-way through writing
    // it): then a missing or different entry means "try again", not that the entry is unfit.
    const rewritten = location.digest !== undefined && location.digest !== textDigest(tx.text);
    const changedSince = () =>
      MonitoringError.input(
        `${tx.file} changed since mcpscope read it (${client} may have rewritten it just now); nothing was changed — try again`,
      );
    let entry: unknown;
    try {
      entry = getAt(parseFile(tx, location.format), location.path);
    } catch (error) {
      throw rewritten ? changedSince() : error;
    }
    const shape = shapeFor(client, entry);
    const before = readFields(entry, shape);
    if (rewritten && !sameAsDiscovered(before, definition)) throw changedSince();
    if (!before)
      throw MonitoringError.input(`${definition.name} in ${tx.file} has no command; ${REMOTE_REFUSAL}`);
    const rawArgs = getAt(entry, shape.args);
    const odd = Array.isArray(rawArgs) ? rawArgs.find((a) => typeof a !== "string") : undefined;
    if (odd !== undefined)
      throw MonitoringError.input(
        `${definition.name} in ${tx.file} has an argument that is not a string (${JSON.stringify(odd)}); mcpscope wraps only entries whose args are all strings — quote it, then instrument again (nothing was changed)`,
      );
    const result = { client, server: definition.name, file: location.file, before };
    const unwrapped = unwrapEntry(before.command, before.args);
    if (unwrapped)
      return { ...result, ...(await instrumentWrapped(tx, server, before, shape, unwrapped, opts)) };
    const launcher = opts.launcher ?? currentLauncher(opts.dataDir);
    const wrapped = wrapCommand(before, {
      name: definition.name,
      client,
      entry: definition.id,
      dataDir: opts.wrapperDataDir,
      launcher,
    });
    const changes = { command: wrapped.command, args: wrapped.args, envAdd: wrapped.env ?? {} };
    let edit: ReturnType<typeof editEntry>;
    try {
      edit = editEntry(location.format, tx.text, location.path, shape, changes);
    } catch (error) {
      // The editors say what is wrong with the entry's form; the user needs to know which entry and file.
      if (!(error instanceof MonitoringError)) throw error;
      throw MonitoringError.input(`cannot wrap ${definition.name} in ${tx.file}: ${error.message}`);
    }
    const again = EDITORS[location.format].locate(edit.text, location.path);
    if (again?.start !== edit.start || edit.text.slice(again.start, again.end) !== edit.after) {
      throw MonitoringError.input(
        `could not wrap ${definition.name} in a way mcpscope can undo exactly; nothing was changed`,
      );
    }
    const record: InstrumentRecord = {
      client,
      server: definition.name,
      file: location.file,
      scope: definition.scope,
      format: location.format,
      path: location.path,
      original: edit.before,
      wrapped: edit.after,
      wrappedValue: plain(getAt(EDITORS[location.format].parse(edit.text), location.path)),
      instrumentedAt: now().toISOString(),
    };
    // The record goes first: a record whose entry was never wrapped is harmless (uninstrument finds the
    // original in place and forgets it); a wrapped entry without its record could not be undone exactly.
    let untouched = false;
    await updateRecords(opts.dataDir, (records) => {
      untouched = onlyEntryOfFile(records, record);
      return [...records.filter((r) => !sameEntry(r, record)), record];
    });
    try {
      const backup = await tx.commit(edit.text, "instrument", untouched);
      recordConfigChange(opts.dataDir, {
        action: "instrument",
        client,
        server: definition.name,
        file: location.file,
        message: `${definition.name} (${client}) in ${location.file} now runs through mcpscope run`,
        details: { backup: backup.backup },
      });
      const after = {
        ...before,
        command: changes.command,
        args: changes.args,
        env: { ...before.env, ...changes.envAdd },
      };
      return {
        ...result,
        status: "instrumented",
        after,
        backup: backup.backup,
        warning: backup.unlisted,
        notes: launcher.notes ?? [],
      };
    } catch (error) {
      await updateRecords(opts.dataDir, (records) => records.filter((r) => !sameRecord(r, record)));
      throw error;
    }
  });
}

export interface UninstrumentOptions {
  dataDir: string;
  /** Put the original entry back even if the wrapped entry was changed since. */
  force?: boolean;
  hooks?: TransactionHooks;
  now?: () => Date;
  lock?: LockOptions;
}

export interface UninstrumentResult {
  /**
   * restored: the original entry is back; forced: put back over a changed entry (--force); unchanged: the
   * original was already in place; forgotten: the entry is gone from the file (--force), record dropped.
   */
  status: "restored" | "forced" | "unchanged" | "forgotten";
  client: string;
  server: string;
  file: string;
  backup: string | null;
  /** Restored, but its backup could not be listed in the manifest: one line saying where it is. */
  warning: string | null;
}

/** Uninstruments a discovered server, found among the records by its file and place in it. */
export async function uninstrument(
  server: DiscoveredServer,
  opts: UninstrumentOptions,
): Promise<UninstrumentResult> {
  const { location, definition } = server;
  const record = location ? (await readRecords(opts.dataDir)).find((r) => sameEntry(r, location)) : undefined;
  if (!record) {
    throw MonitoringError.input(
      server.wrapped?.byHand
        ? `${definition.name} (${definition.client}) was wrapped in \`mcpscope run\` by hand, not by \`mcpscope instrument\`; remove the wrapper from its entry by hand`
        : server.wrapped
          ? `${definition.name} is wrapped, but this data dir has no record of its original entry (try --data-dir); restore it from a backup or edit it by hand`
          : definition.instrumented
            ? `${definition.name} (${definition.client}) goes through the proxy of mcpscope on another data dir; uninstrument it there (--data-dir)`
            : `${definition.name} (${definition.client}) is not instrumented`,
    );
  }
  return uninstrumentRecord(record, opts);
}

export async function uninstrumentRecord(
  record: InstrumentRecord,
  opts: UninstrumentOptions,
): Promise<UninstrumentResult> {
  const base = { client: record.client, server: record.server, file: record.file };
  const forget = async () => {
    await updateRecords(opts.dataDir, (records) => records.filter((r) => !sameRecord(r, record)));
    // A remote entry's proxy goes with its record.
    await forgetRemoteProxy(opts.dataDir, record);
  };
  const run = async (tx: ConfigTransaction): Promise<UninstrumentResult> => {
    const editor = EDITORS[record.format];
    const doc = parseFile(tx, record.format);
    const found = locateRecord(tx.text, record);
    if (!found) {
      if (!opts.force) {
        throw new ForceableRefusal(
          `${record.server} is no longer in ${record.file} (removed or renamed?); nothing to restore`,
          "forget",
        );
      }
      await forget();
      return { ...base, status: "forgotten", backup: null, warning: null };
    }
    const { range, current } = found;
    const next = tx.text.slice(0, range.start) + record.original + tx.text.slice(range.end);
    // A client that writes back the unwrapped entry re-formats it: equal values count as restored.
    if (current === record.original || sameEntryValue(editor.parse, tx.text, next, found.path)) {
      await forget();
      return { ...base, status: "unchanged", backup: null, warning: null };
    }
    const ours = current === record.wrapped || found.sameValues;
    if (!ours && !found.sameServer) {
      throw MonitoringError.input(
        `the place of ${record.server} in ${record.file} now holds another server; nothing was changed — edit it by hand (backups are in ${join(opts.dataDir, "backups")})`,
      );
    }
    if (!ours && !opts.force) {
      throw new ForceableRefusal(
        `${record.server} in ${record.file} was changed since mcpscope wrapped it (${record.client} may have rewritten it); nothing was changed`,
        "restore",
      );
    }
    try {
      editor.parse(next);
    } catch (error) {
      throw MonitoringError.input(
        `putting ${record.server} back would leave ${record.file} unreadable (${(error as Error).message}); nothing was changed`,
      );
    }
    const backup = await tx.commit(next, "uninstrument");
    const entry = getAt(doc, found.path);
    const ran = readFields(entry, shapeFor(record.client as ClientId, entry));
    movedOffCopy(ran ? launcherScripts(ran.command, ran.args) : [], opts.dataDir);
    recordConfigChange(opts.dataDir, {
      action: "uninstrument",
      client: record.client,
      server: record.server,
      file: record.file,
      message: `${record.server} (${record.client}) restored in ${record.file}${ours ? "" : " over a changed entry (forced)"}`,
      details: { forced: !ours, backup: backup.backup },
    });
    await forget();
    return {
      ...base,
      status: ours ? "restored" : "forced",
      backup: backup.backup,
      warning: backup.unlisted,
    };
  };
  try {
    return await withConfigFile(record.file, { ...opts, client: record.client }, run);
  } catch (error) {
    if (opts.force && error instanceof MonitoringError && /does not exist any more/.test(error.message)) {
      await forget();
      return { ...base, status: "forgotten", backup: null, warning: null };
    }
    throw error;
  }
}

export interface UninstrumentAllItem {
  record: InstrumentRecord;
  result?: UninstrumentResult;
  error?: string;
}

/** Restores every recorded entry; one failure does not stop the others. */
export async function uninstrumentAll(
  opts: UninstrumentOptions & { only?: (record: InstrumentRecord) => boolean },
): Promise<UninstrumentAllItem[]> {
  const items: UninstrumentAllItem[] = [];
  for (const record of await readRecords(opts.dataDir)) {
    if (opts.only && !opts.only(record)) continue;
    try {
      items.push({ record, result: await uninstrumentRecord(record, opts) });
    } catch (error) {
      items.push({ record, error: (error as Error).message });
    }
  }
  return items;
}

/** The entry read under the lock is the one discovery listed (compared as discovery shows it, masked). */
function sameAsDiscovered(fields: EntryFields | null, definition: DiscoveredServer["definition"]): boolean {
  return (
    fields !== null &&
    maskText(fields.command) === definition.command &&
    JSON.stringify(maskArgs(fields.args, fields.command)) === JSON.stringify(definition.args)
  );
}

/** The entry at `path` holds the same values in both texts (false if either does not parse). */
function sameEntryValue(parse: (text: string) => unknown, a: string, b: string, path: KeyPath): boolean {
  try {
    return deepEqual(plain(getAt(parse(a), path)), plain(getAt(parse(b), path)));
  } catch {
    return false;
  }
}

function sameRecord(a: InstrumentRecord, b: InstrumentRecord): boolean {
  return sameEntry(a, b) && a.instrumentedAt === b.instrumentedAt && a.wrapped === b.wrapped;
}

function parseFile(tx: ConfigTransaction, format: InstrumentRecord["format"]): unknown {
  try {
    return EDITORS[format].parse(tx.text);
  } catch (error) {
    throw MonitoringError.input(`${tx.file} does not parse (${(error as Error).message}); fix it first`);
  }
}
