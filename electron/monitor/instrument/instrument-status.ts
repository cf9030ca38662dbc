/**
 * Is each recorded wrapping still in place? Some clients rewrite their own config (Claude Desktop
 * regenerates its file), which silently drops the wrapping; these checks let the engine and
 * `mcpscope instrumented` say so instead of silently missing traffic.
 */
import { readFile } from "node:fs/promises";
import type { ClientId, DiscoveryWarning } from "../../../shared/discovery.js";
import { entryPickFlags, storedPlace } from "../api/entry-pick.js";
import type { DiscoveredServer } from "../discovery/types.js";
import { entryUsesProxy, recordedProxy } from "../proxy-http/proxied-entry.js";
import type { RemoteProxy } from "../proxy-http/remote-proxies.js";
import { VERSION } from "../version.js";
import { EDITORS } from "./entry-edit.js";
import { getAt, readFields, shapeFor } from "./entry-shape.js";
import { repairCommand } from "./launcher.js";
import { goneLauncherPath } from "./launcher-check.js";
import { locateRecord } from "./locate-record.js";
import { unwrapEntry } from "./marker.js";
import { type OtherInstall, otherInstall, otherInstallText, type ThisInstall } from "./other-install.js";
import { type InstrumentRecord, readRecords, sameEntry } from "./records.js";

export interface LostWrapping {
  record: InstrumentRecord;
  /**
   * `unreadable`: the file cannot be read right now (half-saved, malformed), so the entry cannot be checked;
   * `launcher-gone`: still wrapped, but the mcpscope it runs is gone, so its client cannot start it;
   * `launcher-other`: still wrapped, through another mcpscope install that is there (a notice).
   */
  reason: "missing" | "unwrapped" | "unreadable" | "launcher-gone" | "launcher-other";
  /** One line for a warning. */
  message: string;
}

/**
 * Recorded wrappings that discovery no longer finds wrapped (or no longer finds at all). `warnings` are
 * discovery's: an entry missing from a file it could not read is not gone, only unreadable for now.
 */
export function checkInstrumented(
  records: InstrumentRecord[],
  discovered: DiscoveredServer[],
  warnings: readonly DiscoveryWarning[] = [],
  /** The data dir: named in the command that repairs, when it is not the default. */
  dataDir?: string,
): LostWrapping[] {
  const lost: LostWrapping[] = [];
  for (const record of records) {
    const server =
      discovered.find(
        (s) => s.location && sameEntry(s.location, record) && s.definition.name === record.server,
      ) ??
      discovered.find(
        (s) =>
          s.location?.file === record.file &&
          s.definition.client === record.client &&
          s.definition.name === record.server,
      );
    const where = `${record.server} (${record.client}, ${record.file})`;
    const unreadable = warnings.find((w) => w.file === record.file && w.kind === undefined);
    if (!server && unreadable) {
      lost.push({
        record,
        reason: "unreadable",
        message: `${where} cannot be checked: the file cannot be read right now (${unreadable.message}); it is checked again once the file reads`,
      });
    } else if (!server) {
      lost.push({
        record,
        reason: "missing",
        message: `${where} was instrumented but is no longer in the file`,
      });
    } else if (!server.wrapped && !server.definition.instrumented) {
      const how =
        server.definition.transport === "stdio"
          ? "is no longer launched through mcpscope"
          : "no longer points at mcpscope's proxy";
      lost.push({
        record,
        reason: "unwrapped",
        message: `${where} ${how} (the client may have rewritten its config); its calls are not recorded — run \`mcpscope instrument\` again`,
      });
    } else if (server.definition.launcherGone) {
      lost.push({
        record,
        reason: "launcher-gone",
        message: launcherGoneMessage(where, server.definition.launcherGone, dataDir),
      });
    } else if (server.definition.launcherOther) {
      // The command re-points this entry alone: another install may be newer, or chosen, for the others.
      const pick = entryPickFlags(storedPlace(record), records.map(storedPlace));
      lost.push({
        record,
        reason: "launcher-other",
        message: launcherOtherMessage(where, server.definition.launcherOther, dataDir, pick),
      });
    }
  }
  return lost;
}

/** Said of an entry whose mcpscope is gone, wherever it is shown. */
export function launcherGoneMessage(where: string, path: string, dataDir?: string): string {
  return `${where}: its client cannot start it: the mcpscope it runs (${path}) is gone — \`${repairCommand(dataDir)}\` points it at this one`;
}

