/** The engine's fold worker (metrics/fold-thread.ts): its own connection, the collector's own catch-up. */
import { setPriority } from "node:os";
import { parentPort, workerData } from "node:worker_threads";
import { openDb } from "../store/db.js";
import { MetricsCollector } from "./collector.js";
import { FOLD_NICE, type FoldWorkerData, serveFolds } from "./fold-thread.js";

const { dbPath, foldBatch } = workerData as FoldWorkerData;
// Folding is background work: on Linux this lowers this thread's priority only (the engine's thread and
// its read workers come first when the cores are busy); elsewhere it may lower the process's, or fail.
if (process.platform === "linux") {
  try {
    setPriority(FOLD_NICE);
  } catch {}
}
const collector = new MetricsCollector(
  openDb(dbPath),
  { foldBatch },
  { worker: false, checkpoint: true, background: true },
);
if (parentPort)
  serveFolds(
    parentPort,
    async () => {
      collector.longestTransactionMs = 0;
      const folded = await collector.catchUp();
      return { folded, longestMs: collector.longestTransactionMs };
    },
    () => void collector.stop(),
  );
