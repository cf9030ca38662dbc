/**
 * The observer worker's code in the test's own thread, over a real database: an `Observation` whose
 * writer commits to `dbPath` and whose acknowledgements go back to `queue`, as observer-worker.ts wires it.
 */
import type { CopyQueue } from "../../electron/monitor/proxy/copy-queue.js";
import { Observation } from "../../electron/monitor/proxy/observation.js";
import { drainDeadlineBuffer, type WorkerInit } from "../../electron/monitor/proxy/worker-protocol.js";
import { BatchWriter } from "../../electron/monitor/store/batch-writer.js";
import { openDb } from "../../electron/monitor/store/db.js";

export function observationOver(init: WorkerInit, dbPath: string, queue: CopyQueue): Observation {
  let observation: Observation | null = null;
  const writer = new BatchWriter({
    open: () => openDb(dbPath),
    afterBatch: [
      {
        write: (db) => observation?.recorder.writeSessionRow(db),
        committed: () => observation?.recorder.committed(),
      },
    ],
  });
  observation = new Observation(init, writer, (message) => {
    if (message.type === "ack") {
      queue.acknowledge(message.bytes);
      if (message.slabs) queue.recycle(message.slabs);
    }
  });
  return observation;
}

/** A wrapper's start as the tests' observer sees it: one session of `server` in `dataDir`, 64 KiB captures. */
export function workerInit(
  dataDir: string,
  sessionId: string,
  server: string,
  more: Partial<WorkerInit> = {},
): WorkerInit {
  return {
    dataDir,
    sessionId,
    server,
    command: `${server}-server`,
    startedAt: Date.now(),
    wrapperPid: process.pid,
    timeoutMs: 60_000,
    captureLimit: 64 * 1024,
    maxLineBytes: 16 * 1024 * 1024,
    client: null,
    drainDeadline: drainDeadlineBuffer(),
    ...more,
  };
}
