/**
 * Wrappers recording into a data dir, from their start: each `mcpscope run` that records keeps a small file
 * in `<dataDir>/wrappers/` from right after its server is spawned until it exits, naming itself as its
 * session row will (pid and start ticks). Its session row is written only once its observer starts, up to
 * seconds later; `restore` asks both, so a wrapper that has just started is not swapped a database under.
 * It also names the script the wrapper runs, so that a copy of the CLI in `runtime/` it runs from is kept
 * where the process's own command line cannot be read (off Linux).
 * Only node:fs here: the wrapper loads this before its first relayed byte.
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeDirs } from "./make-dirs.js";
import { ownStartTicks } from "./process-start.js";

export const WRAPPERS_FOLDER = "wrappers";

export interface WrapperPresence {
  pid: number;
  startTicks: number | null;
  /** Epoch ms. */
  startedAt: number;
  /** The `bin/mcpscope.js` this wrapper runs (absent from wrappers before it was written). */
  script?: string;
}

/** Marks this wrapper as recording; the returned function unmarks it (also at exit). Fails open. */
export function markWrapperRecording(dataDir: string, startedAt: number): () => void {
  const folder = join(dataDir, WRAPPERS_FOLDER);
  const file = join(folder, `${process.pid}-${startedAt}.json`);
  const presence: WrapperPresence = { pid: process.pid, startTicks: ownStartTicks(), startedAt };
  if (process.argv[1]) presence.script = process.argv[1];
  try {
    makeDirs(folder, 0o700);
    // Small enough to be written whole; a partial file reads as unparsable and is skipped.
    writeFileSync(file, JSON.stringify(presence), { mode: 0o600 });
  } catch {
    return () => {};
  }
  const unmark = () => {
    process.off("exit", unmark);
    rmSync(file, { force: true });
  };
  process.on("exit", unmark);
  return unmark;
}

/** Every wrapper presence file in the data dir, with what it says (null: unreadable). */
export function wrapperPresenceFiles(
  dataDir: string,
): Array<{ file: string; presence: WrapperPresence | null }> {
  const folder = join(dataDir, WRAPPERS_FOLDER);
  let names: string[];
  try {
    names = readdirSync(folder).filter((name) => name.endsWith(".json"));
  } catch {
    return [];
  }
  return names.map((name) => {
    const file = join(folder, name);
    try {
      const presence = JSON.parse(readFileSync(file, "utf8")) as WrapperPresence;
      return { file, presence: Number.isInteger(presence.pid) ? presence : null };
    } catch {
      return { file, presence: null };
    }
  });
}
