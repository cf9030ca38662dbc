/**
 * `instrument` on an entry already launched through `mcpscope run`: it records elsewhere (refused, saying
 * where), its mcpscope is gone (re-pointed at this one, repair.ts), it lacks its entry marker (marked,
 * entry-mark.ts), or it is left as it is.
 */
import { resolve } from "node:path";
import { quoteArg, visibleText } from "../discovery/shown-command.js";
import type { DiscoveredServer } from "../discovery/types.js";
import { MonitoringError } from "../errors.js";
import { defaultDataDir } from "../paths.js";
import { VERSION } from "../version.js";
import type { ConfigTransaction } from "./config-transaction.js";
import { markEntry } from "./entry-mark.js";
import type { EntryFields, EntryShape } from "./entry-shape.js";
import type { InstrumentOptions, InstrumentResult } from "./instrument.js";
import { currentLauncher } from "./launcher.js";
import { goneLauncherPath } from "./launcher-check.js";
import { recordsInto, type UnwrappedEntry } from "./marker.js";
import { otherInstall, type ThisInstall, thisInstall } from "./other-install.js";
import { readRecords, sameEntry } from "./records.js";
import { repairInTx } from "./repair.js";

/**
 * An entry left as it is that runs another mcpscope install: which one, so that `instrument` says so
 * rather than "nothing changed" alone (`--repair` re-points it; it is not done unasked, as that install
 * may be newer, or chosen).
 */
function withOther(outcome: Outcome, before: EntryFields, opts: InstrumentOptions): Outcome {
  if (outcome.gone) return outcome;
  let mine: ThisInstall | null;
  try {
    mine = thisInstall(VERSION, opts.dataDir, opts.launcher ?? currentLauncher());
  } catch {
    mine = null;
  }
  const other = mine && otherInstall(before.command, before.args, mine, VERSION);
  return other ? { ...outcome, other } : outcome;
}

type Outcome = Pick<InstrumentResult, "status" | "after" | "backup" | "warning" | "notes" | "gone" | "other">;

export async function instrumentWrapped(
  tx: ConfigTransaction,
  server: DiscoveredServer,
  before: EntryFields,
  shape: EntryShape,
  unwrapped: UnwrappedEntry,
  opts: InstrumentOptions,
): Promise<Outcome> {
  const { definition } = server;
  const location = server.location!;
  const client = definition.client;
  const into = recordsInto(before.command, before.args, before.env);
  const here = opts.wrapperDataDir ? resolve(opts.wrapperDataDir) : defaultDataDir({});
  if (into && into !== here) {
    const there = `${definition.name} (${client}) is already launched through mcpscope run, but it records into ${into}, not ${opts.dataDir}; nothing was changed —`;
    throw MonitoringError.input(
      unwrapped.client === null
        ? `${there} its wrapper was written by hand: change its --data-dir by hand`
        : `${there} uninstrument it there (\`mcpscope uninstrument --client ${client} --server ${quoteArg(visibleText(definition.name))} --data-dir ${quoteArg(visibleText(into))}\`) and instrument it again here`,
    );
  }
  const gone = goneLauncherPath(before.command, before.args);
  const unchanged: Outcome = {
    status: "already-instrumented",
    after: before,
    backup: null,
    warning: null,
    notes: [],
    ...(gone ? { gone } : {}),
  };
  // Written by hand, it has no record to keep the original: its broken launcher is the user's to fix.
  if (unwrapped.client === null) return unchanged;
  // Its mcpscope gone, the client cannot start it: instrumenting it again points it at this one.
  const record = gone ? (await readRecords(opts.dataDir)).find((r) => sameEntry(r, location)) : undefined;
  if (gone && record) {
    const launcher = opts.launcher ?? currentLauncher(opts.dataDir);
    const repaired = await repairInTx(tx, record, { ...opts, launcher });
    if (repaired?.status === "repaired") {
      const { after, backup, warning } = repaired;
      return { status: "repaired", after, backup, warning, notes: launcher.notes ?? [], gone };
    }
  }
  if (unwrapped.entry !== null) return withOther(unchanged, before, opts);
  const launcher = opts.launcher ?? currentLauncher(opts.dataDir);
  const marked = await markEntry(tx, server, location, before, shape, opts.dataDir, launcher);
  if (!marked) return withOther(unchanged, before, opts);
  return { status: "marked", after: marked.after, backup: marked.backup, warning: marked.warning, notes: [] };
}
