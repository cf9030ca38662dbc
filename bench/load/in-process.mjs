// What the in-process observer benches share (observer.mjs, observer-payload.mjs): the observer's code
// bundled from the sources, and an Observation over a fresh database as the observer thread makes one.
import { mkdir, mkdtemp } from "node:fs/promises";
import { join } from "node:path";
import { bundleEngine } from "../lib.mjs";

/** Bundles the observer's code into `work`, with `more` (lines of `export { … } from "./electron/…ts"`). */
export function bundleObserver(work, more = "") {
  return bundleEngine(
    work,
    `export { Observation } from "./electron/monitor/proxy/observation.ts";
     export { BatchWriter } from "./electron/monitor/store/batch-writer.ts";
     export { openDb } from "./electron/monitor/store/db.ts";
     export { packBatch } from "./electron/monitor/proxy/copy-batch.ts";
     ${more}`,
  );
}

/**
 * The observer of the tree at `root` (this one, or another for an A/B in one process), bundled into the
 * new directory `dir` from its sources by that tree's own helpers, with `more` exports as above.
 */
export async function treeObserver(root, dir, more = "") {
  const helpers = await import(join(root, "bench", "load", "in-process.mjs"));
  await mkdir(dir);
  return { lib: await helpers.bundleObserver(dir, more), startObservation: helpers.startObservation };
}

/** An Observation of one session over a new database under `work`; `elision`: the long-line control. */
export async function startObservation(lib, work, { server, command, elision }) {
  const dataDir = await mkdtemp(join(work, "data-"));
  const init = {
    dataDir,
    sessionId: "bench-session",
    server,
    command,
    startedAt: Date.now(),
    wrapperPid: process.pid,
    timeoutMs: 60_000,
    captureLimit: 64 * 1024,
    maxLineBytes: 16 * 1024 * 1024,
    client: null,
    ...(elision ? { elision } : {}),
    drainDeadline: new SharedArrayBuffer(8),
  };
  let observation = null;
  const writer = new lib.BatchWriter({
    open: () => lib.openDb(join(dataDir, "mcpscope.db")),
    afterBatch: [
      {
        write: (db) => observation?.recorder.writeSessionRow(db),
        committed: () => observation?.recorder.committed(),
      },
    ],
  });
  observation = new lib.Observation(init, writer, () => {});
  writer.flush();
  return { observation, dataDir };
}
