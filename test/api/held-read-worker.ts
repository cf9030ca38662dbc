/**
 * The engine's read worker, with one change for the read pool's tests: `stats.get` holds its worker until
 * the test says so (a file `release` in the data dir, after it wrote `held`), `tools.pins` for the
 * server "die" ends the worker as a crash would, `sessions.timeline` of the session "hang" never
 * answers (a read stuck in SQLite holds its thread the same way), and `storage.check` ends its worker
 * while a file `die-check` exists, or holds it (after writing `check-held`) until `release-check` does.
 */
import { existsSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parentPort, workerData } from "node:worker_threads";
import { readHandlers } from "../../electron/monitor/api/read-handlers.js";
import { type ReadWorkerData, serveReads } from "../../electron/monitor/api/read-pool.js";
import { openDb } from "../../electron/monitor/store/db.js";

const { dbPath } = workerData as ReadWorkerData;
const dir = dirname(dbPath);
const handlers = readHandlers(openDb(dbPath, { readOnly: true }));
const pause = new Int32Array(new SharedArrayBuffer(4));
if (parentPort)
  serveReads(parentPort, {
    ...handlers,
    "stats.get": (input: Parameters<(typeof handlers)["stats.get"]>[0]) => {
      writeFileSync(join(dir, "held"), "");
      // Synchronous, as a long SQLite read is: this thread does nothing else meanwhile.
      while (!existsSync(join(dir, "release"))) Atomics.wait(pause, 0, 0, 5);
      return handlers["stats.get"](input);
    },
    "sessions.timeline": (input: Parameters<(typeof handlers)["sessions.timeline"]>[0]) => {
      if (input.id === "hang") for (;;) Atomics.wait(pause, 0, 0, 50);
      return handlers["sessions.timeline"](input);
    },
    "storage.check": (input: Parameters<(typeof handlers)["storage.check"]>[0]) => {
      if (existsSync(join(dir, "die-check"))) process.exit(3);
      if (existsSync(join(dir, "hold-check"))) {
        writeFileSync(join(dir, "check-held"), "");
        while (!existsSync(join(dir, "release-check"))) Atomics.wait(pause, 0, 0, 5);
      }
      return handlers["storage.check"](input);
    },
    "tools.pins": (input: { server?: string }) => {
      if (input.server === "die") process.exit(3);
      return handlers["tools.pins"](input);
    },
  });