/**
 * Said of an entry that runs another mcpscope, wherever it is shown: whether it records here depends on
 * that one, unless it is known to be older (then it refuses a data dir this one has upgraded).
 */
export function launcherOtherMessage(
  where: string,
  other: OtherInstall,
  dataDir?: string,
  /** Flags that pick this entry alone, added to the repair command. */
  pick?: string,
): string {
  const repair = `\`${repairCommand(dataDir)}${pick ? ` ${pick}` : ""}\` points it at this one`;
  return other.older
    ? `${where} runs an older mcpscope (${other.version ? `${other.version}: ` : ""}${other.path}), which cannot record into a data dir this one has upgraded — ${repair}`
    : `${where} runs ${otherInstallText(other)}; its calls are recorded here only while that one can use this data dir — ${repair}`;
}

/** A lost wrapping as a discovery warning (the engine's, `discover`'s, the Servers view's). */
export function lostWrappingWarning(lost: LostWrapping): DiscoveryWarning {
  return {
    file: lost.record.file,
    message: `mcpscope's wrapping: ${lost.message}`,
    kind: lost.reason === "launcher-gone" || lost.reason === "launcher-other" ? lost.reason : "lost-wrapping",
  };
}

/**
 * The lost wrappings among `servers` as warnings: none when this data dir has no records (or they cannot
 * be read: then there is nothing to compare).
 */
export async function lostWrappingWarnings(
  dataDir: string,
  servers: DiscoveredServer[],
  warnings: readonly DiscoveryWarning[],
): Promise<DiscoveryWarning[]> {
  const records = await readRecords(dataDir).catch(() => []);
  return checkInstrumented(records, servers, warnings, dataDir).map(lostWrappingWarning);
}

export interface RecordState {
  /** The entry is there and still wrapped by mcpscope. */
  inPlace: boolean;
  /** The entry is as mcpscope wrote it (same text, or same values re-formatted): no --force needed to undo. */
  exact: boolean;
  /** Why the state could not be read (file missing or malformed). */
  problem: string | null;
  /** The path of the mcpscope it runs, gone; null when it is there. */
  launcherGone: string | null;
  /** The other mcpscope install it runs, still there; null when it runs this one (or cannot be told). */
  launcherOther: OtherInstall | null;
}

/**
 * Reads the record's file and checks its entry: a stdio entry must still launch `mcpscope run`; a remote
 * entry must still point at the proxy recorded for it in `proxies` (the data dir's remote-proxies.json).
 */
export async function inspectRecord(
  record: InstrumentRecord,
  proxies: readonly RemoteProxy[] = [],
  /** This install (other-install.ts `thisInstall`), to tell an entry that runs another; null: not told. */
  mine: ThisInstall | null = null,
): Promise<RecordState> {
  const editor = EDITORS[record.format];
  const notThere = (problem: string): RecordState => ({
    inPlace: false,
    exact: false,
    problem,
    launcherGone: null,
    launcherOther: null,
  });
  try {
    const text = await readFile(record.file, "utf8");
    let document: unknown;
    try {
      document = editor.parse(text);
    } catch (error) {
      // Not "entry not found": the entry is most likely still there, behind a syntax error.
      return notThere(`the file does not parse: ${(error as Error).message}`);
    }
    const found = locateRecord(text, record);
    if (!found) return notThere("entry not found");
    const entry = getAt(document, found.path);
    const fields = readFields(entry, shapeFor(record.client as ClientId, entry));
    const proxy = recordedProxy(proxies, record);
    const wrapped = fields
      ? unwrapEntry(fields.command, fields.args) !== null
      : proxy !== undefined && entryUsesProxy(entry, proxy);
    return {
      inPlace: found.sameServer && wrapped,
      exact: found.current === record.wrapped || found.sameValues,
      problem: null,
      launcherGone: fields && wrapped ? goneLauncherPath(fields.command, fields.args) : null,
      launcherOther:
        fields && wrapped && mine ? otherInstall(fields.command, fields.args, mine, VERSION) : null,
    };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT")
      return notThere("the file does not exist any more");
    return notThere((error as Error).message.split("\n")[0] ?? "unreadable");
  }
}
