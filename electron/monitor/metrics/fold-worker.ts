/** The engine's fold worker (metrics/fold-thread.ts): its own connection, the collector's own catch-up. */
import { parentPort, workerData } from "node:worker_threads";
import { openDb } from "../store/db.js";
import { MetricsCollector } from "./collector.js";
import { type FoldWorkerData, serveFolds } from "./fold-thread.js";

const { dbPath, foldBatch } = workerData as FoldWorkerData;
const collector = new MetricsCollector(openDb(dbPath), { foldBatch }, { worker: false });
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
