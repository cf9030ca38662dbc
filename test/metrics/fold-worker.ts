/** A second and third engine's collector, in worker threads: folds until told to stop and caught up. */
import { parentPort, workerData } from "node:worker_threads";
import { foldOnce } from "../../electron/monitor/metrics/fold.js";
import { openDb } from "../../electron/monitor/store/db.js";

const db = openDb(workerData.dbPath as string, { busyTimeoutMs: 10_000 });
let stop = false;
let folded = 0;
let transactions = 0;
parentPort?.on("message", () => {
  stop = true;
});
parentPort?.postMessage("ready");
for (;;) {
  const result = foldOnce(db, 20);
  folded += result.folded;
  if (result.folded > 0) {
    transactions++;
    // Step back now and then so that the other collector gets the lock too.
    await new Promise((resolve) => setTimeout(resolve, Math.random() < 0.5 ? 0 : 1));
  }
  if (result.folded === 0) {
    if (stop) break;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}
db.close();
parentPort?.postMessage({ folded, transactions });
